from django.urls import path

from plans.members import views as members
from plans.views import areas, committee, comparables, definitions, figures, rounds, sources
from plans.views import settings as municipality_settings

app_name = "plans"

P = "plans/<slug:plan_key>"

urlpatterns = [
    # The committee's pages
    path("", committee.start, name="start"),
    # "new" before "<key>": "plans/new/" is not the plan with the key "new".
    path("plans/new/", definitions.plan_edit, name="plan_new"),
    path(f"{P}/", committee.plan_detail, name="plan"),
    path(f"{P}/report.pdf", committee.plan_report_pdf, name="plan_pdf"),
    path(f"{P}/themes/new/", definitions.focus_area_edit, name="theme_new"),
    path(f"{P}/themes/<slug:area_key>/", committee.focus_area_detail, name="theme"),
    path(f"{P}/rounds/new/", rounds.round_create, name="round_create"),
    path(f"{P}/rounds/<int:round_id>/", committee.round_detail, name="round"),
    path(f"{P}/rounds/<int:round_id>/report.pdf", committee.round_report_pdf, name="round_pdf"),
    path("targets/<slug:target_key>/", committee.target_detail, name="target"),
    path("municipalities/", areas.municipality_list, name="municipalities"),
    path("indicators/", committee.indicator_list, name="indicators"),
    path("indicators/new/", definitions.indicator_edit, name="indicator_new"),
    path("indicators/<slug:key>/", committee.indicator_detail, name="indicator"),
    # Analysts: figures and reporting rounds
    path(f"{P}/figures/", figures.figures_grid, name="figures"),
    path("figures/import/", figures.import_upload, name="import_upload"),
    path("figures/template.csv", figures.import_template, name="import_template"),
    path("figures/import/<int:batch_id>/", figures.import_detail, name="import"),
    path("figures/import/<int:batch_id>/commit/", figures.import_commit, name="import_commit"),
    path("figures/import/<int:batch_id>/status/", figures.import_status, name="import_status"),
    path(f"{P}/rounds/<int:round_id>/work/", rounds.round_work, name="round_work"),
    path(f"{P}/rounds/<int:round_id>/submit/", rounds.round_submit, name="round_submit"),
    path(f"{P}/rounds/<int:round_id>/approve/", rounds.round_approve, name="round_approve"),
    # Administrators: definitions
    path(f"{P}/edit/", definitions.plan_edit, name="plan_edit"),
    path(f"{P}/copy/", definitions.plan_copy, name="plan_copy"),
    path(f"{P}/themes/<slug:area_key>/edit/", definitions.focus_area_edit, name="theme_edit"),
    path("indicators/<slug:key>/edit/", definitions.indicator_edit, name="indicator_edit"),
    path(
        "municipalities/<slug:slug>/comparables/",
        comparables.comparables_edit,
        name="comparables",
    ),
    path(f"{P}/targets/new/", definitions.target_edit, name="target_new"),
    path(f"{P}/targets/<slug:target_key>/edit/", definitions.target_edit, name="target_edit"),
    path(
        f"{P}/targets/<slug:target_key>/history/",
        definitions.target_history,
        name="target_history",
    ),
    path(
        f"{P}/targets/<slug:target_key>/revise/",
        definitions.target_revise,
        name="target_revise",
    ),
    # Administrators: the jobindsats.dk tables the connector follows
    path("sources/", sources.sources, name="sources"),
    path("sources/<int:table_id>/sync/", sources.source_sync, name="source_sync"),
    # Administrators: a municipality's members (superusers: any municipality's)
    path(
        "municipalities/<slug:slug>/settings/",
        municipality_settings.municipality_settings,
        name="municipality_settings",
    ),
    path("members/", members.members_index, name="members_index"),
    path("municipalities/<slug:slug>/members/", members.members, name="members"),
    path(
        "municipalities/<slug:slug>/members/<int:membership_id>/",
        members.member_change,
        name="member_change",
    ),
    path(
        "municipalities/<slug:slug>/invitations/<int:invitation_id>/withdraw/",
        members.invitation_withdraw,
        name="invitation_withdraw",
    ),
    # Anyone with the link: an invitation; anyone signed in: their own API tokens
    path("invitation/<str:token>/", members.invitation, name="invitation"),
    path("account/tokens/", members.tokens, name="tokens"),
    path("account/tokens/<int:token_id>/revoke/", members.token_revoke, name="token_revoke"),
]
