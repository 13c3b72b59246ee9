"""Administrators of a municipality define its plans, focus areas, guideposts, initiatives and
local indicators in the portal; shared indicators are a superuser's."""

import pytest
from django.urls import reverse

from kpis.models import Indicator
from plans.models import FocusArea, Membership, Plan
from tests.builders import make_municipality, make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client, member):
    guldborgsund = make_municipality()
    client.force_login(member(guldborgsund, Membership.Role.ADMIN))
    return guldborgsund


def management(prefix, total=1, initial=0):
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}  # fmt: skip


def test_an_administrator_creates_a_plan_for_their_municipality(client, admin):
    url = reverse("plans:plan_new") + f"?municipality={admin.pk}"
    response = client.post(url, {
        "title": "Udvalgsstrategi", "kind": "committee_strategy", "start_year": "2023",
        "end_year": "2025", "approval_state": "draft", "approved_on": "", "approved_by": "",
        "summary": "", "committee": "",
    })  # fmt: skip
    plan = Plan.objects.get()
    assert response["Location"] == reverse("plans:plan", args=[plan.key])
    assert plan.municipality == admin and plan.key == "guldborgsund-udvalgsstrategi-2023"
    refused = client.post(url, {"title": "X", "kind": "employment_plan", "start_year": "2025",
                                "end_year": "2023", "approval_state": "draft"})  # fmt: skip
    assert refused.status_code == 200 and Plan.objects.count() == 1


def test_a_plans_key_keeps_danish_letters_and_does_not_repeat_its_year(client, member):
    aeroe = make_municipality("Ærø", "492")
    client.force_login(member(aeroe, Membership.Role.ADMIN))
    url = reverse("plans:plan_new") + f"?municipality={aeroe.pk}"
    for _ in range(2):
        client.post(url, {
            "title": "Beskæftigelsesplan 2024", "kind": "employment_plan", "start_year": "2024",
            "end_year": "2024", "approval_state": "draft", "committee": "",
        })  # fmt: skip
    assert sorted(Plan.objects.values_list("key", flat=True)) == [
        "aeroe-beskaeftigelsesplan-2024",
        "aeroe-beskaeftigelsesplan-2024-2",
    ]


def test_a_focus_area_is_saved_with_its_guideposts_and_initiatives(client, admin):
    plan = make_plan(admin)
    data = {"number": "1", "title": "Et godt erhvervsklima", "intro": "", "order": "0",
            "guideposts-0-text": "Vi vil samarbejde med virksomhederne", "guideposts-0-order": "0",
            "initiatives-0-title": "Ungegaranti", "initiatives-0-body": "16 **partnerskaber**",
            "initiatives-0-key_facts": "16 partnerskaber\n\nEffekt på 40 pct.",
            "initiatives-0-order": "0",
            **management("guideposts"), **management("initiatives")}  # fmt: skip
    response = client.post(reverse("plans:theme_new", args=[plan.key]), data)
    theme = FocusArea.objects.get()
    assert response["Location"] == reverse("plans:theme", args=[plan.key, theme.key])
    assert theme.guideposts.get().text == "Vi vil samarbejde med virksomhederne"
    initiative = theme.initiatives.get()
    assert initiative.key_facts == ["16 partnerskaber", "Effekt på 40 pct."]
    page = client.get(response["Location"]).content.decode()
    assert "<strong>partnerskaber</strong>" in page and "Effekt på 40 pct." in page
    assert theme.history.count() == 1 and initiative.history.count() == 1


def test_a_bad_row_saves_nothing_of_the_focus_area(client, admin):
    plan = make_plan(admin)
    data = {"number": "1", "title": "Tema", "intro": "", "order": "0",
            "guideposts-0-text": "Vi vil …", "guideposts-0-order": "x",
            **management("guideposts"), **management("initiatives", total=0)}  # fmt: skip
    response = client.post(reverse("plans:theme_new", args=[plan.key]), data)
    assert response.status_code == 200 and "Indtast et heltal" in response.content.decode()
    assert not FocusArea.objects.exists()


def test_local_indicators_are_the_municipalitys_and_shared_ones_a_superusers(client, admin):
    url = reverse("plans:indicator_new")
    fields = {"name": "Virksomhedernes tilfredshed", "description": "", "unit": "percent",
              "decimals": "1", "direction": "higher", "data_source": "Egen måling"}  # fmt: skip
    shared = client.post(url, {**fields, "owner": ""})
    assert shared.status_code == 200 and not Indicator.objects.exists()
    client.post(url, {**fields, "owner": admin.pk})
    indicator = Indicator.objects.get()
    assert indicator.owner == admin and indicator.key == "guldborgsund-virksomhedernes-tilfredshed"
    other = Indicator.objects.create(key="unge", name="Unge", unit="count", direction="lower")
    assert client.get(reverse("plans:indicator_edit", args=[other.key])).status_code == 403


def test_analysts_and_committee_members_do_not_define(client, member):
    guldborgsund = make_municipality()
    plan = make_plan(guldborgsund)
    for role in (Membership.Role.ANALYST, Membership.Role.COMMITTEE):
        client.force_login(member(guldborgsund, role, username=role))
        assert client.get(reverse("plans:plan_new")).status_code == 403
        assert client.get(reverse("plans:indicator_new")).status_code == 403
        assert client.get(reverse("plans:theme_new", args=[plan.key])).status_code in (403, 404)
