"""The pure status engine, kind by kind and edge by edge. No database."""

from datetime import date
from decimal import Decimal

import pytest

from plans.engine import status as engine
from plans.engine.status import (
    AT_LEAST,
    AT_MOST,
    AT_RISK,
    MET,
    NEAR,
    NO_DATA,
    NOT_MET,
    OFF_TRACK,
    ON_TRACK,
    evaluate,
)
from tests.builders import point, rule

AFTER_2023 = date(2024, 3, 31)


# -- threshold ---------------------------------------------------------------------------------


def test_guldborgsund_young_people_969_against_at_most_1075_is_met():
    r = rule(target_value="1.075", baseline=point("2021M11-2022M11", "1.001"))
    result = evaluate(r, [point("2022M11-2023M11", "969")], as_of=AFTER_2023)
    assert result.status == MET
    assert result.final
    assert result.required == Decimal(1075)
    assert result.development == Decimal(-32)
    assert result.current.label == "Nov.22-nov.23"


def test_guldborgsund_retention_58_8_against_minimum_70_is_not_met_and_falls_10_points():
    r = rule(bound=AT_LEAST, target_value="70", baseline=point("2022", "68,8"))
    result = evaluate(r, [point("2023", "58,8")], as_of=AFTER_2023)
    assert result.status == NOT_MET
    assert result.development == Decimal("-10.0")


@pytest.mark.parametrize("bound", [AT_MOST, AT_LEAST])
def test_equality_meets_a_threshold(bound):
    # "Maksimalt 18 %" with 18 % is met, and so is "Minimum 18 %".
    result = evaluate(rule(bound=bound, target_value="18"), [point("2023", "18")], as_of=AFTER_2023)
    assert result.status == MET


def test_strict_wording_does_not_accept_equality():
    r = rule(bound=AT_MOST, target_value="18", strict=True)
    assert evaluate(r, [point("2023", "18")], as_of=AFTER_2023).status == NOT_MET


def test_near_is_within_the_tolerance_and_not_beyond():
    # Ringsted: 19,3 % against a target of 20 % is "Målet er nært".
    r = rule(bound=AT_LEAST, target_value="20", tolerance="1")
    assert evaluate(r, [point("2021M12", "19,3")], as_of=AFTER_2023).status == NEAR
    assert evaluate(r, [point("2021M12", "19,0")], as_of=AFTER_2023).status == NEAR
    assert evaluate(r, [point("2021M12", "18,9")], as_of=AFTER_2023).status == NOT_MET


def test_without_tolerance_a_miss_is_not_near():
    r = rule(bound=AT_LEAST, target_value="20")
    assert evaluate(r, [point("2023", "19,9")], as_of=AFTER_2023).status == NOT_MET


def test_latest_figure_in_the_window_counts():
    r = rule(target_value="100", measure_from=date(2023, 1, 1))
    series = [point("2023M01", "150"), point("2023M06", "90"), point("2023M03", "120")]
    result = evaluate(r, series, as_of=AFTER_2023)
    assert result.current.value == Decimal(90)
    assert result.status == MET


def test_figures_outside_the_window_do_not_count():
    r = rule(target_value="100", measure_from=date(2023, 1, 1))
    series = [point("2022M12", "50"), point("2024M01", "50")]
    result = evaluate(r, series, as_of=date(2024, 6, 1))
    assert result.status == NO_DATA
    assert result.reasons == (engine.REASON_NO_MEASUREMENT,)


def test_figures_after_the_as_of_date_are_not_known_yet():
    r = rule(target_value="100")
    series = [point("2023M03", "90"), point("2023M09", "150")]
    result = evaluate(r, series, as_of=date(2023, 6, 30))
    assert result.current.value == Decimal(90)


def test_no_data_keeps_the_baseline_to_show():
    baseline = point("2022", "230")
    result = evaluate(rule(target_value="200", baseline=baseline), [], as_of=AFTER_2023)
    assert result.status == NO_DATA
    assert result.baseline == baseline
    assert result.development is None


# -- change from a baseline --------------------------------------------------------------------


def test_reduction_without_amount_is_any_strict_reduction():
    # Guldborgsund's sick-leave rate: "Målsætning 2023: Reduktion", 7,4 % → 6,6 %.
    r = rule(kind=engine.CHANGE, strict=True, baseline=point("2022", "7,4"))
    result = evaluate(r, [point("2023", "6,6")], as_of=AFTER_2023)
    assert result.status == MET
    assert result.development == Decimal("-0.8")
    assert evaluate(r, [point("2023", "7,4")], as_of=AFTER_2023).status == NOT_MET


def test_increase_relative_to_baseline_level():
    # Ringsted: "skal stige ift. niveauet på 92,2 pct."
    r = rule(kind=engine.CHANGE, bound=AT_LEAST, strict=True, baseline=point("2019", "92,2"))
    assert evaluate(r, [point("2023", "92,3")], as_of=AFTER_2023).status == MET
    assert evaluate(r, [point("2023", "92,2")], as_of=AFTER_2023).status == NOT_MET


def test_absolute_change_amount():
    r = rule(kind=engine.CHANGE, change_amount="0,8", baseline=point("2022", "7,4"))
    result = evaluate(r, [point("2023", "6,6")], as_of=AFTER_2023)
    assert result.required == Decimal("6.6")
    assert result.status == MET


def test_relative_change_of_fifty_percent():
    # "øges med 50 %": from 40 the requirement is 60.
    r = rule(
        kind=engine.CHANGE,
        bound=AT_LEAST,
        change_amount="50",
        change_relative=True,
        baseline=point("2022", "40"),
    )
    assert evaluate(r, [point("2023", "60")], as_of=AFTER_2023).status == MET
    assert evaluate(r, [point("2023", "59")], as_of=AFTER_2023).status == NOT_MET


def test_change_without_baseline_has_no_data():
    r = rule(kind=engine.CHANGE)
    result = evaluate(r, [point("2023", "6,6")], as_of=AFTER_2023)
    assert result.status == NO_DATA
    assert engine.REASON_NO_BASELINE in result.reasons


# -- relative to a comparison area ------------------------------------------------------------


def test_at_least_0_3_under_the_national_average_is_exact():
    # Ringsted: "min. 0,3 under landsgennemsnittet" with 2,1 against 2,4 is met: 2,4 − 0,3 = 2,1.
    r = rule(kind=engine.RELATIVE, margin="0,3")
    result = evaluate(
        r, [point("2021M12", "2,1")], [point("2021M12", "2,4")], as_of=date(2022, 3, 31)
    )
    assert result.required == Decimal("2.1")
    assert result.status == MET
    assert result.comparison.value == Decimal("2.4")
    worse = evaluate(
        r, [point("2021M12", "2,2")], [point("2021M12", "2,4")], as_of=date(2022, 3, 31)
    )
    assert worse.status == NOT_MET


def test_one_point_under_the_national_average_met_on_equality():
    # Frederikssund 2a: 1,7 % against hele landet 2,7 %, "mindst 1 procentpoint under".
    r = rule(kind=engine.RELATIVE, margin="1")
    result = evaluate(r, [point("2023M08", "1,7")], [point("2023M08", "2,7")], as_of=AFTER_2023)
    assert result.status == MET


def test_at_least_on_level_with_the_national_average():
    r = rule(kind=engine.RELATIVE, bound=AT_LEAST)
    assert (
        evaluate(r, [point("2023M07", "53,5")], [point("2023M07", "50,1")], as_of=AFTER_2023).status
        == MET
    )
    assert (
        evaluate(r, [point("2023M07", "50,0")], [point("2023M07", "50,1")], as_of=AFTER_2023).status
        == NOT_MET
    )


def test_stay_under_the_national_average_is_strict():
    r = rule(kind=engine.RELATIVE, strict=True)
    assert (
        evaluate(r, [point("2023M08", "0,7")], [point("2023M08", "0,7")], as_of=AFTER_2023).status
        == NOT_MET
    )


def test_comparison_must_be_for_the_same_period():
    r = rule(kind=engine.RELATIVE)
    result = evaluate(r, [point("2023M08", "1,7")], [point("2023M07", "2,7")], as_of=AFTER_2023)
    assert result.status == NO_DATA
    assert result.reasons == (engine.REASON_NO_COMPARISON,)


def test_gap_to_the_national_average_must_shrink_by_the_reduction():
    # Frederikssund 3a: gap 4,0 − 3,4 = 0,6 at baseline; must come down by at least 0,2.
    r = rule(
        kind=engine.RELATIVE,
        gap_reduction="0,2",
        baseline=point("2023M08", "4,0"),
        comparison_baseline="3,4",
        deadline=date(2024, 12, 31),
    )
    met = evaluate(r, [point("2024M08", "3,9")], [point("2024M08", "3,5")], as_of=date(2025, 1, 31))
    assert met.required == Decimal("3.9")
    assert met.status == MET
    missed = evaluate(
        r, [point("2024M08", "4,0")], [point("2024M08", "3,5")], as_of=date(2025, 1, 31)
    )
    assert missed.status == NOT_MET


def test_gap_without_the_comparison_baseline_has_no_data():
    r = rule(
        kind=engine.RELATIVE,
        gap_reduction="0,2",
        baseline=point("2023M08", "4,0"),
        deadline=date(2024, 12, 31),
    )
    result = evaluate(
        r, [point("2024M08", "3,9")], [point("2024M08", "3,5")], as_of=date(2025, 1, 31)
    )
    assert result.status == NO_DATA
    assert engine.REASON_NO_COMPARISON_BASELINE in result.reasons


# -- glide path --------------------------------------------------------------------------------


def vordingborg_path():
    # "reduceres fra ca. 25 % i 2016 til højst 20 % i 2025"
    return rule(
        kind=engine.GLIDE_PATH,
        target_value="20",
        baseline=point("2016", "25"),
        deadline=date(2025, 12, 31),
        measure_from=date(2017, 1, 1),
    )


def test_glide_path_gives_an_expected_value_for_every_year_between():
    r = vordingborg_path()
    values = [engine.glide_path_value(r, y) for y in range(2016, 2026)]
    assert values[0] == Decimal(25)
    assert values[-1] == Decimal(20)
    assert all(a > b for a, b in zip(values, values[1:], strict=False))
    # about ½ %-point a year, as the plan says
    assert values[3] == Decimal("23.3333")


def test_glide_path_judges_a_year_against_that_years_expected_value():
    r = vordingborg_path()
    on_path = evaluate(r, [point("2019", "23,3")], as_of=date(2020, 3, 1))
    assert on_path.status == MET
    assert on_path.required == Decimal("23.3333")
    off_path = evaluate(r, [point("2019", "23,4")], as_of=date(2020, 3, 1))
    assert off_path.status == NOT_MET


def test_glide_path_at_the_deadline_is_the_target_itself():
    result = evaluate(vordingborg_path(), [point("2025", "20")], as_of=date(2026, 3, 1))
    assert result.required == Decimal(20)
    assert result.status == MET
    assert result.final


# -- cumulative ------------------------------------------------------------------------------


def cumulative_rule():
    # "Mindst 25 … inden udgangen af 2021"
    return rule(
        kind=engine.CUMULATIVE,
        bound=AT_LEAST,
        target_value="25",
        measure_from=date(2021, 1, 1),
        deadline=date(2021, 12, 31),
    )


def test_cumulative_adds_up_the_figures_in_the_window():
    series = [point("2020Q4", "10"), point("2021Q1", "10"), point("2021Q2", "8"),
              point("2021Q3", "7")]  # fmt: skip
    result = evaluate(cumulative_rule(), series, as_of=date(2022, 1, 31))
    assert result.current.value == Decimal(25)
    assert result.status == MET


def test_cumulative_forecast_follows_the_pace():
    slow = evaluate(cumulative_rule(), [point("2021H1", "10")], as_of=date(2021, 7, 31))
    assert slow.status == NOT_MET
    assert slow.forecast == OFF_TRACK  # 10 in half a year makes about 20
    fast = evaluate(cumulative_rule(), [point("2021H1", "13")], as_of=date(2021, 7, 31))
    assert fast.forecast == ON_TRACK


# -- milestone --------------------------------------------------------------------------------


def test_milestone_done_is_met():
    r = rule(kind=engine.MILESTONE, milestone_state=engine.DONE)
    assert evaluate(r, [], as_of=AFTER_2023).status == MET


def test_milestone_under_way_before_the_deadline_is_on_track():
    r = rule(kind=engine.MILESTONE, milestone_state=engine.IN_PROGRESS)
    result = evaluate(r, [], as_of=date(2023, 6, 1))
    assert (result.status, result.forecast, result.final) == (NOT_MET, ON_TRACK, False)


def test_milestone_not_done_after_the_deadline_is_not_met():
    r = rule(kind=engine.MILESTONE, milestone_state=engine.IN_PROGRESS)
    result = evaluate(r, [], as_of=AFTER_2023)
    assert (result.status, result.forecast, result.final) == (NOT_MET, None, True)


# -- revisions ---------------------------------------------------------------------------------


def test_a_revised_target_applies_from_its_date_and_keeps_the_original():
    # "Det justerede måltal er 20 %"
    revision = engine.Revision(date(2020, 6, 1), Decimal(20), reason="Det justerede måltal er 20 %")
    r = rule(target_value="18", deadline=date(2020, 12, 31), revisions=(revision,))
    before = evaluate(r, [point("2020M03", "19")], as_of=date(2020, 5, 1))
    assert before.required == Decimal(18)
    assert before.status == NOT_MET
    assert before.revision is None
    after = evaluate(r, [point("2020M03", "19")], as_of=date(2021, 2, 1))
    assert after.required == Decimal(20)
    assert after.status == MET
    assert after.revision == revision
    assert r.target_value == Decimal(18)  # the original stays


# -- forecast ----------------------------------------------------------------------------------


def test_forecast_on_track_when_the_trend_reaches_the_target():
    r = rule(target_value="1.000", baseline=point("2022M12", "1.100"), deadline=date(2023, 12, 31))
    series = [point("2023M03", "1.060"), point("2023M06", "1.020")]  # −40 a quarter
    result = evaluate(r, series, as_of=date(2023, 7, 15))
    assert result.status == NOT_MET
    assert not result.final
    assert result.forecast == ON_TRACK
    assert result.projected < Decimal(1000)


def test_forecast_off_track_when_the_trend_goes_the_wrong_way():
    r = rule(target_value="1.000", baseline=point("2022M12", "1.000"))
    series = [point("2023M03", "1.020"), point("2023M06", "1.040")]
    result = evaluate(r, series, as_of=date(2023, 7, 15))
    assert result.forecast == OFF_TRACK


def test_forecast_at_risk_when_the_trend_ends_within_the_tolerance():
    r = rule(target_value="100", tolerance="5", baseline=point("2022M12", "110"))
    series = [point("2023M06", "106")]  # −4 in half a year: about 102 by the deadline
    result = evaluate(r, series, as_of=date(2023, 7, 15))
    assert result.forecast == AT_RISK


def test_no_forecast_from_a_single_figure():
    result = evaluate(rule(target_value="100"), [point("2023M06", "90")], as_of=date(2023, 7, 1))
    assert result.status == MET
    assert result.forecast is None
    assert engine.REASON_TOO_FEW_POINTS in result.reasons


def test_no_forecast_once_the_deadline_has_passed():
    r = rule(target_value="100", baseline=point("2022M12", "120"))
    result = evaluate(r, [point("2023M06", "90")], as_of=AFTER_2023)
    assert result.final
    assert result.forecast is None


def test_milestone_without_a_report_has_no_data():
    r = rule(kind=engine.MILESTONE)  # nobody has reported how far it is
    result = evaluate(r, [], as_of=AFTER_2023)
    assert result.status == NO_DATA


def test_the_target_line_follows_the_glide_path_and_the_comparison_area():
    path = vordingborg_path()
    line = engine.requirement_series(path, [point("2019", "23"), point("2025", "20")])
    assert [required for _p, required in line] == [Decimal("23.3333"), Decimal(20)]
    relative = rule(kind=engine.RELATIVE, margin="0,3")
    line = engine.requirement_series(
        relative,
        [point("2021M06", "2,0"), point("2021M12", "2,1")],
        [point("2021M12", "2,4")],
    )
    assert [(p.label, required) for p, required in line] == [("Dec. 2021", Decimal("2.1"))]


def test_near_with_an_at_most_bound():
    # "Maksimalt 14 %" with a tolerance of 1 point: 14,9 % is near, 15,1 % is not.
    r = rule(bound=AT_MOST, target_value="14", tolerance="1")
    assert evaluate(r, [point("2023M11", "14,9")], as_of=AFTER_2023).status == NEAR
    assert evaluate(r, [point("2023M11", "15,1")], as_of=AFTER_2023).status == NOT_MET


def test_cumulative_total_is_labelled_with_the_whole_span():
    series = [point("2021M01", "10"), point("2021M02", "5")]
    result = evaluate(cumulative_rule(), series, as_of=date(2021, 3, 15))
    assert result.current.label == "Jan. 2021 – Feb. 2021"


def test_relative_forecast_holds_the_trend_against_the_comparison_area():
    # Getting closer to "1 point under the national average" fast enough: on track.
    r = rule(kind=engine.RELATIVE, margin="1", baseline=point("2023M01", "2,5"))
    series = [point("2023M03", "2,3"), point("2023M05", "2,1")]
    comparison = [point("2023M05", "2,7")]
    result = evaluate(r, series, comparison, as_of=date(2023, 6, 15))
    assert result.status == NOT_MET  # 2,1 > 2,7 − 1
    assert result.forecast == ON_TRACK  # about 1,4 by December
    assert result.required_at_deadline == Decimal("1.7")
