"""Analysts write narratives and submit a round; an administrator approves and freezes it."""

from datetime import date

import pytest
from django.urls import reverse

from plans.models import Membership, ReportingRound, RoundResult, StatusNarrative
from plans.services import round_create
from tests.builders import make_theme_with_targets

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_round():
    plan, _theme = make_theme_with_targets(2, n_periods=3)
    reporting_round = round_create(plan=plan, name="Status marts 2023", cut_off=date(2023, 3, 31))
    return plan, reporting_round


def work_url(plan, reporting_round):
    return reverse("plans:round_work", args=[plan.key, reporting_round.pk])


def test_an_analyst_writes_narratives_and_submits(client, member, draft_round):
    plan, reporting_round = draft_round
    client.force_login(member(plan.municipality, Membership.Role.ANALYST))
    page = client.get(work_url(plan, reporting_round)).content.decode()
    assert "Statusbeskrivelse: Plan-indicator-0" in page
    first, second = plan.targets.order_by("pk")
    response = client.post(
        work_url(plan, reporting_round),
        {
            f"n-{first.pk}": "Status marts: **stigende** <script>alert(1)</script>",
            f"n-{second.pk}": "",
            "action": "submit",
        },  # fmt: skip
    )
    assert response.status_code == 302
    narrative = StatusNarrative.objects.get(target=first)
    assert narrative.author.username == "analyst-guldborgsund"
    assert not StatusNarrative.objects.filter(target=second).exists()
    reporting_round.refresh_from_db()
    assert reporting_round.state == "submitted"
    shown = client.get(reverse("plans:round", args=[plan.key, reporting_round.pk])).content
    assert b"<strong>stigende</strong>" in shown and b"<script>alert(1)" not in shown


def test_only_an_administrator_approves_and_approval_freezes(client, member, draft_round):
    plan, reporting_round = draft_round
    client.force_login(member(plan.municipality, Membership.Role.ANALYST))
    denied = client.post(work_url(plan, reporting_round), {"action": "approve"})
    assert denied.status_code == 403
    assert "Gem, godkend og lås" not in client.get(work_url(plan, reporting_round)).content.decode()

    client.force_login(member(plan.municipality, Membership.Role.ADMIN, username="chef"))
    target = plan.targets.first()
    client.post(
        work_url(plan, reporting_round), {f"n-{target.pk}": "Godkendt tekst", "action": "approve"}
    )
    reporting_round.refresh_from_db()
    assert reporting_round.state == "approved" and reporting_round.approved_by.username == "chef"
    assert RoundResult.objects.filter(round=reporting_round).count() == 2
    # once approved, the work page only shows the frozen round
    assert client.get(work_url(plan, reporting_round)).status_code == 302


def test_a_committee_member_cannot_write(client, member, draft_round):
    plan, reporting_round = draft_round
    client.force_login(member(plan.municipality, Membership.Role.COMMITTEE))
    assert client.get(work_url(plan, reporting_round)).status_code == 404  # rounds in progress


def test_a_too_long_narrative_saves_nothing_and_keeps_the_text(client, member, draft_round):
    plan, reporting_round = draft_round
    client.force_login(member(plan.municipality))
    first, second = plan.targets.order_by("pk")
    response = client.post(
        work_url(plan, reporting_round),
        {f"n-{first.pk}": "x" * 20_001, f"n-{second.pk}": "Kort tekst", "action": "save"},
    )
    assert response.status_code == 400
    assert "Højst 20000 tegn." in response.content.decode()
    assert "Kort tekst" in response.content.decode()
    assert not StatusNarrative.objects.exists()


def test_an_analyst_creates_a_round(client, member, draft_round):
    plan, _reporting_round = draft_round
    client.force_login(member(plan.municipality))
    response = client.post(
        reverse("plans:round_create", args=[plan.key]),
        {"name": "Afrapportering for 2023", "cut_off": "2024-03-31", "deadline": "2024-04-15"},
    )
    created = ReportingRound.objects.get(name="Afrapportering for 2023")
    assert response["Location"] == work_url(plan, created)
    assert created.state == "draft" and created.deadline == date(2024, 4, 15)
    bad = client.post(
        reverse("plans:round_create", args=[plan.key]), {"name": "X", "cut_off": "31-03"}
    )
    assert bad.status_code == 200 and "Indtast en gyldig dato" in bad.content.decode()


def test_a_duplicate_round_name_is_a_form_error_not_a_crash(client, member, draft_round):
    plan, reporting_round = draft_round
    client.force_login(member(plan.municipality))
    response = client.post(reverse("plans:round_create", args=[plan.key]),
                           {"name": reporting_round.name, "cut_off": "2024-03-31",
                            "deadline": "2024-04-15"})  # fmt: skip
    assert response.status_code == 200
    assert ReportingRound.objects.filter(name=reporting_round.name).count() == 1
    assert "allerede" in response.content.decode()  # "… eksisterer allerede."


def test_approving_twice_is_told_not_a_crash(client, member, draft_round):
    plan, reporting_round = draft_round
    client.force_login(member(plan.municipality, Membership.Role.ADMIN, username="chef"))
    from plans.services import round_approve

    round_approve(reporting_round=reporting_round)  # a colleague approved it a moment ago
    ReportingRound.objects.filter(pk=reporting_round.pk).update(state="draft")  # a stale page
    response = client.post(work_url(plan, reporting_round), {"action": "approve"}, follow=True)
    assert response.status_code == 200 and "allerede godkendt" in response.content.decode()
