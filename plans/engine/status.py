"""The status rule: pure functions from a target's definition and its figures to a status.

No ORM, no I/O, so every edge can be tested directly and the stored statuses
(plans.models.TargetStatus) are only a cache of it. Which of these functions a kind of target
follows is said by its entry in the registry of kinds (plans.engine.kinds), whose `evaluate`
is the engine's entry point.

Arithmetic is Decimal throughout: "min. 0,3 under landsgennemsnittet" with 2,1 against 2,4
is met because 2,4 − 0,3 is exactly 2,1.
"""

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from operator import attrgetter
from typing import NamedTuple

# Statuses: where the figures stand against the target.
MET = "met"
NEAR = "near"
NOT_MET = "not_met"
NO_DATA = "no_data"

# Forecasts: where the trend leads by the deadline, for targets whose deadline lies ahead.
ON_TRACK = "on_track"
AT_RISK = "at_risk"
OFF_TRACK = "off_track"

AT_MOST = "at_most"
AT_LEAST = "at_least"

DONE = "done"
IN_PROGRESS = "in_progress"
NOT_STARTED = "not_started"
UNREPORTED = "unreported"  # nobody has said how far it is: no data, not "not started"

# What a comparables target holds the municipality's figure against.
MEAN = "mean"
MEDIAN = "median"
BEST = "best"

# What each figure of a cumulative target is: a count for its own period (they add up), or a
# running total so far ("… forløb indtil nu", the latest is the total).
PER_PERIOD = "per_period"
RUNNING_TOTAL = "running_total"

# Why a status is what it is, when the figures alone do not say it.
REASON_NO_MEASUREMENT = "no_measurement"
REASON_NO_BASELINE = "no_baseline"
REASON_NO_COMPARISON = "no_comparison"
REASON_NO_COMPARISON_BASELINE = "no_comparison_baseline"
REASON_TOO_FEW_POINTS = "too_few_points"
REASON_NO_EXPECTED = "no_expected"  # no expected level for the period of the actual figure
REASON_NO_PEERS = "no_peers"  # no other municipality has a figure for the period
REASON_NO_COMPARABLES = "no_comparables"  # the municipality has named no comparables
REASON_PEERS_MISSING = "peers_missing"  # some comparables have no figure: judged on the others

_HUNDRED = Decimal(100)
# Glide-path values are kept to four decimals: finer than any indicator is shown, and exact
# enough that a figure on the path is never judged off it by rounding.
_PATH_QUANTUM = Decimal("0.0001")


class Point(NamedTuple):
    """One figure: a value for a period. A named tuple rather than a frozen dataclass (the same
    fields, equality, immutability and repr): recomputing every status makes seventy thousand,
    and a tuple is made in a third of the time."""

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
    # The first day the target itself counts from; None: from the first figure's start (the
    # window still starts at measure_from, the plan's start when the target gives none).
    count_from: date | None = None
    count_mode: str = PER_PERIOD
    # Rank and comparables targets: the indicator's good direction, how to rank.
    lower_is_better: bool = True
    rank_published: bool = False  # the figures are themselves the rank (y30r21's placering)
    comparable_measure: str = MEAN


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
    # Rank and comparables: the place (1 = best), among how many, whether it is shared; and
    # how many of the named comparables had a figure, of how many.
    rank: int | None = None
    ranked: int | None = None
    tied: bool = False
    peers_counted: int | None = None
    peers_named: int | None = None


@dataclass(frozen=True)
class Peers:
    """Other municipalities' figures, for rank and comparables targets: every municipality's
    value by period (start, end), keyed by whatever the caller uses (an area id), with the
    target's own municipality among them as `own`, and its named comparables as `group`."""

    own: object
    values: Mapping[tuple[date, date], Mapping[object, Decimal]] = field(default_factory=dict)
    group: frozenset = frozenset()


# -- ranking: pure, shared with the one-indicator page ------------------------------------------


@dataclass(frozen=True)
class Ranked:
    area: object  # whatever the caller ranks: an Area, a name, an id
    value: Decimal
    rank: int  # 1 = best
    tied: bool  # another area has the same value, and so the same rank


def ranking(pairs, *, lower_is_better: bool) -> list[Ranked]:
    """(area, value) pairs ranked best first. Equal values share a rank and the next rank
    skips the places they took (1, 2, 2, 4), as a league table counts; within a tie the
    original order of the pairs is kept."""
    pairs = list(pairs)
    ordered = sorted(pairs, key=lambda pair: pair[1], reverse=not lower_is_better)
    counts = Counter(value for _area, value in pairs)
    ranked, rank, previous = [], 0, None
    for place, (area, value) in enumerate(ordered, start=1):
        if value != previous:
            rank, previous = place, value
        ranked.append(Ranked(area, value, rank, counts[value] > 1))
    return ranked


def middle(values: Sequence[Decimal]) -> Decimal | None:
    """The median, exact: the mean of the two middle values for an even count."""
    ordered = sorted(values)
    n = len(ordered)
    if not n:
        return None
    if n % 2:
        return ordered[n // 2]
    return (ordered[n // 2 - 1] + ordered[n // 2]) / 2


def mean(values: Sequence[Decimal]) -> Decimal | None:
    return sum(values, Decimal(0)) / len(values) if values else None


# The inputs a kind may ask for (its registry entry's `inputs`): the selector that gathers a
# target's figures reads the entry and fills only these. A kind that needs more (an expected
# series, every municipality's values for the period, a group's values) adds a field here, its
# name to INPUTS, and a gatherer for it in the selectors.
SERIES = "series"  # the municipality's own series of the indicator
COMPARISON = "comparison"  # the comparison area's series, and its figure for the baseline
EXPECTED = "expected"  # the municipality's expected level (y30r21 "Forventet andel")
PEERS = "peers"  # every municipality's figure for the period, and the named comparables
INPUTS = (SERIES, COMPARISON, EXPECTED, PEERS)


@dataclass(frozen=True)
class Inputs:
    """What a target is evaluated on."""

    series: Sequence[Point] = ()
    comparison: Sequence[Point] = ()
    expected: Sequence[Point] = ()
    peers: Peers | None = None

    def held_at(self, period: Point, deadline: date) -> "Inputs":
        """The inputs as assumed at the deadline for a forecast: the comparison area stays where
        it stood in `period`."""
        point = _same_period(self.comparison, period)
        expected = _same_period(self.expected, period)
        return Inputs(  # not dataclasses.replace: a refresh makes thousands, and it costs more
            series=self.series,
            comparison=(Point(deadline, deadline, point.value),) if point else (),
            expected=(Point(deadline, deadline, expected.value),) if expected else (),
            peers=self.peers,
        )


# What a measured kind holds its current figure against: the value `current` must reach
# (at_least) or stay within (at_most), or None with the reason appended.
RequiredValue = Callable[[Rule, Point, Inputs, list[str]], Decimal | None]


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


def required_target_value(
    rule: Rule, current: Point, inputs: Inputs, reasons: list[str]
) -> Decimal | None:
    """ "Maksimalt 1.075": the target value itself."""
    return rule.target_value


def required_change(
    rule: Rule, current: Point, inputs: Inputs, reasons: list[str]
) -> Decimal | None:
    """ "Skal falde med 5 %": the baseline moved by the change, in the good direction."""
    if rule.baseline is None:
        reasons.append(REASON_NO_BASELINE)
        return None
    amount = rule.change_amount or Decimal(0)
    if rule.change_relative:
        amount = rule.baseline.value * amount / _HUNDRED
    return rule.baseline.value + _towards_goal(rule) * amount


def required_relative(
    rule: Rule, current: Point, inputs: Inputs, reasons: list[str]
) -> Decimal | None:
    """ "Min. 0,3 under landsgennemsnittet": the comparison area's figure for the same period,
    with the margin on the good side (or the gap to it reduced since the baseline)."""
    sign = _towards_goal(rule)
    comparison = _same_period(inputs.comparison, current)
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


def required_glide_path(
    rule: Rule, current: Point, inputs: Inputs, reasons: list[str]
) -> Decimal | None:
    """The straight path from the baseline to the target value, read at current's year."""
    if rule.baseline is None:
        reasons.append(REASON_NO_BASELINE)
        return None
    return glide_path_value(rule, current.end.year)


def required_expected(
    rule: Rule, current: Point, inputs: Inputs, reasons: list[str]
) -> Decimal | None:
    """ "Faktisk andel højst forventet andel − 0,5 pct.-point", "mindst på forventet niveau":
    the expected level for the same period (y30r21), with the margin on the good side."""
    expected = _same_period(inputs.expected, current)
    if expected is None:
        reasons.append(REASON_NO_EXPECTED)
        return None
    return expected.value + _towards_goal(rule) * rule.margin


def required_published_rank(
    rule: Rule, current: Point, inputs: Inputs, reasons: list[str]
) -> Decimal | None:
    """A published rank's line: flat at the place asked (a computed rank has no line on the
    figures' axis)."""
    return rule.target_value if rule.rank_published else None


def required_comparables(
    rule: Rule, current: Point, inputs: Inputs, reasons: list[str]
) -> Decimal | None:
    """The comparables' mean, median or best for current's period, with the margin: the
    chart's line of a comparables target."""
    if inputs.peers is None:
        return None
    group = comparables_of(_peer_values(current, inputs.peers), inputs.peers)
    if not group:
        return None
    return comparables_reference(rule, group) + _towards_goal(rule) * rule.margin


# -- the engine ------------------------------------------------------------------------------


def counted_window(rule: Rule, series: Sequence[Point], as_of: date) -> list[Point]:
    """The figures that count for the target: from measure_from, to the deadline, known by as_of."""
    last_day = min(as_of, rule.deadline)
    first_day = rule.measure_from or date.min
    return sorted((p for p in series if first_day <= p.end <= last_day), key=_BY_END)


# Figures in time order: by end, then start (attrgetter: a refresh sorts seventy thousand).
_BY_END = attrgetter("end", "start")


def _same_period(points: Sequence[Point], period: Point) -> Point | None:
    for p in points:
        if p.start == period.start and p.end == period.end:
            return p
    return None


def measured(required: RequiredValue) -> Callable[[Rule, Inputs, date], Result]:
    """The engine of a kind that holds the latest figure against a required value, with a
    forecast while the deadline lies ahead."""

    def evaluate(rule: Rule, inputs: Inputs, as_of: date) -> Result:
        rule, revision = rule_in_force(rule, as_of)
        final = as_of > rule.deadline
        window = counted_window(rule, inputs.series, as_of)
        if not window:
            return _no_measurement(rule, final, revision)
        current = window[-1]
        reasons: list[str] = []
        value = required(rule, current, inputs, reasons)
        # The forecast while the deadline lies ahead, in the one Result built (a refresh
        # evaluates thousands of targets, and copying each Result to add it cost more).
        forecast = {}
        if not final and value is not None:
            at_deadline = inputs.held_at(current, rule.deadline)
            forecast = _forecast(rule, window, at_deadline, required)
        return Result(
            status=NO_DATA if value is None else compare(current.value, value, rule),
            final=final,
            current=current,
            baseline=rule.baseline,
            development=current.value - rule.baseline.value if rule.baseline else None,
            required=value,
            # what the figure was compared with: the comparison area's, or the expected level
            comparison=_same_period(inputs.comparison, current)
            or _same_period(inputs.expected, current),
            revision=revision,
            reasons=tuple(reasons) + forecast.pop("reasons", ()),
            **forecast,
        )

    return evaluate


def _no_measurement(rule: Rule, final: bool, revision: Revision | None) -> Result:
    return Result(
        status=NO_DATA,
        final=final,
        baseline=rule.baseline,
        revision=revision,
        reasons=(REASON_NO_MEASUREMENT,),
    )


def _forecast(
    rule: Rule, window: list[Point], at_deadline: Inputs, required: RequiredValue
) -> dict:
    """Project the trend to the deadline and judge the projection by the same rule: the
    Result's forecast fields, the reason there is none, or nothing."""
    points = list(window)
    if rule.baseline and rule.baseline.end < points[0].end:
        points.insert(0, rule.baseline)
    if len(points) < 2:
        return {"reasons": (REASON_TOO_FEW_POINTS,)}
    projected = _project(points, rule.deadline)
    value = required(rule, Point(rule.deadline, rule.deadline, projected), at_deadline, [])
    if value is None:
        return {}
    verdict = compare(projected, value, rule)
    forecast = {MET: ON_TRACK, NEAR: AT_RISK, NOT_MET: OFF_TRACK}[verdict]
    return {"forecast": forecast, "projected": projected, "required_at_deadline": value}


def _project(points: Sequence[Point], deadline: date) -> Decimal:
    """Least-squares line through the points (x in days), read off at the deadline."""
    # In sums scaled by n, so that everything but the slope's one division is exact: the days
    # are whole numbers (integer sums, which cost a fraction of Decimal ones; every status
    # refresh projects thousands of targets) and the values Decimals of six places at most.
    origin = points[0].end
    xs = [(p.end - origin).days for p in points]
    ys = [p.value for p in points]
    n = len(points)
    sum_x, sum_y = sum(xs), sum(ys, Decimal(0))
    spread = n * sum(x * x for x in xs) - sum_x * sum_x  # n² × the variance of x
    if spread == 0:
        return ys[-1]
    covariance = n * sum((x * y for x, y in zip(xs, ys, strict=True)), Decimal(0)) - sum_x * sum_y
    slope = covariance / spread
    at = (deadline - origin).days
    return ((sum_y + slope * (n * at - sum_x)) / n).quantize(_PATH_QUANTUM)


def evaluate_cumulative(rule: Rule, inputs: Inputs, as_of: date) -> Result:
    """ "Mindst 25 … inden udgangen af 2021": the figures in the window add up, or, where each
    figure is a running total so far, the latest is the total."""
    rule, revision = rule_in_force(rule, as_of)
    final = as_of > rule.deadline
    window = counted_window(rule, inputs.series, as_of)
    if not window:
        return _no_measurement(rule, final, revision)
    if rule.count_mode == RUNNING_TOTAL:
        current = window[-1]
        total = current.value
    else:
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
    # The pace is counted from the target's own start, else from where the counted figures
    # begin: a quarter's count is a quarter's pace, not one spread over the plan's years.
    start = rule.count_from or current.start
    elapsed = (window[-1].end - start).days + 1
    whole = (rule.deadline - start).days + 1
    projected = (total * whole / elapsed).quantize(_PATH_QUANTUM)
    verdict = compare(projected, rule.target_value, rule)
    forecast = {MET: ON_TRACK, NEAR: AT_RISK, NOT_MET: OFF_TRACK}[verdict]
    return replace(
        result, forecast=forecast, projected=projected, required_at_deadline=rule.target_value
    )


def _peer_values(current: Point, peers: Peers | None) -> dict:
    """Every municipality's figure for the current figure's period, the target's own one
    being the current figure itself."""
    if peers is None:
        return {}
    values = dict(peers.values.get((current.start, current.end)) or {})
    values[peers.own] = current.value
    return values


def _place(values: Mapping, own, rule: Rule) -> tuple[int, int, bool]:
    """(rank, how many ranked, shared) of `own` among the values."""
    for entry in ranking(values.items(), lower_is_better=rule.lower_is_better):
        if entry.area == own:
            return entry.rank, len(values), entry.tied
    raise KeyError(own)  # _peer_values always puts own among them


def comparables_of(values: Mapping, peers: Peers) -> dict:
    """The named comparables' figures among the values (the municipality itself left out)."""
    return {k: v for k, v in values.items() if k in peers.group and k != peers.own}


def comparables_reference(rule: Rule, group: Mapping) -> Decimal:
    """What "sammenlignelige kommuner" stand at: their mean, their median, or their best
    ("bedst blandt sammenlignelige kommuner": at least as good as the best of them, a shared
    first place meeting it)."""
    figures = list(group.values())
    if rule.comparable_measure == BEST:
        return (min if rule.lower_is_better else max)(figures)
    if rule.comparable_measure == MEDIAN:
        return middle(figures)
    return mean(figures)


def _against_peers(rule: Rule, inputs: Inputs, as_of: date):
    """The rule in force, and the municipality's latest counted figure with the base Result,
    or the finished Result when there is no figure. No forecast for these kinds: a place
    depends on the others' figures, which no trend of one's own foretells."""
    rule, revision = rule_in_force(rule, as_of)
    final = as_of > rule.deadline
    window = counted_window(rule, inputs.series, as_of)
    if not window:
        return rule, None, _no_measurement(rule, final, revision)
    current = window[-1]
    return rule, current, Result(status=NO_DATA, final=final, current=current, revision=revision)


def evaluate_rank(rule: Rule, inputs: Inputs, as_of: date) -> Result:
    """ "Placering højst 20", "blandt de 20 bedste": the place among every municipality's
    figure for the period of the municipality's latest one (ties shared), or the published
    place when the figures are the rank (y30r21 "Placering på benchmarkranglisten")."""
    rule, current, base = _against_peers(rule, inputs, as_of)
    if current is None:
        return base
    values = _peer_values(current, inputs.peers)
    if rule.rank_published:
        rank = int(current.value)
        shared = sum(1 for v in values.values() if v == current.value) > 1
        ranked = len(values) if len(values) > 1 else None
    else:
        if len(values) < 2:
            return replace(base, reasons=(REASON_NO_PEERS,))
        rank, ranked, shared = _place(values, inputs.peers.own, rule)
    status = compare(Decimal(rank), rule.target_value, replace(rule, bound=AT_MOST))
    return replace(
        base, status=status, required=rule.target_value, rank=rank, ranked=ranked, tied=shared
    )


def evaluate_comparables(rule: Rule, inputs: Inputs, as_of: date) -> Result:
    """ "Bedre end gennemsnittet (medianen) af sammenlignelige kommuner", "bedst blandt
    sammenlignelige kommuner": the figure against the named comparables' figures for the same
    period; those without a figure are left out, and said."""
    rule, current, base = _against_peers(rule, inputs, as_of)
    if current is None:
        return base
    peers = inputs.peers
    named = len(peers.group) if peers is not None else 0
    if not named:
        return replace(base, reasons=(REASON_NO_COMPARABLES,))
    group = comparables_of(_peer_values(current, peers), peers)
    base = replace(base, peers_counted=len(group), peers_named=named)
    if not group:
        return replace(base, reasons=(REASON_NO_PEERS,))
    if rule.comparable_measure == BEST:
        rank, ranked, shared = _place({**group, peers.own: current.value}, peers.own, rule)
        base = replace(base, rank=rank, ranked=ranked, tied=shared)
    reference = comparables_reference(rule, group)
    required = reference + _towards_goal(rule) * rule.margin
    return replace(
        base,
        status=compare(current.value, required, rule),
        required=required,
        comparison=Point(current.start, current.end, reference),
        reasons=(REASON_PEERS_MISSING,) if len(group) < named else (),
    )


def evaluate_milestone(rule: Rule, inputs: Inputs, as_of: date) -> Result:
    """A qualitative target: done is met; anything else is not met, and late once past due."""
    rule, revision = rule_in_force(rule, as_of)
    final = as_of > rule.deadline
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
    rule: Rule, required: RequiredValue, inputs: Inputs
) -> list[tuple[Point, Decimal]]:
    """What each figure of the series was held against, under the rule in force at its end:
    the target line of a chart (flat, a glide path, or following the comparison area)."""
    line = []
    for p in sorted(inputs.series, key=lambda p: p.end):
        in_force, _revision = rule_in_force(rule, p.end)
        value = required(in_force, p, inputs, [])
        if value is not None:
            line.append((p, value))
    return line


def at_baseline(
    rule: Rule, required: RequiredValue, comparison_baseline: Decimal | None = None
) -> tuple[Decimal, str] | None:
    """What the target demands at its deadline if everything stayed where the baseline stands,
    and whether the baseline itself would meet it: the starting point a card shows before the
    first figure of the target's window. None where that cannot be said (no baseline, a
    relative target without the comparison area's baseline figure). Which kinds have such a
    level is the registry's (plans.engine.kinds.at_baseline)."""
    if rule.baseline is None:
        return None
    in_force, _revision = rule_in_force(rule, rule.deadline)
    if in_force.gap_reduction is not None:
        in_force = replace(in_force, comparison_baseline=comparison_baseline)
    # The deadline's requirement: a glide path's last value, not the baseline year's.
    at_deadline = Point(rule.deadline, rule.deadline, rule.baseline.value)
    comparison = ()
    if comparison_baseline is not None:
        comparison = (Point(rule.deadline, rule.deadline, comparison_baseline),)
    value = required(in_force, at_deadline, Inputs(series=(), comparison=comparison), [])
    if value is None:
        return None
    return value, compare(rule.baseline.value, value, in_force)


FLAT = "flat"  # a target drawn level over its window, stepping where a revision takes effect
YEARLY = "yearly"  # a glide path, drawn at each year's end from the baseline's


def target_path(
    rule: Rule, required: RequiredValue, start: date, *, yearly: bool = False
) -> list[tuple[date, Decimal]]:
    """The target over its whole window, from `start` to the deadline, as a chart draws it
    before and beside the figures: level (stepping where a revision takes effect), or a glide
    path from the baseline year by year to its target ("fra ca. 25 % i 2016 til højst 20 % i
    2025")."""
    if start > rule.deadline:
        return []
    days = {start, rule.deadline}
    days |= {r.effective for r in rule.revisions if start < r.effective <= rule.deadline}
    if yearly:
        if rule.baseline is None or rule.target_value is None:
            return []
        days = {rule.baseline.end, rule.deadline}
        days |= {date(year, 12, 31) for year in range(rule.baseline.end.year, rule.deadline.year)}
    path = []
    for day in sorted(days):
        in_force, _revision = rule_in_force(rule, day)
        value = required(in_force, Point(day, day, Decimal(0)), Inputs(series=()), [])
        if value is not None:
            path.append((day, value))
    return path
