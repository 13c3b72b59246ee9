"""Analysts type figures in a grid: Danish numbers, checked, saved together; a second analyst
saving the same figure is told, and nothing is lost silently."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from kpis.models import Indicator, Measurement
from plans.models import Membership, TargetStatus
from tests.builders import (
    make_indicator,
    make_municipality,
    make_plan,
    make_target,
    record,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan_with_share(guldborgsund, country, member):
    """Guldborgsund's plan with one share target (Minimum 12 %, quarterly), Q1 2023 typed."""
    share = make_indicator("opkvalificering", unit=Indicator.Unit.PERCENT, decimals=1)
    plan = make_plan(guldborgsund)
    target = make_target(
        plan, share, key="opkval", wording="Minimum 12 %", bound="at_least",
        target_value=Decimal(12), period_kind="quarter", deadline=date(2023, 12, 31),
    )  # fmt: skip
    record(share, guldborgsund, "2023Q1", "11,3")
    return plan, share, target, member(guldborgsund, Membership.Role.ANALYST)


def grid_url(plan):
    return reverse("plans:figures", args=[plan.key]) + "?kind=quarter&year=2023"


def form_of(html):
    """Every input of the grid form, as a browser would send it untouched."""
    form = html[html.index('class="figure-grid"') :]
    pattern = r'<input type="(?:text|hidden)"[^>]*?name="([^"]+)"[^>]*?value="([^"]*)"'
    return dict(re.findall(pattern, form))


def cell(plan, indicator, area_name, period):
    from kpis.models import Area

    return f"c-{indicator.pk}-{Area.objects.get(name=area_name).pk}-{period}"


def test_the_grid_shows_the_figures_in_danish(client, plan_with_share):
    plan, share, _target, analyst = plan_with_share
    client.force_login(analyst)
    html = client.get(grid_url(plan)).content.decode()
    assert "1. kvartal 2023" in html and "4. kvartal 2023" in html
    assert "Hele landet" in html and "RAR Sjælland" in html
    assert form_of(html)[cell(plan, share, "Guldborgsund", "2023Q1")] == "11,3"


def test_typed_figures_are_saved_together_and_statuses_follow(
    client, plan_with_share, django_capture_on_commit_callbacks
):
    plan, share, target, analyst = plan_with_share
    client.force_login(analyst)
    data = form_of(client.get(grid_url(plan)).content.decode())
    data[cell(plan, share, "Guldborgsund", "2023Q2")] = "12,5"
    data[cell(plan, share, "Hele landet", "2023Q2")] = "10,0"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(grid_url(plan), data)
    assert "Gemt: 2 nye, 0 ændrede" in response.content.decode()
    assert Measurement.objects.count() == 3
    status = TargetStatus.objects.get(target=target)
    assert (status.status, status.current_value) == ("met", Decimal("12.5"))


@pytest.mark.parametrize(
    ("typed", "message"),
    [("12.5", "ikke et tal i dansk format"), ("120", "en andel er højst 100"),
     ("-1", "under 0")],
)  # fmt: skip
def test_a_bad_figure_saves_nothing_and_keeps_what_was_typed(
    client, plan_with_share, typed, message
):
    plan, share, _target, analyst = plan_with_share
    client.force_login(analyst)
    data = form_of(client.get(grid_url(plan)).content.decode())
    good = cell(plan, share, "Hele landet", "2023Q2")
    bad = cell(plan, share, "Guldborgsund", "2023Q2")
    data[good], data[bad] = "10,0", typed
    html = client.post(grid_url(plan), data).content.decode()
    assert message in html and "Intet blev gemt" in html
    kept = form_of(html)
    assert (kept[good], kept[bad]) == ("10,0", typed)
    assert Measurement.objects.count() == 1


def test_a_second_analyst_saving_the_same_figure_is_told(client, plan_with_share, member):
    plan, share, _target, first = plan_with_share
    second = member(plan.municipality, Membership.Role.ADMIN, username="kollega")
    q1 = cell(plan, share, "Guldborgsund", "2023Q1")
    q2 = cell(plan, share, "Guldborgsund", "2023Q2")
    client.force_login(first)
    mine = form_of(client.get(grid_url(plan)).content.decode())
    client.force_login(second)
    theirs = form_of(client.get(grid_url(plan)).content.decode())
    theirs[q1] = "11,8"
    client.post(grid_url(plan), theirs)  # the colleague saves first

    client.force_login(first)
    mine[q1], mine[q2] = "11,5", "12,0"
    html = client.post(grid_url(plan), mine).content.decode()
    assert "Ændret til 11,8 % af kollega" in html and "Intet blev gemt" in html
    assert Measurement.objects.get(period__start=date(2023, 1, 1)).value == Decimal("11.8")
    assert not Measurement.objects.filter(period__start=date(2023, 4, 1)).exists()
    # Having seen the colleague's figure, saving again overwrites it on purpose.
    again = form_of(html)
    assert again[q1] == "11,5"
    client.post(grid_url(plan), again)
    assert Measurement.objects.get(period__start=date(2023, 1, 1)).value == Decimal("11.5")


def test_a_cell_left_alone_is_not_a_conflict(client, plan_with_share, member):
    plan, share, _target, first = plan_with_share
    client.force_login(first)
    mine = form_of(client.get(grid_url(plan)).content.decode())
    record(share, plan.municipality, "2023Q1", "11,9")  # someone else, meanwhile
    mine[cell(plan, share, "Guldborgsund", "2023Q2")] = "12,0"
    html = client.post(grid_url(plan), mine).content.decode()
    assert "Gemt: 1 nye" in html
    assert Measurement.objects.get(period__start=date(2023, 1, 1)).value == Decimal("11.9")


def test_clearing_a_cell_is_refused_so_the_figures_history_stays(client, plan_with_share):
    plan, share, _target, analyst = plan_with_share
    client.force_login(analyst)
    data = form_of(client.get(grid_url(plan)).content.decode())
    data[cell(plan, share, "Guldborgsund", "2023Q1")] = ""
    html = client.post(grid_url(plan), data).content.decode()
    assert "Et tal kan ikke slettes her" in html
    assert Measurement.objects.get().value == Decimal("11.3")


def test_another_municipality_compared_with_is_not_in_the_grid(client, plan_with_share):
    plan, share, target, analyst = plan_with_share
    neighbour = make_municipality("Ringsted", "329")
    target.comparison_area = neighbour
    target.save()
    client.force_login(analyst)
    html = client.get(grid_url(plan)).content.decode()
    assert "Ringsted" not in html
    data = form_of(html)
    data[f"c-{share.pk}-{neighbour.pk}-2023Q2"] = "5,0"  # posted by hand all the same
    data[f"s-{share.pk}-{neighbour.pk}-2023Q2"] = "|"
    client.post(grid_url(plan), data)
    assert not Measurement.objects.filter(area=neighbour).exists()


def test_a_year_out_of_range_shows_the_nearest_year(client, plan_with_share):
    plan, _share, _target, analyst = plan_with_share
    client.force_login(analyst)
    for year in ("0", "-5", "99999", "abc"):
        url = reverse("plans:figures", args=[plan.key]) + f"?kind=quarter&year={year}"
        assert client.get(url).status_code == 200


def test_only_the_municipalitys_editors_may_type(client, plan_with_share, member):
    plan, _share, _target, _analyst = plan_with_share
    client.force_login(member(plan.municipality, Membership.Role.COMMITTEE, username="udvalg"))
    assert client.get(grid_url(plan)).status_code in (403, 404)
    client.force_login(member(make_municipality("Ringsted", "329"), username="ringsted"))
    assert client.get(grid_url(plan)).status_code == 404
