from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("", views.start, name="start"),
    path("plans/<slug:plan_key>/", views.plan_detail, name="plan"),
    path("plans/<slug:plan_key>/report.pdf", views.plan_report_pdf, name="plan_pdf"),
    path("plans/<slug:plan_key>/themes/<slug:area_key>/", views.focus_area_detail, name="theme"),
    path("plans/<slug:plan_key>/rounds/<int:round_id>/", views.round_detail, name="round"),
    path(
        "plans/<slug:plan_key>/rounds/<int:round_id>/report.pdf",
        views.round_report_pdf,
        name="round_pdf",
    ),
    path("targets/<slug:target_key>/", views.target_detail, name="target"),
    path("indicators/", views.indicator_list, name="indicators"),
    path("indicators/<slug:key>/", views.indicator_detail, name="indicator"),
]
