from django.urls import path

from . import views, views_definitions, views_figures, views_rounds

app_name = "plans"

urlpatterns = [
    path("", views.start, name="start"),
    path("plans/<slug:plan_key>/", views.plan_detail, name="plan"),
    path("plans/<slug:plan_key>/report.pdf", views.plan_report_pdf, name="plan_pdf"),
    path("plans/<slug:plan_key>/themes/<slug:area_key>/", views.focus_area_detail, name="theme"),
    path("plans/<slug:plan_key>/rounds/<int:round_id>/", views.round_detail, name="round"),
    path("plans/<slug:plan_key>/rounds/new/", views_rounds.round_create, name="round_create"),
    path(
        "plans/<slug:plan_key>/rounds/<int:round_id>/work/",
        views_rounds.round_work,
        name="round_work",
    ),
    path(
        "plans/<slug:plan_key>/rounds/<int:round_id>/report.pdf",
        views.round_report_pdf,
        name="round_pdf",
    ),
    path("targets/<slug:target_key>/", views.target_detail, name="target"),
    path("plans/<slug:plan_key>/targets/new/", views_definitions.target_edit, name="target_new"),
    path(
        "plans/<slug:plan_key>/targets/<slug:target_key>/edit/",
        views_definitions.target_edit,
        name="target_edit",
    ),
    path(
        "plans/<slug:plan_key>/targets/<slug:target_key>/revise/",
        views_definitions.target_revise,
        name="target_revise",
    ),
    path("indicators/", views.indicator_list, name="indicators"),
    path("indicators/<slug:key>/", views.indicator_detail, name="indicator"),
    path("plans/<slug:plan_key>/figures/", views_figures.figures_grid, name="figures"),
    path("figures/import/", views_figures.import_upload, name="import_upload"),
    path("figures/template.csv", views_figures.import_template, name="import_template"),
    path("figures/import/<int:batch_id>/", views_figures.import_detail, name="import"),
    path(
        "figures/import/<int:batch_id>/commit/", views_figures.import_commit, name="import_commit"
    ),
    path(
        "figures/import/<int:batch_id>/status/", views_figures.import_status, name="import_status"
    ),
]
