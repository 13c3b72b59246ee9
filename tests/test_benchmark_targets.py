"""Targets against the benchmark, through the database: the inputs gathered in a constant number
of queries, stored statuses, what the card says, and which figures count."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from kpis import services as kpi_services
from kpis.models import Area, Indicator, IndicatorSource, SourceTable
from plans import services
from plans.engine import kinds
from plans.engine import status as engine
from plans.models import Target
from plans.presenters.cards import cards_for
from plans.selectors import targets as selectors
from tests.builders import make_indicator, make_municipality, make_plan, make_target, record

pytestmark = pytest.mark.django_db

AS_OF = date(2022, 6, 30)


def share(key, expected_by=None):
    indicator = make_indicator(key, unit=Indicator.Unit.PERCENT, decimals=2)
    if expected_by is not None:
        indicator.expected_by = expected_by
        indicator.save()
    return indicator


def municipality(name, code, public=True):
    area = make_municipality(name, code)
    area.public_dashboards = public
    area.save()
    return area


def card_of(target):
    target = selectors.targets_for_cards().get(pk=target.pk)
    with translation.override("da"):
        card = cards_for([target])[0]
        return card, str(card.against_expected), str(card.place), str(card.detail)


def test_ringsted_expected_level_card_reads_as_the_committee_reads_it():
    # seeds/003 §2 Tabel 1: 8,53 % against expected 8,91 % in 1kv21-4kv21
    ringsted = municipality("Ringsted", "329")
    expected = share("forventet")
    actual = share("faktisk", expected_by=expected)
    record(actual, ringsted, "2021QMAT04", "8,53")
    record(expected, ringsted, "2021QMAT04", "8,91")
    target = make_target(
        make_plan(ringsted, start_year=2021, end_year=2021), actual, kind=kinds.EXPECTED,
        wording="Mindst på forventet niveau", bound=engine.AT_LEAST, target_value=None,
        deadline=date(2021, 12, 31),
    )  # fmt: skip
    services.all_statuses_refresh(as_of=AS_OF)
    target.refresh_from_db()
    assert target.bound == engine.AT_MOST  # lower is better: the stored choice is overruled
    assert target.status.status == engine.MET
    assert target.status.comparison_value == Decimal("8.91")
    _card, against, _place, detail = card_of(target)
    assert against == "Faktisk 8,53 % mod forventet 8,91 %: 0,38 pct.-point bedre end forventet"
    assert detail == "8,53 % mod højst 8,91 %"  # the status line; the sentence is the card's row
    with translation.override("da"):  # the Måltal line, from the definition, not the wording
        assert str(_card.target_line) == "Mindst på forventet niveau"
        target.margin = Decimal("0.2")
        assert str(kinds.get(kinds.EXPECTED).target_line(target, None, str)) == (
            "Mindst 0,20 %-point bedre end forventet"
        )


def test_expected_level_needs_an_indicator_that_has_one():
    ringsted = municipality("Ringsted", "329")
    with pytest.raises(Exception) as refused:
        make_target(make_plan(ringsted), share("andel"), kind=kinds.EXPECTED, target_value=None)
    assert "forventet niveau" in str(refused.value) or "expected level" in str(refused.value)
    assert not Target.objects.exists()


def ranked_country(values, *, public=True):
    """Municipalities with their figures for 2021QMAT04, and a rank target for the first."""
    indicator = share("andel")
    areas = []
    for number, value in enumerate(values):
        area = municipality(f"Kommune {number}", f"{number + 100}", public=public or number == 0)
        record(indicator, area, "2021QMAT04", value)
        areas.append(area)
    plan = make_plan(areas[0], start_year=2021, end_year=2021)
    target = make_target(plan, indicator, kind=kinds.RANK, wording="Blandt de 2 bedste",
                         target_value=Decimal(2), deadline=date(2021, 12, 31))  # fmt: skip
    return indicator, areas, target


def test_rank_among_every_municipality_shares_a_tie_and_says_so():
    _indicator, _areas, target = ranked_country(["8,53", "7,10", "8,53", "9,90", "12,00"])
    services.all_statuses_refresh(as_of=AS_OF)
    target.refresh_from_db()
    assert (target.status.rank, target.status.ranked, target.status.rank_shared) == (2, 5, True)
    assert target.status.status == engine.MET
    _card, _against, place, detail = card_of(target)
    assert place == "Nr. 2 (delt) af 5"
    assert detail == "Nr. 2 (delt) af 5 mod højst nr. 2"


def test_a_private_municipalitys_typed_figure_does_not_count_unless_the_source_publishes_it():
    indicator, _areas, target = ranked_country(["8,53", "7,10", "8,53"], public=False)
    result = selectors.evaluate_targets([target], as_of=AS_OF)[target.pk]
    assert result.reasons == (engine.REASON_NO_PEERS,)  # the others are private and typed
    table = SourceTable.objects.create(table_id="y30r21", name="Jobcenterindblik")
    IndicatorSource.objects.create(
        indicator=indicator, table=table, measure="Faktisk andel (pct.)", period_kind="rolling_year"
    )
    result = selectors.evaluate_targets([target], as_of=AS_OF)[target.pk]
    assert (result.rank, result.ranked) == (2, 3)  # jobindsats.dk publishes every one


def test_the_inputs_of_many_rank_targets_take_the_same_queries_as_of_one():
    indicator, areas, first = ranked_country(["8,53", "7,10", "8,53", "9,90", "12,00"])
    targets = [first]
    for number, area in enumerate(areas[1:], start=1):
        plan = make_plan(area, key=f"plan-{number}", start_year=2021, end_year=2021)
        rank = make_target(plan, indicator, key=f"rank-{number}", kind=kinds.RANK,
                           target_value=Decimal(3), deadline=date(2021, 12, 31))  # fmt: skip
        targets.append(rank)

    def queries(batch):
        batch = list(selectors.targets_with_definitions().filter(pk__in=[t.pk for t in batch]))
        with CaptureQueriesContext(connection) as captured:
            results = selectors.evaluate_targets(batch, as_of=AS_OF)
        return len(captured), results

    one, _ = queries(targets[:1])
    many, results = queries(targets)
    assert many == one
    assert sorted((r.rank, r.tied) for r in results.values()) == [
        (1, False), (2, True), (2, True), (4, False), (5, False)
    ]  # fmt: skip


def test_comparables_average_leaves_out_one_without_a_figure_and_says_so():
    indicator = share("andel")
    own = municipality("Ringsted", "329")
    others = [municipality(name, code) for name, code in
              (("Sorø", "340"), ("Køge", "259"), ("Faxe", "320"))]  # fmt: skip
    kpi_services.area_comparables_set(municipality=own, comparables=others)
    for area, value in zip([own, *others[:2]], ["8,50", "8,00", "9,00"], strict=True):
        record(indicator, area, "2021QMAT04", value)
    record(indicator, municipality("Roskilde", "265"), "2021QMAT04", "1,00")  # not named
    target = make_target(make_plan(own, start_year=2021, end_year=2021), indicator,
                         kind=kinds.COMPARABLES, target_value=None,
                         wording="Bedre end gennemsnittet af sammenlignelige kommuner",
                         deadline=date(2021, 12, 31))  # fmt: skip
    services.all_statuses_refresh(as_of=AS_OF)
    target.refresh_from_db()
    assert target.status.status == engine.MET  # 8,50 at most the average 8,50
    assert (target.status.peers_counted, target.status.peers_named) == (2, 3)
    card, *_ = card_of(target)
    with translation.override("da"):
        assert str(card.among_comparables) == (
            "Sammenlignelige kommuner (gennemsnit): 8,50 %, 2 af 3 med tal"
        )
        assert [str(r) for r in card.reasons] == [
            "Nogle af de sammenlignelige kommuner har ikke tal for perioden."
        ]
        assert str(card.target_line) == (
            "Mindst på niveau med gennemsnittet af de sammenlignelige kommuner"
        )


def test_another_municipalitys_new_figure_refreshes_a_rank_target():
    indicator, areas, target = ranked_country(["8,53", "9,10", "9,90"])
    services.all_statuses_refresh(as_of=AS_OF)
    assert selectors.targets_touched_by([(indicator.pk, areas[2].pk)]).filter(pk=target.pk)
    touched = selectors.targets_touched_by([(indicator.pk, areas[2].pk)])
    assert list(touched) == [target]
    assert Area.objects.filter(kind=Area.Kind.MUNICIPALITY).count() == 3


def test_the_target_page_shows_the_expected_level_beside_the_figures(client, admin_user):
    ringsted = municipality("Ringsted", "329")
    expected = share("forventet")
    actual = share("faktisk", expected_by=expected)
    for period, got, wanted in (("2020QMAT04", "8,80", "8,90"), ("2021QMAT04", "8,53", "8,91")):
        record(actual, ringsted, period, got)
        record(expected, ringsted, period, wanted)
    target = make_target(
        make_plan(ringsted, start_year=2020, end_year=2021), actual, kind=kinds.EXPECTED,
        wording="Mindst 0,2 pct.-point under forventet niveau", target_value=None,
        margin=Decimal("0.2"), period_kind="rolling_year", deadline=date(2021, 12, 31),
    )  # fmt: skip
    services.all_statuses_refresh(as_of=AS_OF)
    client.force_login(admin_user)
    page = client.get(f"/targets/{target.key}/").content.decode()
    assert "Faktisk 8,53 % mod forventet 8,91 %: 0,38 pct.-point bedre end forventet" in page
    assert "Forventet niveau" in page
    # the target line: expected − 0,2 in each period
    assert "8,71 %" in page and "8,70 %" in page


def test_a_year_target_is_judged_on_the_year_and_its_page_shows_the_months(client, admin_user):
    area = municipality("Ringsted", "329")
    indicator = make_indicator("forlob")
    record(indicator, area, "2023", "30")
    record(indicator, area, "2023M11", "4")
    record(indicator, area, "2023M12", "7")
    target = make_target(make_plan(area), indicator, wording="Mindst 25 forløb i 2023",
                         kind=kinds.THRESHOLD, bound=engine.AT_LEAST, target_value=Decimal(25),
                         period_kind="year")  # fmt: skip
    services.all_statuses_refresh(as_of=date(2024, 2, 1))
    target.refresh_from_db()
    assert target.status.current_value == Decimal(30) and target.status.status == engine.MET
    client.force_login(admin_user)
    page = client.get(f"/targets/{target.key}/").content.decode()
    rows = re.findall(r'<th scope="row">([^<]+)</th><td class="num">([^<]*)</td>'
                      r'<td class="num">([^<]*)</td>', page)  # fmt: skip
    assert ("2023", "30", "25") in rows
    assert ("Dec. 2023", "7", "") in rows  # a month is shown, not held against the year's 25
    assert ("Nov. 2023", "4", "") in rows
    # the chart draws the months as a series of their own
    assert '\\"name\\":\\"Ringsted (m\\\\u00e5neder)\\"' in page


def test_the_indicator_page_shows_rank_and_expected_level_side_by_side(client):
    expected = share("forventet")
    actual = share("faktisk", expected_by=expected)
    areas = []
    for number, (got, wanted) in enumerate((("8,53", "8,91"), ("7,10", "7,00"), ("9,90", "9,00"))):
        area = municipality(f"Kommune {number}", f"{number + 100}")
        record(actual, area, "2021QMAT04", got)
        record(expected, area, "2021QMAT04", wanted)
        areas.append(area)
    page = client.get(f"/indicators/{actual.key}/?kommune={areas[0].slug}").content.decode()
    assert "Forventet niveau" in page and "Faktisk minus forventet" in page
    assert "Kommune 0 ligger nr. 2 af 3" in page
    assert "Faktisk 8,53 % mod forventet 8,91 %: 0,38 pct.-point bedre end forventet" in page
    assert "\u22120,38 %-point" in page  # Kommune 0's row: actual minus expected


def test_a_benchmark_target_needs_no_requirement_chosen_it_follows_the_indicator():
    ringsted = municipality("Ringsted", "329")
    higher = make_indicator("beskaeftigelse", unit=Indicator.Unit.PERCENT, direction="higher")
    plan = make_plan(ringsted)
    target = services.target_create(
        plan=plan, key="rank", indicator=higher, kind=kinds.RANK, title="Placering",
        wording="Blandt de 20 bedste", target_value=Decimal(20), deadline=date(2023, 12, 31),
    )  # fmt: skip
    assert target.bound == engine.AT_LEAST  # higher is better: "bedre" is at least
    with pytest.raises(Exception) as refused:
        services.target_create(
            plan=plan, key="rank-2", indicator=higher, kind=kinds.RANK, title="Placering",
            wording="Nr. 2,5", target_value=Decimal("2.5"), deadline=date(2023, 12, 31),
        )  # fmt: skip
    assert "helt tal" in str(refused.value) or "whole number" in str(refused.value)


def test_a_rank_targets_maaltal_line_is_a_place_not_a_figure():
    """The card's "Måltal" line of a rank target on a share read "Maksimalt 2 %": a place."""
    _indicator, _areas, target = ranked_country(["8,53", "7,10", "9,90"])
    services.all_statuses_refresh(as_of=AS_OF)
    card, *_ = card_of(target)
    with translation.override("da"):
        assert str(card.target_line) == "Højst nr. 2"
