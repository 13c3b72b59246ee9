"""Reporting rounds: what a committee approved stays as approved."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from plans import services
from plans.models import RoundResult, Target
from tests.builders import make_plan, make_theme_with_targets, record

pytestmark = pytest.mark.django_db


def card_html(page, target):
    html = page.content.decode()
    card = html[html.index(f'id="card-{target.key}') :]
    return card[: card.index("</article>")]


@pytest.fixture
def approved(django_capture_on_commit_callbacks):
    """A plan with one target (Minimum 12 %, revised to 11 % from June), its figures for
    January to April 2023, and a round approved with cut-off 31 March 2023."""
    plan, _theme = make_theme_with_targets(1, n_periods=4)
    reporting_round = services.round_create(
        plan=plan, name="Status marts 2023", cut_off=date(2023, 3, 31)
    )
    services.round_approve(reporting_round=reporting_round, today=date(2023, 4, 15))
    return plan, reporting_round, Target.objects.get()


def test_an_approved_round_keeps_its_statuses_when_figures_are_revised(
    analyst_client, approved, django_capture_on_commit_callbacks
):
    plan, reporting_round, target = approved
    client = analyst_client(plan.municipality)
    url = reverse("plans:round", args=[plan.key, reporting_round.pk])
    before = card_html(client.get(url), target)
    assert "13,0 %" in before  # March 2023: "13,0"
    with django_capture_on_commit_callbacks(execute=True):
        record(target.indicator, plan.municipality, "2023M03", "9,5")  # revised later
    after = card_html(client.get(url), target)
    assert after == before
    assert "Godkendt" in client.get(url).content.decode()
    assert RoundResult.objects.get(round=reporting_round).current_value == Decimal("13.0")


def test_a_round_is_approved_once_and_its_narratives_are_then_locked(approved):
    _plan, reporting_round, target = approved
    with pytest.raises(services.RoundFrozen):
        services.round_approve(reporting_round=reporting_round)
    with pytest.raises(services.RoundFrozen):
        services.narrative_write(target=target, reporting_round=reporting_round, text="Ændret")


def test_a_round_not_yet_approved_is_interim_while_its_cut_off_lies_ahead(analyst_client):
    plan, _theme = make_theme_with_targets(1, n_periods=4)
    client = analyst_client(plan.municipality)
    target = Target.objects.get()
    Target.objects.update(deadline=date(2099, 12, 31))
    future = services.round_create(plan=plan, name="Afrapportering 2099", cut_off=date(2099, 3, 1))
    card = card_html(client.get(reverse("plans:round", args=[plan.key, future.pk])), target)
    assert "Foreløbig" in card  # not a final verdict: the cut-off has not come
    assert "Prognose" in card


def test_the_card_shows_the_revised_target_in_force(analyst_client):
    plan, _theme = make_theme_with_targets(1)
    client = analyst_client(plan.municipality)
    target = Target.objects.get()
    page = client.get(reverse("plans:target", args=[target.key]))
    card = card_html(page, target)
    assert "Minimum 12 %" in card  # the original wording stays
    assert "Justeret" in card and "11,0 % fra 1. juni 2023" in card
    assert "mod mindst 11,0 %" in card  # and the status was computed against the revision


def test_tolerance_of_a_share_is_shown_in_percentage_points(analyst_client):
    plan, _theme = make_theme_with_targets(1)
    client = analyst_client(plan.municipality)
    Target.objects.update(tolerance=Decimal("0.5"))
    target = Target.objects.get()
    page = client.get(reverse("plans:target", args=[target.key])).content.decode()
    assert "0,5 %-point" in page


def test_a_target_cannot_sit_in_another_plans_focus_area():
    plan, theme = make_theme_with_targets(1, key="one")
    other = make_plan(plan.municipality, key="other")
    with pytest.raises(ValidationError):
        services.target_create(
            plan=other,
            focus_areas=[theme],
            key="stray",
            title="Strejfer",
            wording="Maksimalt 5",
            kind="threshold",
            bound="at_most",
            target_value=Decimal(5),
            deadline=date(2023, 12, 31),
            indicator=Target.objects.first().indicator,
        )
    assert not Target.objects.filter(key="stray").exists()


def test_a_figure_revised_after_an_approved_round_is_marked_revised(
    analyst_client, approved, django_capture_on_commit_callbacks
):
    plan, _reporting_round, target = approved
    client = analyst_client(plan.municipality)
    page = client.get(reverse("plans:target", args=[target.key])).content.decode()
    assert "(revideret)" not in page
    record(target.indicator, plan.municipality, "2023M02", "9,5")  # after the approval
    page = client.get(reverse("plans:target", args=[target.key])).content.decode()
    assert "9,5 % (revideret)" in page
    assert page.count("(revideret)") == 1
