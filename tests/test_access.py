"""Who sees what: every page for every role. A new URL without an entry here fails."""

import re
from datetime import date

import pytest
from django.urls import reverse

from kpis.models import Indicator, SourceTable
from plans import services
from plans.models import Membership, Plan
from plans.urls import urlpatterns
from tests.builders import make_indicator, make_municipality, make_target, record

pytestmark = pytest.mark.django_db

OK, HIDDEN = 200, 404


def make_plan_with_pages(municipality, key, approval):
    plan = services.plan_create(
        municipality=municipality, key=key, title=f"Plan {key}", kind="employment_plan",
        start_year=2023, end_year=2023, approval_state=approval,
    )  # fmt: skip
    theme = services.focus_area_create(plan=plan, key=f"{key}-theme", title="Tema", order=0)
    shared = Indicator.objects.get_or_create(
        key="unge", defaults={"name": "Unge", "unit": "count", "direction": "lower"}
    )[0]
    make_target(plan, shared, key=f"{key}-target", focus_areas=[theme])
    draft = services.round_create(plan=plan, name="Status maj", cut_off=date(2023, 5, 31))
    approved = services.round_create(plan=plan, name="Afrapportering", cut_off=date(2024, 3, 31))
    services.round_approve(reporting_round=approved)
    return plan, theme, draft, approved


@pytest.fixture
def world(public_guldborgsund, ringsted, member, admin_user):
    """Guldborgsund: public, an approved plan. Ringsted: not public, a draft plan and a local
    indicator. Each has a round in progress and an approved round."""
    public, private = public_guldborgsund, ringsted
    pages = {
        "public": make_plan_with_pages(public, "g", Plan.Approval.APPROVED),
        "private": make_plan_with_pages(private, "r", Plan.Approval.DRAFT),
    }
    local = make_indicator("ringsted-lokal")
    local.owner = private
    local.save()
    record(Indicator.objects.get(key="unge"), private, "2023", "5.555")
    record(Indicator.objects.get(key="unge"), public, "2023", "969")
    personas = {
        "anonymous": None,
        "committee of the private": member(private, Membership.Role.COMMITTEE),
        "analyst of the private": member(private, Membership.Role.ANALYST),
        "analyst of the public": member(public, Membership.Role.ANALYST),
        "superuser": admin_user,
        # only MUNICIPALITY_PAGES ask these two
        "administrator of the private": member(private, Membership.Role.ADMIN),
        "administrator of the public": member(public, Membership.Role.ADMIN),
    }
    return pages, personas


def urls(pages, side, which_round):
    plan, theme, draft, approved = pages[side]
    reporting_round = draft if which_round == "draft" else approved
    indicator = "ringsted-lokal" if side == "private" else "unge"
    return {
        "start": "/",
        "plan": reverse("plans:plan", args=[plan.key]),
        "plan_pdf": reverse("plans:plan_pdf", args=[plan.key]),
        "theme": reverse("plans:theme", args=[plan.key, theme.key]),
        "round": reverse("plans:round", args=[plan.key, reporting_round.pk]),
        "round_pdf": reverse("plans:round_pdf", args=[plan.key, reporting_round.pk]),
        "target": reverse("plans:target", args=[f"{plan.key[0]}-target"]),
        "indicators": reverse("plans:indicators"),
        "indicator": reverse("plans:indicator", args=[indicator]),
        "municipalities": reverse("plans:municipalities"),
    }


# What each persona gets: (the public municipality's approved plan and approved round),
# (its round in progress), (the private municipality's draft plan and its rounds).
EXPECTED = {
    "anonymous": {"public": OK, "public draft round": HIDDEN, "private": HIDDEN},
    "committee of the private": {"public": OK, "public draft round": HIDDEN, "private": HIDDEN},
    "analyst of the private": {"public": OK, "public draft round": HIDDEN, "private": OK},
    "analyst of the public": {"public": OK, "public draft round": OK, "private": HIDDEN},
    "superuser": {"public": OK, "public draft round": OK, "private": OK},
}
ALWAYS_OPEN = {
    "start",
    "indicators",
    "municipalities",
}  # lists: their contents are scoped, the page is not
# A municipality's local indicator is not a draft: every member of it may read it.
MEMBERS_OF_THE_PRIVATE = {"committee of the private", "analyst of the private", "superuser"}


def test_every_page_is_in_the_matrix():
    names = {pattern.name for pattern in urlpatterns}
    committee_pages = {"start", "plan", "plan_pdf", "theme", "round", "round_pdf", "target",
                       "indicators", "indicator", "municipalities"}  # fmt: skip
    assert names == (
        committee_pages | set(FIGURE_PAGES) | set(MUNICIPALITY_PAGES) | set(MEMBER_PAGES)
    )


# The analyst's figure pages: status code per persona (302: to the login page).
FIGURE_PAGES = {
    "import_upload": {"anonymous": 302, "committee of the private": 403,
                      "analyst of the private": OK, "analyst of the public": OK, "superuser": OK},
    "import_template": {persona: OK for persona in EXPECTED},
    # the private municipality's draft plan: its new-round form and its round in progress
    "round_create": {"anonymous": 302, "committee of the private": HIDDEN,
                     "analyst of the private": OK, "analyst of the public": HIDDEN,
                     "superuser": OK},
    "round_work": {"anonymous": 302, "committee of the private": HIDDEN,
                   "analyst of the private": OK, "analyst of the public": HIDDEN, "superuser": OK},
    # submitting it: the list of targets not met without a narrative, and the button
    "round_submit": {"anonymous": 302, "committee of the private": HIDDEN,
                     "analyst of the private": OK, "analyst of the public": HIDDEN,
                     "superuser": OK},
    # defining plans, focus areas and indicators: administrators only
    "plan_new": {"anonymous": 302, "committee of the private": 403,
                 "analyst of the private": 403, "analyst of the public": 403, "superuser": OK},
    # "Ny plan ud fra denne": the private municipality's administrators
    "plan_copy": {"anonymous": 302, "committee of the private": HIDDEN,
                  "analyst of the private": 403, "analyst of the public": HIDDEN,
                  "superuser": OK},
    "plan_edit": {"anonymous": 302, "committee of the private": HIDDEN,
                  "analyst of the private": 403, "analyst of the public": HIDDEN,
                  "superuser": OK},
    "theme_new": {"anonymous": 302, "committee of the private": HIDDEN,
                  "analyst of the private": 403, "analyst of the public": HIDDEN,
                  "superuser": OK},
    "theme_edit": {"anonymous": 302, "committee of the private": HIDDEN,
                   "analyst of the private": 403, "analyst of the public": HIDDEN,
                   "superuser": OK},
    "indicator_new": {"anonymous": 302, "committee of the private": 403,
                      "analyst of the private": 403, "analyst of the public": 403,
                      "superuser": OK},
    "indicator_edit": {"anonymous": 302, "committee of the private": 403,
                       "analyst of the private": 403, "analyst of the public": 403,
                       "superuser": OK},
    # defining targets of the private municipality's draft plan: its administrators only
    "target_new": {"anonymous": 302, "committee of the private": HIDDEN,
                   "analyst of the private": 403, "analyst of the public": HIDDEN,
                   "superuser": OK},
    "target_edit": {"anonymous": 302, "committee of the private": HIDDEN,
                    "analyst of the private": 403, "analyst of the public": HIDDEN,
                    "superuser": OK},
    "target_history": {"anonymous": 302, "committee of the private": HIDDEN,
                       "analyst of the private": 403, "analyst of the public": HIDDEN,
                       "superuser": OK},
    "target_revise": {"anonymous": 302, "committee of the private": HIDDEN,
                      "analyst of the private": 403, "analyst of the public": HIDDEN,
                      "superuser": 302},
    # the private municipality's (draft) plan's data-entry grid
    "figures": {"anonymous": 302, "committee of the private": HIDDEN,
                "analyst of the private": OK, "analyst of the public": HIDDEN, "superuser": OK},
    # someone's import: only its uploader (the private analyst) and a superuser
    "import": {"anonymous": 302, "committee of the private": HIDDEN,
               "analyst of the private": OK, "analyst of the public": HIDDEN, "superuser": OK},
    "import_status": {"anonymous": 302, "committee of the private": HIDDEN,
                      "analyst of the private": OK, "analyst of the public": HIDDEN,
                      "superuser": OK},
    "import_commit": {"anonymous": 302, "committee of the private": HIDDEN,
                      "analyst of the private": 302, "analyst of the public": HIDDEN,
                      "superuser": 302},
    # the jobindsats.dk tables: superusers and municipalities' administrators read the page
    # (tests/test_jobindsats.py: an administrator); only superusers start a sync (POST)
    "sources": {"anonymous": 302, "committee of the private": 403,
                "analyst of the private": 403, "analyst of the public": 403, "superuser": OK},
    # superusers only, and only with a jobindsats.dk key (the test settings have none;
    # tests/test_jobindsats.py starts a sync with one)
    "source_sync": {"anonymous": 302, "committee of the private": 403,
                    "analyst of the private": 403, "analyst of the public": 403,
                    "superuser": 403},
    # approving the round in progress from its own page (POST; last: it freezes the round)
    "round_approve": {"anonymous": 302, "committee of the private": HIDDEN,
                      "analyst of the private": 403, "analyst of the public": HIDDEN,
                      "superuser": 302},
}  # fmt: skip
POSTED = {"import_commit", "source_sync", "round_approve"}


# A municipality's own settings, here the private municipality's: its comparable
# municipalities, and its settings page (committees, public dashboards): its administrators
# and superusers only, whatever else a role may read. GET, and a POST (MUNICIPALITY_POSTS: one
# that names Guldborgsund, one that adds a committee and makes the dashboards public; 302:
# saved and back to the form; for anonymous, to the login page).
SETTINGS_ROLES = {"anonymous": (302, 302), "committee of the private": (403, 403),
                  "analyst of the private": (403, 403), "analyst of the public": (403, 403),
                  "administrator of the private": (OK, 302),
                  "administrator of the public": (403, 403), "superuser": (OK, 302)}  # fmt: skip
MUNICIPALITY_PAGES = {
    "comparables": SETTINGS_ROLES,
    "municipality_settings": SETTINGS_ROLES,
}
MUNICIPALITY_POSTS = {
    "comparables": [{"comparables": ["guldborgsund"]}],
    "municipality_settings": [
        {"action": "committee_new", "new-name": "Beskæftigelsesudvalget", "new-short_name": "BEU"},
        {"action": "public_dashboards", "public-public_dashboards": "on"},
    ],
}


@pytest.mark.parametrize("persona", list(MUNICIPALITY_PAGES["comparables"]))
def test_municipality_pages_for_every_role(client, world, persona):
    from kpis.models import Area

    _pages, personas = world
    if personas[persona]:
        client.force_login(personas[persona])
    ringsted = Area.objects.get(name="Ringsted")
    failures = []
    for name, expected in MUNICIPALITY_PAGES.items():
        url = reverse(f"plans:{name}", args=[ringsted.slug])
        for data in MUNICIPALITY_POSTS[name]:
            got = (client.get(url).status_code, client.post(url, data).status_code)
            if got != expected[persona]:
                failures.append(f"{persona}: {name} gave {got}, not {expected[persona]}")
    # A refused write changed nothing.
    allowed = expected[persona][1] == 302 and bool(personas[persona])
    saved = list(ringsted.comparables.values_list("slug", flat=True))
    assert saved == (["guldborgsund"] if allowed else [])
    committees = list(ringsted.committees.values_list("short_name", flat=True))
    assert committees == (["BEU"] if allowed else [])
    assert Area.objects.get(pk=ringsted.pk).public_dashboards == allowed
    assert not failures, "\n".join(failures)


# The members pages (plans/members/), on the private municipality: its members page (GET), a
# change of its committee member's role (POST), withdrawing an invitation to it (POST); the
# index of the municipalities one manages; an invitation's link (anyone holding it); the
# tokens page (anyone signed in) and revoking the private analyst's token (only its owner).
# Administrators and superusers only, as for the comparables; 403 for everyone else, and 404
# for an object that is not the user's (another's token).
ADMINS_ONLY = {"anonymous": 302, "committee of the private": 403, "analyst of the private": 403,
               "analyst of the public": 403, "administrator of the private": OK,
               "administrator of the public": 403, "superuser": OK}  # fmt: skip
MEMBER_PAGES = {
    "members_index": {**ADMINS_ONLY, "administrator of the private": 302,
                      "administrator of the public": 302},  # straight to their only one
    "members": ADMINS_ONLY,
    "member_change": {**ADMINS_ONLY, "administrator of the private": 302, "superuser": 302},
    "invitation": {persona: OK for persona in ADMINS_ONLY},  # before it is withdrawn
    "invitation_withdraw": {**ADMINS_ONLY, "administrator of the private": 302,
                            "superuser": 302},
    "tokens": {**{persona: OK for persona in ADMINS_ONLY}, "anonymous": 302},
    "token_revoke": {**{persona: HIDDEN for persona in ADMINS_ONLY}, "anonymous": 302,
                     "analyst of the private": 302},
}  # fmt: skip
MEMBER_POSTS = {"member_change": {"role": "analyst"}, "invitation_withdraw": {},
                "token_revoke": {}}  # fmt: skip


@pytest.mark.parametrize("persona", list(ADMINS_ONLY))
def test_member_pages_for_every_role(client, world, persona):
    from kpis.models import Area
    from plans.members import services as member_services
    from plans.members.models import ApiToken, Invitation

    _pages, personas = world
    ringsted = Area.objects.get(name="Ringsted")
    committee = Membership.objects.get(user=personas["committee of the private"])
    invitation = member_services.invitation_send(
        municipality=ringsted, email="ny@ringsted.dk", role="analyst",
        by=personas["administrator of the private"], base_url="http://testserver/",
    )  # fmt: skip
    from django.core import mail

    token = mail.outbox[-1].body.split("/invitation/")[1].split("/")[0]
    api_token, _key = member_services.token_create(
        user=personas["analyst of the private"], name="nøgle"
    )
    args = {"members_index": [], "members": [ringsted.slug],
            "member_change": [ringsted.slug, committee.pk],
            "invitation_withdraw": [ringsted.slug, invitation.pk], "invitation": [token],
            "tokens": [], "token_revoke": [api_token.pk]}  # fmt: skip
    if personas[persona]:
        client.force_login(personas[persona])
    failures = []
    for name, expected in MEMBER_PAGES.items():
        url = reverse(f"plans:{name}", args=args[name])
        if name in MEMBER_POSTS:
            got = client.post(url, MEMBER_POSTS[name]).status_code
        else:
            got = client.get(url).status_code
        if got != expected[persona]:
            failures.append(f"{persona}: {name} gave {got}, not {expected[persona]}")
    assert not failures, "\n".join(failures)
    # A refused write changed nothing.
    changed = MEMBER_PAGES["member_change"][persona] == 302 and personas[persona]
    assert Membership.objects.get(pk=committee.pk).role == ("analyst" if changed else "committee")
    withdrawn = Invitation.objects.get(pk=invitation.pk).revoked_at is not None
    assert withdrawn == bool(changed)
    revoked = ApiToken.objects.get(pk=api_token.pk).revoked_at is not None
    assert revoked == (persona == "analyst of the private")


def page_args(name, pages, batch):
    """The URL arguments of an analyst's or administrator's page, on the private side."""
    plan, theme, draft, _approved = pages["private"]
    return {
        "import_upload": [], "import_template": [], "plan_new": [], "indicator_new": [],
        "import": [batch.pk], "import_status": [batch.pk], "import_commit": [batch.pk],
        "figures": [plan.key], "round_create": [plan.key], "target_new": [plan.key],
        "plan_edit": [plan.key], "theme_new": [plan.key],
        "round_work": [plan.key, draft.pk], "round_submit": [plan.key, draft.pk],
        "round_approve": [plan.key, draft.pk], "plan_copy": [plan.key],
        "theme_edit": [plan.key, theme.key],
        "target_edit": [plan.key, "r-target"], "target_revise": [plan.key, "r-target"],
        "target_history": [plan.key, "r-target"],
        "indicator_edit": ["ringsted-lokal"],
        "sources": [], "source_sync": [SourceTable.objects.get_or_create(table_id="y25i03")[0].pk],
    }[name]  # fmt: skip


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_figure_pages_for_every_role(client, world, persona):
    from kpis import services as kpi_services

    pages, personas = world
    batch = kpi_services.import_upload(
        user=personas["analyst of the private"], filename="tal.csv",
        content="indikator;område;periode;værdi\nunge;Ringsted;2023;1\n".encode(),
    )  # fmt: skip
    if personas[persona]:
        client.force_login(personas[persona])
    failures = []
    for name, expected in FIGURE_PAGES.items():
        args = page_args(name, pages, batch)
        url = reverse(f"plans:{name}", args=args)
        got = (client.post(url) if name in POSTED else client.get(url)).status_code
        if got != expected[persona]:
            failures.append(f"{persona}: {name} gave {got}, not {expected[persona]}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_every_page_for_every_role(client, world, persona):
    pages, personas = world
    if personas[persona]:
        client.force_login(personas[persona])
    failures = []
    for situation, side, which_round in [
        ("public", "public", "approved"),
        ("public draft round", "public", "draft"),
        ("private", "private", "approved"),
    ]:
        for name, url in urls(pages, side, which_round).items():
            if situation == "public draft round" and name not in {"round", "round_pdf"}:
                continue
            expected = OK if name in ALWAYS_OPEN else EXPECTED[persona][situation]
            if name == "indicator" and side == "private":
                expected = OK if persona in MEMBERS_OF_THE_PRIVATE else HIDDEN
            got = client.get(url).status_code
            if got != expected:
                failures.append(f"{persona}: {name} ({situation}) {url} gave {got}, not {expected}")
    assert not failures, "\n".join(failures)


def test_lists_show_only_what_the_user_may_see(client, world):
    pages, personas = world
    start = client.get("/").content.decode()
    assert "Plan g" in start and "Plan r" not in start
    indicator = client.get(reverse("plans:indicator", args=["unge"])).content.decode()
    assert "969" in indicator and "5.555" not in indicator  # Ringsted's figure stays private
    listing = client.get(reverse("plans:indicators")).content.decode()
    assert "Ringsted-lokal" not in listing
    client.force_login(personas["analyst of the private"])
    assert "Plan r" in client.get("/").content.decode()
    assert "5.555" in client.get(reverse("plans:indicator", args=["unge"])).content.decode()


def _measured_by(listing: str, indicator_key: str) -> str:
    """The list's count of municipalities measuring the indicator."""
    row = re.search(rf'href="/indicators/{indicator_key}/">.*?</tr>', listing, re.S)
    return re.findall(r'<td class="num">([^<]*)</td>', row.group(0))[0]


def test_indicator_list_counts_only_the_municipalities_the_user_may_see(client, world):
    pages, personas = world
    ringsted = Membership.objects.filter(user=personas["analyst of the private"]).get().municipality
    listing = client.get(reverse("plans:indicators")).content.decode()
    assert _measured_by(listing, "unge") == "1"  # Guldborgsund; Ringsted's figure is private
    client.force_login(personas["analyst of the private"])
    listing = client.get(reverse("plans:indicators")).content.decode()
    assert _measured_by(listing, "unge") == "2"
    assert _measured_by(listing, "ringsted-lokal") == "0"
    filtered = client.get(reverse("plans:indicators"), {"kommune": ringsted.pk}).content.decode()
    assert "/indicators/unge/" in filtered and "/indicators/ringsted-lokal/" in filtered


def test_exports_follow_the_page_they_belong_to(client, world):
    pages, personas = world
    plan = pages["private"][0]
    url = reverse("plans:plan", args=[plan.key])
    assert client.get(url, {"export": "csv"}).status_code == HIDDEN
    client.force_login(personas["analyst of the private"])
    assert client.get(url, {"export": "csv"}).status_code == OK


def test_a_target_page_hides_narratives_of_rounds_in_progress(client, world):
    pages, personas = world
    plan, _theme, draft, approved = pages["public"]
    target = plan.targets.get()
    services.narrative_write(target=target, reporting_round=draft, text="Udkast til status")
    page = client.get(reverse("plans:target", args=[target.key])).content.decode()
    assert "Udkast til status" not in page
    client.force_login(personas["analyst of the public"])
    page = client.get(reverse("plans:target", args=[target.key])).content.decode()
    assert "Udkast til status" in page


def test_failed_logins_are_throttled(client, django_user_model):
    django_user_model.objects.create_user("analytiker", password="rigtig-kode-1")
    for _attempt in range(4):
        response = client.post(reverse("login"), {"username": "analytiker", "password": "forkert"})
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
    fifth = client.post(reverse("login"), {"username": "analytiker", "password": "forkert"})
    assert fifth.status_code == 429
    locked = client.post(reverse("login"), {"username": "analytiker", "password": "rigtig-kode-1"})
    assert locked.status_code == 429
    assert "For mange mislykkede" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_login_opens_the_members_pages(client, django_user_model):
    municipality = make_municipality("Ringsted", "329")
    user = django_user_model.objects.create_user("analytiker", password="rigtig-kode-1")
    Membership.objects.create(user=user, municipality=municipality, role="analyst")
    services.plan_create(
        municipality=municipality, key="udkast", title="Udkast", kind="employment_plan",
        start_year=2023, end_year=2023,
    )  # fmt: skip
    assert client.get(reverse("plans:plan", args=["udkast"])).status_code == HIDDEN
    response = client.post(
        reverse("login"), {"username": "analytiker", "password": "rigtig-kode-1", "next": "/"}
    )
    assert response.status_code == 302
    assert client.get(reverse("plans:plan", args=["udkast"])).status_code == OK
