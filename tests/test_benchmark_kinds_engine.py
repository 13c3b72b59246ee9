"""The benchmark kinds (DOMAIN.md kind 7) and the two kinds of count, in the pure engine: exact
decimals, equality, ties, and a missing expected value or municipality as a reason."""

from datetime import date
from decimal import Decimal

from plans.engine import kinds
from plans.engine import status as engine
from plans.engine.status import (
    AT_LEAST,
    AT_MOST,
    MET,
    NEAR,
    NO_DATA,
    NOT_MET,
    OFF_TRACK,
    ON_TRACK,
    Inputs,
    Peers,
)
from tests.builders import point, rule

AFTER_2021 = date(2022, 6, 30)


def evaluate(rule, series, expected=(), *, as_of, peers=None):
    """The registry's entry point with the inputs these kinds read."""
    inputs = Inputs(series=tuple(series), expected=tuple(expected), peers=peers)
    return kinds.evaluate(rule, inputs=inputs, as_of=as_of)


# Ringsted, seeds/003 §2 Tabel 1: 1kv21-4kv21, faktisk andel 8,53 against forventet 8,91.
RINGSTED_ACTUAL = [point("2021QMAT04", "8,53")]
RINGSTED_EXPECTED = [point("2021QMAT04", "8,91")]


def expected_rule(margin="0", **fields):
    fields = {"bound": AT_MOST, "deadline": date(2021, 12, 31),
              "measure_from": date(2021, 1, 1)} | fields  # fmt: skip
    return rule(kind=kinds.EXPECTED, margin=margin, **fields)


# -- expected level ----------------------------------------------------------------------------


def test_ringsted_8_53_against_expected_8_91_is_met_and_0_38_points_better():
    result = evaluate(expected_rule(), RINGSTED_ACTUAL, RINGSTED_EXPECTED, as_of=AFTER_2021)
    assert result.status == MET
    assert result.required == Decimal("8.91")
    assert result.comparison.value - result.current.value == Decimal("0.38")


def test_expected_with_a_margin_is_exact_and_equality_meets():
    # "højst forventet andel − 0,38 pct.-point": 8,91 − 0,38 is exactly 8,53
    met = evaluate(expected_rule("0,38"), RINGSTED_ACTUAL, RINGSTED_EXPECTED, as_of=AFTER_2021)
    assert met.status == MET and met.required == Decimal("8.53")
    missed = evaluate(expected_rule("0,39"), RINGSTED_ACTUAL, RINGSTED_EXPECTED, as_of=AFTER_2021)
    assert missed.status == NOT_MET and missed.required == Decimal("8.52")
    near = evaluate(expected_rule("0,39", tolerance="0,01"), RINGSTED_ACTUAL, RINGSTED_EXPECTED,
                    as_of=AFTER_2021)  # fmt: skip
    assert near.status == NEAR


def test_expected_on_a_higher_is_better_share_asks_for_at_least():
    r = expected_rule("1", bound=AT_LEAST)
    result = evaluate(r, [point("2021QMAT04", "61")], [point("2021QMAT04", "60")], as_of=AFTER_2021)
    assert result.status == MET and result.required == Decimal(61)


def test_missing_expected_level_is_no_data_with_the_reason():
    other_period = [point("2020QMAT04", "8,91")]
    result = evaluate(expected_rule(), RINGSTED_ACTUAL, other_period, as_of=AFTER_2021)
    assert result.status == NO_DATA
    assert result.reasons == (engine.REASON_NO_EXPECTED,)
    assert result.current.value == Decimal("8.53")


# -- rank --------------------------------------------------------------------------------------


def rank_rule(n="20", **fields):
    fields = {"bound": AT_MOST, "deadline": date(2021, 12, 31),
              "measure_from": date(2021, 1, 1)} | fields  # fmt: skip
    return rule(kind=kinds.RANK, target_value=n, **fields)


def field_of(values: dict[str, str], period="2021QMAT04") -> dict:
    spec = point(period, "0")
    return {(spec.start, spec.end): {k: Decimal(v.replace(",", ".")) for k, v in values.items()}}


def test_rank_is_computed_from_every_municipality_lower_is_better():
    peers = Peers("ringsted", field_of({"a": "7,9", "b": "8,53", "c": "9", "d": "12,1"}))
    result = evaluate(rank_rule("2"), RINGSTED_ACTUAL, as_of=AFTER_2021, peers=peers)
    # a 7,9; Ringsted and b 8,53 share second place; c and d follow
    assert (result.rank, result.ranked, result.tied) == (2, 5, True)
    assert result.status == MET  # "placering højst 2" with a shared second place
    worse = evaluate(rank_rule("1"), RINGSTED_ACTUAL, as_of=AFTER_2021, peers=peers)
    assert worse.status == NOT_MET and worse.required == Decimal(1)


def test_rank_higher_is_better_and_the_next_rank_skips_a_tie():
    peers = Peers("own", field_of({"a": "70", "b": "70", "c": "60"}))
    r = rank_rule("2", lower_is_better=False, bound=AT_LEAST)  # the rank is at most N all the same
    result = evaluate(r, [point("2021QMAT04", "65")], as_of=AFTER_2021, peers=peers)
    assert (result.rank, result.ranked, result.tied, result.status) == (3, 4, False, NOT_MET)
    near = evaluate(rank_rule("2", lower_is_better=False, tolerance="1"),
                    [point("2021QMAT04", "65")], as_of=AFTER_2021, peers=peers)  # fmt: skip
    assert near.status == NEAR


def test_published_rank_is_read_from_the_figure_and_a_shared_place_is_said():
    # y30r21 "Placering på benchmarkranglisten": Ringsted nr. 12
    others = {f"m{i}": str(i) for i in range(1, 99) if i != 12}
    peers = Peers("ringsted", field_of(others | {"m12b": "12"}))
    r = rank_rule("12", rank_published=True)
    result = evaluate(r, [point("2021QMAT04", "12")], as_of=AFTER_2021, peers=peers)
    assert (result.rank, result.ranked, result.tied, result.status) == (12, 99, True, MET)
    alone = evaluate(r, [point("2021QMAT04", "12")], as_of=AFTER_2021, peers=Peers("ringsted"))
    assert (alone.rank, alone.ranked, alone.status) == (12, None, MET)


def test_rank_without_other_municipalities_is_no_data_with_the_reason():
    result = evaluate(rank_rule(), RINGSTED_ACTUAL, as_of=AFTER_2021, peers=Peers("ringsted"))
    assert result.status == NO_DATA and result.reasons == (engine.REASON_NO_PEERS,)
    assert evaluate(rank_rule(), RINGSTED_ACTUAL, as_of=AFTER_2021).status == NO_DATA
    no_own = evaluate(rank_rule(), [], as_of=AFTER_2021, peers=Peers("x", field_of({"a": "1"})))
    assert no_own.reasons == (engine.REASON_NO_MEASUREMENT,)


def test_rank_reads_the_period_of_the_municipalitys_latest_figure():
    peers = Peers("own", field_of({"a": "1"}, "2020QMAT04") | field_of({"a": "9"}))
    result = evaluate(rank_rule("1"), [point("2020QMAT04", "5"), point("2021QMAT04", "5")],
                      as_of=AFTER_2021, peers=peers)  # fmt: skip
    assert (result.rank, result.status) == (1, MET)


# -- comparable municipalities -----------------------------------------------------------------


def comparables_rule(measure=engine.MEAN, **fields):
    return rule(kind=kinds.COMPARABLES, bound=AT_MOST, comparable_measure=measure,
                deadline=date(2021, 12, 31), measure_from=date(2021, 1, 1), **fields)  # fmt: skip


GROUP = frozenset({"a", "b", "c"})
FIELD = field_of({"a": "8", "b": "9", "c": "10", "outside": "1"})


def test_better_than_the_average_of_comparables_is_exact():
    # mean of 8, 9, 10 is 9: 9 meets "højst gennemsnittet", not "under"
    peers = Peers("own", FIELD, GROUP)
    at = evaluate(comparables_rule(), [point("2021QMAT04", "9")], as_of=AFTER_2021, peers=peers)
    assert at.status == MET and at.required == Decimal(9) and at.comparison.value == Decimal(9)
    strict = comparables_rule(strict=True)
    assert evaluate(strict, [point("2021QMAT04", "9")], as_of=AFTER_2021, peers=peers).status == (
        NOT_MET
    )
    assert (at.peers_counted, at.peers_named, at.reasons) == (3, 3, ())


def test_median_of_an_even_group_is_the_mean_of_the_middle_two():
    peers = Peers("own", field_of({"a": "8", "b": "9", "c": "10", "d": "20"}), GROUP | {"d"})
    result = evaluate(comparables_rule(engine.MEDIAN), [point("2021QMAT04", "9,5")],
                      as_of=AFTER_2021, peers=peers)  # fmt: skip
    assert result.required == Decimal("9.5") and result.status == MET


def test_best_among_comparables_shares_first_place_and_says_so():
    peers = Peers("own", FIELD, GROUP)
    tied = evaluate(comparables_rule(engine.BEST), [point("2021QMAT04", "8")], as_of=AFTER_2021,
                    peers=peers)  # fmt: skip
    assert (tied.status, tied.rank, tied.ranked, tied.tied) == (MET, 1, 4, True)
    second = evaluate(comparables_rule(engine.BEST), [point("2021QMAT04", "8,5")],
                      as_of=AFTER_2021, peers=peers)  # fmt: skip
    assert (second.status, second.rank, second.tied) == (NOT_MET, 2, False)


def test_a_comparable_without_a_figure_is_left_out_and_said():
    peers = Peers("own", field_of({"a": "8", "b": "10"}), GROUP)
    result = evaluate(comparables_rule(), [point("2021QMAT04", "9")], as_of=AFTER_2021, peers=peers)
    assert result.status == MET and result.required == Decimal(9)
    assert (result.peers_counted, result.peers_named) == (2, 3)
    assert result.reasons == (engine.REASON_PEERS_MISSING,)


def test_no_comparables_named_or_none_with_a_figure_is_no_data_with_the_reason():
    nobody = evaluate(comparables_rule(), [point("2021QMAT04", "9")], as_of=AFTER_2021,
                      peers=Peers("own", FIELD))  # fmt: skip
    assert nobody.status == NO_DATA and nobody.reasons == (engine.REASON_NO_COMPARABLES,)
    silent = evaluate(comparables_rule(), [point("2021QMAT04", "9")], as_of=AFTER_2021,
                      peers=Peers("own", {}, GROUP))  # fmt: skip
    assert silent.status == NO_DATA and silent.reasons == (engine.REASON_NO_PEERS,)


# -- counts per period or so far ---------------------------------------------------------------


def count_rule(**fields):
    # "mindst 8 forløb i december 2021"
    fields = {"bound": AT_LEAST, "deadline": date(2021, 12, 31),
              "measure_from": date(2021, 1, 1)} | fields  # fmt: skip
    return rule(kind=kinds.CUMULATIVE, target_value="8", **fields)


def test_running_totals_are_not_added_together():
    so_far = [point("2021-01-01..2021-06-30", "4"), point("2021-01-01..2021-09-30", "6")]
    result = evaluate(count_rule(count_mode=engine.RUNNING_TOTAL), so_far, as_of=date(2022, 1, 31))
    assert result.current.value == Decimal(6) and result.status == NOT_MET
    summed = evaluate(count_rule(), so_far, as_of=date(2022, 1, 31))
    assert summed.current.value == Decimal(10)  # counts for their own periods add up


def test_forecast_of_a_count_starts_from_the_first_figures_start_when_the_target_gives_none():
    # 3 in the last quarter alone: the pace of a quarter, not of the whole year
    quarter = [point("2021Q4", "3")]
    r = count_rule(deadline=date(2022, 3, 31))
    ahead = evaluate(r, quarter, as_of=date(2022, 1, 15))
    # 3 in October–December (92 days), spread over October–March (182 days)
    assert ahead.projected == (Decimal(3) * 182 / 92).quantize(Decimal("0.0001"))
    assert ahead.forecast == OFF_TRACK
    spread = evaluate(count_rule(deadline=date(2022, 3, 31), count_from=date(2021, 1, 1)),
                      quarter, as_of=date(2022, 1, 15))  # fmt: skip
    assert spread.projected < Decimal(4)  # the target's own start spreads it over fifteen months


def test_forecast_of_a_running_total_reads_the_pace_from_its_own_start():
    so_far = [point("2021-01-01..2021-06-30", "4")]
    r = count_rule(count_mode=engine.RUNNING_TOTAL)
    result = evaluate(r, so_far, as_of=date(2021, 7, 15))
    assert result.projected == (Decimal(4) * 365 / 181).quantize(Decimal("0.0001"))
    assert result.forecast == ON_TRACK
