"""A card that cannot contradict itself, and that shows where a target starts.

The "Måltal" line is derived from the definition (and the revision in force), so it always
names the value the status was judged against; the document's own words are shown beside it as
"Målets ordlyd". A changed value that the wording contradicts is refused with a way out. Before
the first figure of the target's window the card shows the baseline as "Udgangspunkt", never as
a status.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from kpis.models import Area, Indicator
from plans import services
from plans.models import Membership, Target
from tests.builders import (
    make_country,
    make_indicator,
    make_municipality,
    make_plan,
    make_target,
    record,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(django_capture_on_commit_callbacks):
    """record() with the statuses recomputed, as they are once the figures' commit is done."""

    def add(*args):
        with django_capture_on_commit_callbacks(execute=True):
            record(*args)

    return add


@pytest.fixture
def guldborgsund():
    municipality = make_municipality()
    make_country()
    municipality.public_dashboards = True
    municipality.save()
    return municipality


def _approved_plan(municipality, **kwargs):
    plan = make_plan(municipality, **kwargs)
    plan.approval_state = plan.Approval.APPROVED
    plan.save()
    theme = services.focus_area_create(
        plan=plan, key="tema", title="Et godt erhvervsklima", order=0
    )
    return plan, theme


def _card_text(client, target):
    page = client.get(reverse("plans:target", args=[target.key])).content.decode()
    start = page.index('<article class="kpi-card')
    return page[start : page.index("</article>", start)]


def test_the_target_line_is_the_value_judged_not_the_wording(client, guldborgsund, figures):
    plan, theme = _approved_plan(guldborgsund)
    indicator = make_indicator("unge-offentlig-forsorgelse")
    target = make_target(plan, indicator, wording="Færre unge på offentlig forsørgelse",
                         target_value=Decimal(950))  # fmt: skip
    target.focus_areas.add(theme)
    figures(indicator, guldborgsund, "2023Q1", "969")
    card = _card_text(client, target)
    assert "Måltal 2023" in card and "Maksimalt 950" in card
    assert "Målets ordlyd:" in card and "Færre unge på offentlig forsørgelse" in card
    assert "969 mod højst 950" in card


def test_a_wording_that_says_the_line_is_not_repeated(client, guldborgsund):
    plan, _theme = _approved_plan(guldborgsund)
    target = make_target(plan, make_indicator("unge"))  # "Maksimalt 1.075", 1075
    card = _card_text(client, target)
    assert "Maksimalt 1.075" in card and "Målets ordlyd" not in card


def test_a_revision_in_force_is_the_line(client, guldborgsund, figures):
    plan, _theme = _approved_plan(guldborgsund)
    indicator = make_indicator("unge")
    target = make_target(plan, indicator)
    services.target_revise(target=target, user=None, effective=date(2023, 6, 1),
                           target_value=Decimal(950), reason="Justeret i juni")  # fmt: skip
    figures(indicator, guldborgsund, "2023Q3", "969")
    card = _card_text(client, target)
    assert "Maksimalt 950" in card and "969 mod højst 950" in card
    assert "Målets ordlyd:" in card and "Maksimalt 1.075" in card  # the document's words stay


def test_a_relative_target_line_names_the_distance_and_the_area(client, guldborgsund):
    plan, _theme = _approved_plan(guldborgsund, start_year=2024, end_year=2024)
    share = make_indicator("andel", unit=Indicator.Unit.PERCENT, decimals=1)
    country = Area.objects.get(kind=Area.Kind.COUNTRY)
    target = make_target(plan, share, kind="relative", target_value=None, margin=Decimal(1),
                         comparison_area=country, deadline=date(2024, 12, 31),
                         wording="Mindst 1 procentpoint under landsgennemsnittet.")  # fmt: skip
    card = _card_text(client, target)
    assert "Mindst 1,0 %-point under Hele landet" in card


def test_a_change_target_line_is_the_baseline_moved_by_the_change(client, guldborgsund):
    """Ringsted's round page failed on every change target with a baseline (the engine's
    required_value had become one function per kind when the two branches met)."""
    plan, _theme = _approved_plan(guldborgsund)
    from kpis.services import period_get_or_create

    target = make_target(plan, make_indicator("sygefravaer"), kind="change", target_value=None,
                         change_amount=Decimal(10), change_relative=True,
                         baseline_value=Decimal(200), baseline_period=period_get_or_create("2022"),
                         wording="Sygefraværet skal falde med 10 %")  # fmt: skip
    card = _card_text(client, target)
    assert "Maksimalt 180" in card and "Målets ordlyd:" in card


@pytest.fixture
def frederikssund_2a(guldborgsund):
    """Frederikssund's 2a as the plan states it: 1,7 % in Aug. 2023 against 2,7 % in hele
    landet, to lie at least 1 procentpoint under the national average in 2024."""
    frederikssund = make_municipality("Frederikssund", "250")
    frederikssund.public_dashboards = True
    frederikssund.save()
    plan, theme = _approved_plan(frederikssund, key="fr", start_year=2024, end_year=2024)
    share = make_indicator("andel-a-dagpenge", unit=Indicator.Unit.PERCENT, decimals=1)
    country = Area.objects.get(kind=Area.Kind.COUNTRY)
    record(share, frederikssund, "2023M08", "1,7")
    record(share, country, "2023M08", "2,7")
    from kpis.services import period_get_or_create

    target = make_target(
        plan, share, key="fr-2a", kind="relative", bound="at_most", target_value=None,
        margin=Decimal(1), comparison_area=country, deadline=date(2024, 12, 31),
        measure_from=date(2024, 1, 1), period_kind="month",
        baseline_value=Decimal("1.7"), baseline_period=period_get_or_create("2023M08"),
        wording="Andelen skal mindst ligge 1 procentpoint under landsgennemsnittet.",
    )  # fmt: skip
    target.focus_areas.add(theme)
    return frederikssund, share, country, target, plan, theme


def test_before_the_first_figure_the_card_shows_the_starting_point(client, frederikssund_2a):
    _municipality, _share, _country, target, plan, theme = frederikssund_2a
    card = _card_text(client, target)
    assert "Udgangspunkt" in card and "1,7 % (Aug. 2023)" in card and "Hele landet: 2,7 %" in card
    assert "På udgangspunktet ville målet være opfyldt (1,7 % mod højst 1,7 %)" in card
    # Never a status: the badge still says there are no figures, and no "Opfyldt" badge.
    assert "Ingen data" in card and "status-met" not in card
    theme_page = client.get(reverse("plans:theme", args=[plan.key, theme.key])).content.decode()
    assert "Udgangspunkt" in theme_page and "Hele landet: 2,7 %" in theme_page


def test_a_starting_point_that_misses_the_target_says_so(client, frederikssund_2a):
    municipality, share, country, target, _plan, _theme = frederikssund_2a
    record(share, country, "2023M08", "2,5")  # hele landet revised: 1,7 is no longer 1 under
    card = _card_text(client, target)
    assert "På udgangspunktet ville målet ikke være opfyldt (1,7 % mod højst 1,5 %)" in card


def test_the_first_figure_in_the_window_replaces_the_starting_point(
    client, frederikssund_2a, figures
):
    municipality, share, country, target, _plan, _theme = frederikssund_2a
    figures(share, country, "2024M01", "2,8")
    figures(share, municipality, "2024M01", "1,6")
    card = _card_text(client, target)
    assert "Udgangspunkt" not in card and "Opfyldt" in card


@pytest.fixture
def admin_editing(client, member, guldborgsund):
    plan = make_plan(guldborgsund)
    theme = services.focus_area_create(plan=plan, key="erhverv", title="Erhverv", order=0)
    indicator = make_indicator("unge-offentlig-forsorgelse")
    target = make_target(plan, indicator)
    target.focus_areas.add(theme)
    client.force_login(member(guldborgsund, Membership.Role.ADMIN))
    return plan, theme, indicator, target


def _edit(theme, indicator, **extra):
    data = {
        "kind": "threshold", "title": "Unge", "code": "", "wording": "Maksimalt 1.075",
        "indicator": indicator.pk, "focus_areas": [theme.pk], "deadline": "2023-12-31",
        "measure_from": "", "period_kind": "", "bound": "at_most", "target_value": "950",
        "tolerance": "0", "baseline_value": "", "baseline_period": "", "source": "",
        "margin": "", "change_amount": "", "gap_reduction": "", "comparison_area": "",
        "milestone_state": "", "action": "save",
    }  # fmt: skip
    data.update(extra)
    return data


def test_a_value_the_wording_contradicts_is_refused_with_the_way_out(client, admin_editing):
    plan, theme, indicator, target = admin_editing
    url = reverse("plans:target_edit", args=[plan.key, target.key])
    response = client.post(url, _edit(theme, indicator))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Målets ordlyd siger stadig 1.075, men måltallet er nu 950." in page
    assert '<a href="#revise-heading">Justér måltallet</a>' in page
    target.refresh_from_db()
    assert target.target_value == Decimal(1075)  # nothing changed


def test_changing_the_wording_with_the_value_saves(client, admin_editing):
    plan, theme, indicator, target = admin_editing
    url = reverse("plans:target_edit", args=[plan.key, target.key])
    client.post(url, _edit(theme, indicator, wording="Maksimalt 950"))
    target.refresh_from_db()
    assert (target.wording, target.target_value) == ("Maksimalt 950", Decimal(950))


def test_an_unrelated_number_in_the_wording_does_not_stop_a_change(client, admin_editing):
    plan, theme, indicator, target = admin_editing
    target.wording = "Færre unge inden udgangen af 2023"
    target.save()
    url = reverse("plans:target_edit", args=[plan.key, target.key])
    client.post(url, _edit(theme, indicator, wording=target.wording))
    target.refresh_from_db()
    assert target.target_value == Decimal(950)
    assert Target.objects.count() == 1
