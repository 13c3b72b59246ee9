from django.urls import path

from . import (
    views,
    views_areas,
    views_comparables,
    views_definitions,
    views_figures,
    views_rounds,
    views_settings,
    views_sources,
)
from .members import views as views_members

app_name = "plans"

P = "plans/<slug:plan_key>"

urlpatterns = [
    # The committee's pages
    path("", views.start, name="start"),
    # "new" before "<key>": "plans/new/" is not the plan with the key "new".
    path("plans/new/", views_definitions.plan_edit, name="plan_new"),
    path(f"{P}/", views.plan_detail, name="plan"),
    path(f"{P}/report.pdf", views.plan_report_pdf, name="plan_pdf"),
    path(f"{P}/themes/new/", views_definitions.focus_area_edit, name="theme_new"),
    path(f"{P}/themes/<slug:area_key>/", views.focus_area_detail, name="theme"),
    path(f"{P}/rounds/new/", views_rounds.round_create, name="round_create"),
    path(f"{P}/rounds/<int:round_id>/", views.round_detail, name="round"),
    path(f"{P}/rounds/<int:round_id>/report.pdf", views.round_report_pdf, name="round_pdf"),
    path("targets/<slug:target_key>/", views.target_detail, name="target"),
    path("municipalities/", views_areas.municipality_list, name="municipalities"),
    path("indicators/", views.indicator_list, name="indicators"),
    path("indicators/new/", views_definitions.indicator_edit, name="indicator_new"),
    path("indicators/<slug:key>/", views.indicator_detail, name="indicator"),
    # Analysts: figures and reporting rounds
    path(f"{P}/figures/", views_figures.figures_grid, name="figures"),
    path("figures/import/", views_figures.import_upload, name="import_upload"),
    path("figures/template.csv", views_figures.import_template, name="import_template"),
    path("figures/import/<int:batch_id>/", views_figures.import_detail, name="import"),
    path(
        "figures/import/<int:batch_id>/commit/", views_figures.import_commit, name="import_commit"
    ),
    path(
        "figures/import/<int:batch_id>/status/", views_figures.import_status, name="import_status"
    ),
    path(f"{P}/rounds/<int:round_id>/work/", views_rounds.round_work, name="round_work"),
    path(f"{P}/rounds/<int:round_id>/submit/", views_rounds.round_submit, name="round_submit"),
    path(f"{P}/rounds/<int:round_id>/approve/", views_rounds.round_approve, name="round_approve"),
    # Administrators: definitions
    path(f"{P}/edit/", views_definitions.plan_edit, name="plan_edit"),
    path(f"{P}/copy/", views_definitions.plan_copy, name="plan_copy"),
    path(f"{P}/themes/<slug:area_key>/edit/", views_definitions.focus_area_edit, name="theme_edit"),
    path("indicators/<slug:key>/edit/", views_definitions.indicator_edit, name="indicator_edit"),
    path(
        "municipalities/<slug:slug>/comparables/",
        views_comparables.comparables_edit,
        name="comparables",
    ),
    path(f"{P}/targets/new/", views_definitions.target_edit, name="target_new"),
    path(f"{P}/targets/<slug:target_key>/edit/", views_definitions.target_edit, name="target_edit"),
    path(
        f"{P}/targets/<slug:target_key>/history/",
        views_definitions.target_history,
        name="target_history",
    ),
    path(
        f"{P}/targets/<slug:target_key>/revise/",
        views_definitions.target_revise,
        name="target_revise",
    ),
    # Administrators: the jobindsats.dk tables the connector follows
    path("sources/", views_sources.sources, name="sources"),
    path("sources/<int:table_id>/sync/", views_sources.source_sync, name="source_sync"),
    # Administrators: a municipality's members (superusers: any municipality's)
    path(
        "municipalities/<slug:slug>/settings/",
        views_settings.municipality_settings,
        name="municipality_settings",
    ),
    path("members/", views_members.members_index, name="members_index"),
    path("municipalities/<slug:slug>/members/", views_members.members, name="members"),
    path(
        "municipalities/<slug:slug>/members/<int:membership_id>/",
        views_members.member_change,
        name="member_change",
    ),
    path(
        "municipalities/<slug:slug>/invitations/<int:invitation_id>/withdraw/",
        views_members.invitation_withdraw,
        name="invitation_withdraw",
    ),
    # Anyone with the link: an invitation; anyone signed in: their own API tokens
    path("invitation/<str:token>/", views_members.invitation, name="invitation"),
    path("account/tokens/", views_members.tokens, name="tokens"),
    path("account/tokens/<int:token_id>/revoke/", views_members.token_revoke, name="token_revoke"),
]
