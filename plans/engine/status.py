"""The status rule: a pure function from a target's definition and its figures to a status.

No ORM, no I/O: `evaluate(rule, series, comparison, as_of)` is all there is, so every edge can
be tested directly and the stored statuses (plans.models.TargetStatus) are only a cache of it.

Arithmetic is Decimal throughout: "min. 0,3 under landsgennemsnittet" with 2,1 against 2,4
is met because 2,4 − 0,3 is exactly 2,1.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

# Statuses: where the figures stand against the target.
MET = "met"
NEAR = "near"
NOT_MET = "not_met"
NO_DATA = "no_data"

# Forecasts: where the trend leads by the deadline, for targets whose deadline lies ahead.
ON_TRACK = "on_track"
AT_RISK = "at_risk"
OFF_TRACK = "off_track"

# Kinds of target (DOMAIN.md).
THRESHOLD = "threshold"
CHANGE = "change"
RELATIVE = "relative"
GLIDE_PATH = "glide_path"
CUMULATIVE = "cumulative"
MILESTONE = "milestone"

AT_MOST = "at_most"
AT_LEAST = "at_least"

DONE = "done"
IN_PROGRESS = "in_progress"
NOT_STARTED = "not_started"
UNREPORTED = "unreported"  # nobody has said how far it is: no data, not "not started"

# Why a status is what it is, when the figures alone do not say it.
REASON_NO_MEASUREMENT = "no_measurement"
REASON_NO_BASELINE = "no_baseline"
REASON_NO_COMPARISON = "no_comparison"
REASON_NO_COMPARISON_BASELINE = "no_comparison_baseline"
REASON_TOO_FEW_POINTS = "too_few_points"

_HUNDRED = Decimal(100)
# Glide-path values are kept to four decimals: finer than any indicator is shown, and exact
# enough that a figure on the path is never judged off it by rounding.
_PATH_QUANTUM = Decimal("0.0001")


@dataclass(frozen=True)
class Point:
    """One figure: a value for a period."""

    start: date
    end: date
    value: Decimal
    label: str = ""


@dataclass(frozen=True)
class Revision:
    """A revised target ("Det justerede måltal er 20 %"), in force from `effective`."""

    effective: date
    target_value: Decimal | None = None
    margin: Decimal | None = None
    reason: str = ""
    id: int | None = None  # the stored revision's key, handed back in the Result


@dataclass(frozen=True)
class Rule:
    """What a target demands. Built by plans.models.Target.rule() from the stored definition."""

    kind: str
    bound: str
    deadline: date
    target_value: Decimal | None = None
    strict: bool = False
    tolerance: Decimal = Decimal(0)
    measure_from: date | None = None
    baseline: Point | None = None
    change_amount: Decimal | None = None
    change_relative: bool = False
    margin: Decimal = Decimal(0)
    gap_reduction: Decimal | None = None
    comparison_baseline: Decimal | None = None
    milestone_state: str = UNREPORTED
    revisions: tuple[Revision, ...] = ()


@dataclass(frozen=True)
class Result:
    """The engine's answer, with every figure it was computed from."""

    status: str
    forecast: str | None = None
    final: bool = False
    current: Point | None = None
    baseline: Point | None = None
    development: Decimal | None = None
    required: Decimal | None = None
    comparison: Point | None = None
    projected: Decimal | None = None
    required_at_deadline: Decimal | None = None
    revision: Revision | None = None
    reasons: tuple[str, ...] = field(default_factory=tuple)


# -- the rule --------------------------------------------------------------------------------


def compare(value: Decimal, required: Decimal, rule: Rule) -> str:
    """Met, near or not met. Equality meets unless the wording demands strictly under/over."""
    shortfall = value - required if rule.bound == AT_MOST else required - value
    if shortfall < 0 or (shortfall == 0 and not rule.strict):
        return MET
    if rule.tolerance > 0 and shortfall <= rule.tolerance:
        return NEAR
    return NOT_MET


def rule_in_force(rule: Rule, as_of: date) -> tuple[Rule, Revision | None]:
    """The target as revised up to as_of; the original stays in `rule.revisions`' history."""
    in_force = [r for r in rule.revisions if r.effective <= as_of]
    if not in_force:
        return rule, None
    revision = max(in_force, key=lambda r: r.effective)
    changes = {}
    if revision.target_value is not None:
        changes["target_value"] = revision.target_value
    if revision.margin is not None:
        changes["margin"] = revision.margin
    return replace(rule, **changes), revision


def glide_path_value(rule: Rule, year: int) -> Decimal:
    """The expected value in `year` on a straight path from the baseline to the target."""
    start_year, end_year = rule.baseline.end.year, rule.deadline.year
    start, end = rule.baseline.value, rule.target_value
    if year >= end_year or end_year <= start_year:
        return end
    if year <= start_year:
        return start
    step = (end - start) * (year - start_year) / (end_year - start_year)
    return (start + step).quantize(_PATH_QUANTUM)


def _towards_goal(rule: Rule) -> int:
    """+1 where the target asks for a higher value, −1 where it asks for a lower one."""
    return 1 if rule.bound == AT_LEAST else -1


def required_value(
    rule: Rule, current: Point, comparison: Point | None, reasons: list[str]
) -> Decimal | None:
    """The value `current` must reach (at_least) or stay within (at_most)."""
    sign = _towards_goal(rule)
    match rule.kind:
        case "threshold" | "cumulative":
            return rule.target_value
        case "change":
            if rule.baseline is None:
                reasons.append(REASON_NO_BASELINE)
                return None
            amount = rule.change_amount or Decimal(0)
            if rule.change_relative:
                amount = rule.baseline.value * amount / _HUNDRED
            return rule.baseline.value + sign * amount
        case "relative":
            if comparison is None:
                reasons.append(REASON_NO_COMPARISON)
                return None
            if rule.gap_reduction is None:
                return comparison.value + sign * rule.margin
            if rule.baseline is None:
                reasons.append(REASON_NO_BASELINE)
                return None
            if rule.comparison_baseline is None:
                reasons.append(REASON_NO_COMPARISON_BASELINE)
                return None
            # "Gabet skal nedbringes med mindst 0,2 procentpoint": the distance to the
            # comparison area must have moved that much in the good direction since baseline.
            baseline_gap = rule.baseline.value - rule.comparison_baseline
            return comparison.value + baseline_gap + sign * rule.gap_reduction
        case "glide_path":
            if rule.baseline is None:
                reasons.append(REASON_NO_BASELINE)
                return None
            return glide_path_value(rule, current.end.year)
    raise ValueError(f"unknown target kind {rule.kind!r}")


# -- the engine ------------------------------------------------------------------------------


def _window(rule: Rule, series: Sequence[Point], as_of: date) -> list[Point]:
    """The figures that count for the target: from measure_from, to the deadline, known by as_of."""
    last_day = min(as_of, rule.deadline)
    return sorted(
        (
            p
            for p in series
            if p.end <= last_day and (rule.measure_from is None or p.end >= rule.measure_from)
        ),
        key=lambda p: (p.end, p.start),
    )


def _same_period(points: Sequence[Point], period: Point) -> Point | None:
    for p in points:
        if p.start == period.start and p.end == period.end:
            return p
    return None


def evaluate(
    rule: Rule,
    series: Sequence[Point],
    comparison: Sequence[Point] = (),
    *,
    as_of: date,
) -> Result:
    """Evaluate a target on its own area's series (and a comparison area's), as of a date."""
    rule, revision = rule_in_force(rule, as_of)
    final = as_of > rule.deadline
    if rule.kind == MILESTONE:
        return _evaluate_milestone(rule, final, revision)

    window = _window(rule, series, as_of)
    if not window:
        return Result(
            status=NO_DATA,
            final=final,
            baseline=rule.baseline,
            revision=revision,
            reasons=(REASON_NO_MEASUREMENT,),
        )
    if rule.kind == CUMULATIVE:
        return _evaluate_cumulative(rule, window, as_of, final, revision)

    current = window[-1]
    reasons: list[str] = []
    comparison_point = _same_period(comparison, current)
    required = required_value(rule, current, comparison_point, reasons)
    development = current.value - rule.baseline.value if rule.baseline else None
    status = NO_DATA if required is None else compare(current.value, required, rule)
    result = Result(
        status=status,
        final=final,
        current=current,
        baseline=rule.baseline,
        development=development,
        required=required,
        comparison=comparison_point,
        revision=revision,
        reasons=tuple(reasons),
    )
    if final or required is None:
        return result
    return _with_forecast(result, rule, window, comparison_point)


def _with_forecast(
    result: Result, rule: Rule, window: list[Point], comparison: Point | None
) -> Result:
    """Project the trend to the deadline and judge the projection by the same rule."""
    points = list(window)
    if rule.baseline and rule.baseline.end < points[0].end:
        points.insert(0, rule.baseline)
    if len(points) < 2:
        return replace(result, reasons=result.reasons + (REASON_TOO_FEW_POINTS,))
    projected = _project(points, rule.deadline)
    at_deadline = Point(rule.deadline, rule.deadline, projected)
    # The comparison area is assumed to stay where it last stood.
    comparison_at_deadline = (
        Point(rule.deadline, rule.deadline, comparison.value) if comparison else None
    )
    required = required_value(rule, at_deadline, comparison_at_deadline, [])
    if required is None:
        return result
    verdict = compare(projected, required, rule)
    forecast = {MET: ON_TRACK, NEAR: AT_RISK, NOT_MET: OFF_TRACK}[verdict]
    return replace(result, forecast=forecast, projected=projected, required_at_deadline=required)


def _project(points: Sequence[Point], deadline: date) -> Decimal:
    """Least-squares line through the points (x in days), read off at the deadline."""
    origin = points[0].end
    xs = [Decimal((p.end - origin).days) for p in points]
    ys = [p.value for p in points]
    n = Decimal(len(points))
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        return ys[-1]
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    at = Decimal((deadline - origin).days)
    return (mean_y + slope * (at - mean_x)).quantize(_PATH_QUANTUM)


def _evaluate_cumulative(
    rule: Rule, window: list[Point], as_of: date, final: bool, revision: Revision | None
) -> Result:
    """ "Mindst 25 … inden udgangen af 2021": the figures in the window add up."""
    total = sum((p.value for p in window), Decimal(0))
    label = window[-1].label if len(window) == 1 else f"{window[0].label} – {window[-1].label}"
    current = Point(window[0].start, window[-1].end, total, label)
    status = compare(total, rule.target_value, rule)
    result = Result(
        status=status,
        final=final,
        current=current,
        baseline=rule.baseline,
        development=total - rule.baseline.value if rule.baseline else None,
        required=rule.target_value,
        revision=revision,
    )
    if final or status == MET:
        return replace(result, forecast=None if final else ON_TRACK)
    start = rule.measure_from or window[0].start
    elapsed = (window[-1].end - start).days + 1
    whole = (rule.deadline - start).days + 1
    projected = (total * whole / elapsed).quantize(_PATH_QUANTUM)
    verdict = compare(projected, rule.target_value, rule)
    forecast = {MET: ON_TRACK, NEAR: AT_RISK, NOT_MET: OFF_TRACK}[verdict]
    return replace(
        result, forecast=forecast, projected=projected, required_at_deadline=rule.target_value
    )


def _evaluate_milestone(rule: Rule, final: bool, revision: Revision | None) -> Result:
    """A qualitative target: done is met; anything else is not met, and late once past due."""
    if rule.milestone_state == UNREPORTED:
        return Result(
            status=NO_DATA, final=final, revision=revision, reasons=(REASON_NO_MEASUREMENT,)
        )
    if rule.milestone_state == DONE:
        return Result(status=MET, final=final, revision=revision)
    forecast = None
    if not final:
        forecast = ON_TRACK if rule.milestone_state == IN_PROGRESS else AT_RISK
    return Result(status=NOT_MET, forecast=forecast, final=final, revision=revision)


def requirement_series(
    rule: Rule, series: Sequence[Point], comparison: Sequence[Point] = ()
) -> list[tuple[Point, Decimal]]:
    """What each figure of the series was held against, under the rule in force at its end:
    the target line of a chart (flat, a glide path, or following the comparison area)."""
    if rule.kind in (MILESTONE, CUMULATIVE):
        return []
    line = []
    for p in sorted(series, key=lambda p: p.end):
        in_force, _revision = rule_in_force(rule, p.end)
        required = required_value(in_force, p, _same_period(comparison, p), [])
        if required is not None:
            line.append((p, required))
    return line


def at_baseline(
    rule: Rule, comparison_baseline: Decimal | None = None
) -> tuple[Decimal, str] | None:
    """What the target demands at its deadline if everything stayed where the baseline stands,
    and whether the baseline itself would meet it: the starting point a card shows before the
    first figure of the target's window. None where that cannot be said (no baseline, a
    relative target without the comparison area's baseline figure, a cumulative count or a
    milestone, which have no level to hold)."""
    if rule.baseline is None or rule.kind in (MILESTONE, CUMULATIVE):
        return None
    in_force, _revision = rule_in_force(rule, rule.deadline)
    if in_force.kind == RELATIVE and in_force.gap_reduction is not None:
        in_force = replace(in_force, comparison_baseline=comparison_baseline)
    # The deadline's requirement: a glide path's last value, not the baseline year's.
    at_deadline = Point(rule.deadline, rule.deadline, rule.baseline.value)
    comparison = (
        Point(rule.deadline, rule.deadline, comparison_baseline)
        if comparison_baseline is not None
        else None
    )
    required = required_value(in_force, at_deadline, comparison, [])
    if required is None:
        return None
    return required, compare(rule.baseline.value, required, in_force)


def target_path(rule: Rule, start: date) -> list[tuple[date, Decimal]]:
    """The target over its whole window, from `start` to the deadline, as a chart draws it
    before and beside the figures: a threshold or a change flat (stepping where a revision
    takes effect), a glide path from the baseline year by year to its target ("fra ca. 25 %
    i 2016 til højst 20 % i 2025"). Empty where the requirement follows a comparison area's
    figures (requirement_series draws that), and for a count or a milestone."""
    if rule.kind not in (THRESHOLD, CHANGE, GLIDE_PATH) or start > rule.deadline:
        return []
    if rule.kind != THRESHOLD and rule.baseline is None:
        return []
    days = {start, rule.deadline}
    days |= {r.effective for r in rule.revisions if start < r.effective <= rule.deadline}
    if rule.kind == GLIDE_PATH:
        # The path's values are the years': drawn at each year's end, from the baseline's.
        days = {rule.baseline.end, rule.deadline}
        days |= {date(year, 12, 31) for year in range(rule.baseline.end.year, rule.deadline.year)}
    path = []
    for day in sorted(days):
        in_force, _revision = rule_in_force(rule, day)
        if in_force.target_value is None and rule.kind != CHANGE:
            continue
        value = required_value(in_force, Point(day, day, Decimal(0)), None, [])
        if value is not None:
            path.append((day, value))
    return path
