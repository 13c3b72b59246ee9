"""The registry of target kinds: one entry per kind, read by every consumer.

An entry says what the status engine (plans.engine.status) does with a target of the kind and which
inputs it needs, which definition fields the kind uses and requires, what a revision may
change, the admin's fieldset, the card's requirement text and the chart's target line. The
model's choices and validation, the target form and its template, the API's serializer, the
admin, the card and the chart all read this module; none of them names a kind or a kind's
fields itself.

Adding a kind: an entry in KINDS (its engine function in plans.engine.status; if it needs
figures beyond the municipality's own series and one comparison area, a new field of
plans.engine.status.Inputs and its gatherer in plans.selectors.targets.evaluate_targets), a
migration for Target.kind's choices, tests, translations and the docs.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from plans.engine import status as engine

THRESHOLD = "threshold"
CHANGE = "change"
RELATIVE = "relative"
GLIDE_PATH = "glide_path"
CUMULATIVE = "cumulative"
MILESTONE = "milestone"
# Against a benchmark (DOMAIN.md kind 7)
EXPECTED = "expected"
RANK = "rank"
COMPARABLES = "comparables"

# Every field a kind may ask for, with the value it keeps when its kind does not ask for it
# (or it is left empty): changing a target's kind leaves nothing of the old kind behind.
FIELD_DEFAULTS: Mapping[str, object] = {
    "bound": engine.AT_LEAST,
    "strict": False,
    "target_value": None,
    "tolerance": Decimal(0),
    "change_amount": None,
    "change_relative": False,
    "comparison_area": None,
    "margin": Decimal(0),
    "gap_reduction": None,
    "milestone_state": engine.UNREPORTED,
    "count_mode": engine.PER_PERIOD,
    "rank_published": False,
    "comparable_measure": engine.MEAN,
}

# What a kind requires, and the message when it is missing (model validation, form and API).
NEEDS_TARGET_VALUE = _("This kind of target needs a target value.")
NEEDS_BOUND = _("Choose at most or at least: this kind of target needs it.")


def rank_requirement(target, required: Decimal, formatted: str) -> str:
    """ "højst nr. 20": a place, whatever the indicator's unit."""
    return _("at most no. %(place)s") % {"place": f"{required:f}".split(".")[0]}


def bound_requirement(target, required: Decimal, formatted: str) -> str:
    """ "højst 1.075", "mindst 70,0 %", "under 7,4 %": the bound in words and the value."""
    return f"{bound_word(target)} {formatted}"


def bound_word(target, *, heading=False):
    """The requirement's word: "højst", "mindst", "under", "over" inside a sentence ("969 mod
    højst 1.075"), and "Maksimalt", "Minimum", "Under", "Over" heading the Måltal line, as the
    documents write it ("Måltal 2023: Maksimalt 1.075")."""
    at_most = target.bound == engine.AT_MOST
    if target.strict:
        if heading:
            return (
                pgettext_lazy("target line", "Under")
                if at_most
                else pgettext_lazy("target line", "Over")
            )
        return (
            pgettext_lazy("requirement", "under")
            if at_most
            else pgettext_lazy("requirement", "over")
        )
    if heading:
        return (
            pgettext_lazy("target line", "At most")
            if at_most
            else pgettext_lazy("target line", "At least")
        )
    return _("at most") if at_most else _("at least")


# The card's Måltal line ("Maksimalt 950"), per kind: (target, revision in force, a function
# formatting a value as the documents write it) -> text.
def _in_force(target, revision, name: str):
    """The definition's value `name` (target_value, margin), or the revision's where it sets one."""
    revised = getattr(revision, name, None) if revision is not None else None
    return getattr(target, name) if revised is None else revised


def value_line(target, revision, fmt) -> str:
    """ "Maksimalt 950": the target value, or the revised one in force."""
    value = _in_force(target, revision, "target_value")
    if value is None:
        return target.wording
    return f"{bound_word(target, heading=True)} {fmt(value)}"


def change_line(target, revision, fmt) -> str:
    """ "Maksimalt 1.021": the baseline moved by the change."""
    if target.baseline_value is None:
        at_most = target.bound == engine.AT_MOST
        return _("Lower than the baseline") if at_most else _("Higher than the baseline")
    rule = target.rule()
    required = engine.required_change(rule, rule.baseline, engine.Inputs(), [])
    return f"{bound_word(target, heading=True)} {fmt(required)}"


def relative_line(target, revision, fmt) -> str:
    """ "Mindst 1,0 %-point under Hele landet", "Gabet til Hele landet mindsket med …"."""
    margin = _in_force(target, revision, "margin")
    area = target.comparison_area.name
    below = target.bound == engine.AT_MOST
    distance = target.indicator.format_development
    if target.gap_reduction is not None:
        return _("The gap to %(area)s reduced by at least %(distance)s") % {
            "area": area, "distance": distance(target.gap_reduction, sign=False)}  # fmt: skip
    if margin:
        text = (
            _("At least %(distance)s below %(area)s")
            if below
            else _("At least %(distance)s above %(area)s")
        )
        return text % {"distance": distance(margin, sign=False), "area": area}
    if target.strict:
        return (_("Below %(area)s") if below else _("Above %(area)s")) % {"area": area}
    text = _("At most level with %(area)s") if below else _("At least level with %(area)s")
    return text % {"area": area}


def rank_line(target, revision, fmt) -> str:
    """ "Højst nr. 20": a place, not a figure in the indicator's unit ("Maksimalt 20 %")."""
    value = _in_force(target, revision, "target_value")
    if value is None:
        return target.wording
    return capfirst(rank_requirement(target, value, ""))


def expected_line(target, revision, fmt) -> str:
    """ "Mindst 0,2 %-point bedre end forventet", "Mindst på forventet niveau"."""
    margin = _in_force(target, revision, "margin")
    if margin:
        distance = target.indicator.format_development(margin, sign=False)
        return _("At least %(distance)s better than expected") % {"distance": distance}
    return _("At least at the expected level")


# "Bedre end gennemsnittet af de sammenlignelige kommuner": each measure its own sentences, so
# each reads as Danish; with a margin, strictly better, or at least level with it.
_COMPARABLES_LINES = {
    engine.MEAN: (
        _("At least %(distance)s better than the average of the comparable municipalities"),
        _("Better than the average of the comparable municipalities"),
        _("At least level with the average of the comparable municipalities"),
    ),
    engine.MEDIAN: (
        _("At least %(distance)s better than the median of the comparable municipalities"),
        _("Better than the median of the comparable municipalities"),
        _("At least level with the median of the comparable municipalities"),
    ),
}


def comparables_line(target, revision, fmt) -> str:
    """ "Bedre end gennemsnittet af de sammenlignelige kommuner", "Bedst blandt …"."""
    if target.comparable_measure == engine.BEST:
        return _("The best among the comparable municipalities")
    with_margin, strictly, level = _COMPARABLES_LINES[target.comparable_measure]
    margin = _in_force(target, revision, "margin")
    if margin:
        return with_margin % {"distance": target.indicator.format_development(margin, sign=False)}
    return strictly if target.strict else level


def wording_line(target, revision, fmt) -> str:
    """A milestone has no value: its wording is the line."""
    return target.wording


@dataclass(frozen=True)
class Example:
    """What the synthetic national data set (plans.tools.national) knows when it makes a
    target of some kind on an indicator: a plausible level, its direction and unit, a baseline
    period and a comparison area."""

    level: Decimal
    at_most: bool
    share: bool
    baseline_period: object
    comparison_area: object
    month_kind: str  # the period kind of monthly figures
    has_expected: bool = False  # the indicator has an expected level (y30r21's kind)


def _example_value(e: Example) -> dict:
    return {"target_value": e.level,
            "wording": f"{'Maksimalt' if e.at_most else 'Minimum'} {e.level}"}  # fmt: skip


def _example_change(e: Example) -> dict:
    return {
        "baseline_value": e.level,
        "baseline_period": e.baseline_period,
        "change_amount": Decimal(-5 if e.at_most else 5),
        "change_relative": not e.share,
        "wording": "Skal falde med 5 %" if e.at_most else "Skal stige med 5 %",
    }


def _example_relative(e: Example) -> dict:
    return {"comparison_area": e.comparison_area,
            "margin": Decimal("0.3") if e.share else Decimal(0),
            "wording": "Bedre end landsgennemsnittet"}  # fmt: skip


def _example_glide_path(e: Example) -> dict:
    return {**_example_value(e), "baseline_value": e.level, "baseline_period": e.baseline_period}


def _example_cumulative(e: Example) -> dict | None:
    if e.share:
        return None  # shares do not add up
    return {"target_value": e.level * 12, "bound": engine.AT_LEAST, "period_kind": e.month_kind,
            "wording": f"{e.level * 12} i alt i 2025-2026"}  # fmt: skip


def _example_expected(e: Example) -> dict | None:
    if not e.has_expected:
        return None
    return {"margin": Decimal("0.2"), "wording": "Mindst 0,2 pct.-point bedre end forventet"}


def _example_rank(e: Example) -> dict:
    return {"target_value": Decimal(20), "wording": "Blandt de 20 bedste kommuner"}


def _example_comparables(e: Example) -> dict:
    return {"wording": "Bedre end gennemsnittet af sammenlignelige kommuner"}


def _example_milestone(e: Example) -> dict:
    return {"indicator": None, "wording": "Ny indsats er i gang"}


@dataclass(frozen=True)
class Kind:
    key: str
    label: Promise
    # The engine: (rule, inputs, as_of) -> Result.
    evaluate: Callable[[engine.Rule, engine.Inputs, date], engine.Result]
    # The definition fields the kind asks for (beyond title, wording, indicator, deadline, the
    # period kind and the baseline), in the form's order.
    fields: tuple[str, ...]
    # Fields that must have a value, with the message when they do not (the model's clean()
    # asks; "bound", which has a stored default, is asked of every kind that uses it by
    # bound_problem, in the form and the API).
    required: Mapping[str, Promise] = field(default_factory=dict)
    # Which plans.engine.status.Inputs the selectors gather for it.
    inputs: frozenset[str] = frozenset({engine.SERIES})
    # False for a kind judged without figures (a milestone): no indicator, the card shows the
    # reported state instead of a value.
    measured: bool = True
    # The one value a revision ("Det justerede måltal er 20 %") changes, or None.
    revisable: str | None = None
    # The admin's fieldset for the fields of this kind only, or None.
    admin_fieldset: tuple[Promise, tuple[str, ...]] | None = None
    # The chart's target line: the required value for each figure, or None for no line.
    line: engine.RequiredValue | None = None
    # The target drawn over its whole window, before and beside the figures: engine.FLAT
    # (stepping where a revision takes effect) or engine.YEARLY (a glide path's years); None
    # where the requirement follows other figures (a comparison area, the expected level).
    path: str | None = None
    # Whether the baseline can be held against the requirement before the first figure (the
    # card's "Udgangspunkt"): a level the baseline is a figure of, not a count or a place.
    judged_at_baseline: bool = False
    # The card's "what it was held against" (target, required value, that value formatted).
    requirement: Callable[[object, Decimal, str], str] = bound_requirement
    # The card's Måltal line, derived from the definition (value_line, change_line, …).
    target_line: Callable[[object, object, Callable[[Decimal], str]], str] = value_line
    # True where "better" is the indicator's good direction ("bedre end forventet"): the
    # requirement (bound) then follows the indicator, never a choice that could contradict it.
    directed: bool = False
    # The synthetic national data set: the definition of an example target (None where the
    # kind does not fit the indicator), and how many of every 20 targets are of this kind.
    example: Callable[[Example], dict | None] | None = None
    share_of_twenty: int = 0

    def defaults(self) -> dict[str, object]:
        """The values of the fields this kind does not ask for."""
        return {n: d for n, d in FIELD_DEFAULTS.items() if n not in self.fields}


KINDS: tuple[Kind, ...] = (
    Kind(
        THRESHOLD,
        _("threshold"),
        engine.measured(engine.required_target_value),
        fields=("bound", "strict", "target_value", "tolerance"),
        required={"target_value": NEEDS_TARGET_VALUE},
        revisable="target_value",
        line=engine.required_target_value,
        path=engine.FLAT,
        judged_at_baseline=True,
        example=_example_value,
        share_of_twenty=3,  # three of the seeds' six give way to the benchmark kinds
    ),
    Kind(
        CHANGE,
        _("change from baseline"),
        engine.measured(engine.required_change),
        target_line=change_line,
        fields=("bound", "strict", "change_amount", "change_relative", "tolerance"),
        admin_fieldset=(
            pgettext_lazy("target fieldset", "Change"),
            ("change_amount", "change_relative"),
        ),
        line=engine.required_change,
        path=engine.FLAT,
        judged_at_baseline=True,
        example=_example_change,
        share_of_twenty=4,
    ),
    Kind(
        RELATIVE,
        _("relative to a comparison area"),
        engine.measured(engine.required_relative),
        target_line=relative_line,
        fields=("bound", "strict", "comparison_area", "margin", "gap_reduction", "tolerance"),
        required={"comparison_area": _("A relative target needs a comparison area.")},
        inputs=frozenset({engine.SERIES, engine.COMPARISON}),
        revisable="margin",
        admin_fieldset=(_("Comparison"), ("comparison_area", "margin", "gap_reduction")),
        line=engine.required_relative,
        judged_at_baseline=True,
        example=_example_relative,
        share_of_twenty=6,
    ),
    Kind(
        GLIDE_PATH,
        _("glide path"),
        engine.measured(engine.required_glide_path),
        fields=("bound", "target_value", "tolerance"),
        required={"target_value": NEEDS_TARGET_VALUE},
        revisable="target_value",
        line=engine.required_glide_path,
        path=engine.YEARLY,
        judged_at_baseline=True,
        example=_example_glide_path,
        share_of_twenty=2,
    ),
    Kind(
        CUMULATIVE,
        _("cumulative count by a deadline"),
        engine.evaluate_cumulative,
        fields=("bound", "target_value", "count_mode", "tolerance"),
        required={"target_value": NEEDS_TARGET_VALUE},
        revisable="target_value",
        admin_fieldset=(_("Count"), ("count_mode",)),
        example=_example_cumulative,
        share_of_twenty=1,
    ),
    Kind(
        MILESTONE,
        _("milestone"),
        engine.evaluate_milestone,
        target_line=wording_line,
        fields=("milestone_state",),
        inputs=frozenset(),
        measured=False,
        admin_fieldset=(_("Milestone"), ("milestone_state",)),
        example=_example_milestone,
        share_of_twenty=1,
    ),
    Kind(
        EXPECTED,
        _("against the expected level"),
        engine.measured(engine.required_expected),
        fields=("margin", "tolerance"),
        inputs=frozenset({engine.SERIES, engine.EXPECTED}),
        revisable="margin",
        line=engine.required_expected,
        target_line=expected_line,
        directed=True,
        example=_example_expected,
        share_of_twenty=1,
    ),
    Kind(
        RANK,
        _("rank among the municipalities"),
        engine.evaluate_rank,
        target_line=rank_line,
        fields=("target_value", "rank_published", "tolerance"),
        required={"target_value": _("A rank target needs a place: a whole number, 1 or more.")},
        inputs=frozenset({engine.SERIES, engine.PEERS}),
        revisable="target_value",
        admin_fieldset=(_("Benchmark"), ("rank_published", "comparable_measure")),
        line=engine.required_published_rank,
        requirement=rank_requirement,
        directed=True,
        example=_example_rank,
        share_of_twenty=1,
    ),
    Kind(
        COMPARABLES,
        _("against comparable municipalities"),
        engine.evaluate_comparables,
        fields=("comparable_measure", "strict", "margin", "tolerance"),
        inputs=frozenset({engine.SERIES, engine.PEERS}),
        revisable="margin",
        admin_fieldset=(_("Benchmark"), ("rank_published", "comparable_measure")),
        line=engine.required_comparables,
        target_line=comparables_line,
        directed=True,
        example=_example_comparables,
        share_of_twenty=1,
    ),
)

BY_KEY: Mapping[str, Kind] = {k.key: k for k in KINDS}

# The fields some kind asks for, in the order the form shows them.
KIND_FIELDS: tuple[str, ...] = tuple(dict.fromkeys(n for k in KINDS for n in k.fields))
# Every value a revision may change, for the revise form and the API.
REVISABLE_FIELDS: tuple[str, ...] = tuple(dict.fromkeys(k.revisable for k in KINDS if k.revisable))


def admin_fieldsets() -> list[tuple[Promise, tuple[str, ...]]]:
    """The kinds' own fieldsets for the admin, each once."""
    by_fields = {k.admin_fieldset[1]: k.admin_fieldset for k in KINDS if k.admin_fieldset}
    return list(by_fields.values())


def shared_fields() -> tuple[str, ...]:
    """The kinds' fields that no kind's own fieldset holds (bound, target value, tolerance)."""
    own = {name for _title, fields in admin_fieldsets() for name in fields}
    return tuple(n for n in KIND_FIELDS if n not in own)


def get(key: str) -> Kind:
    """The entry of a kind; an unknown kind is a programming error, not bad input."""
    try:
        return BY_KEY[key]
    except KeyError:
        raise ValueError(f"unknown target kind {key!r}") from None


def choices() -> list[tuple[str, Promise]]:
    return [(k.key, k.label) for k in KINDS]


def problems(kind: str | None, values: Mapping[str, object]) -> dict[str, Promise]:
    """What a definition of this kind lacks, by field (the model's clean()). An unknown or
    missing kind has its own error (the field's choices)."""
    entry = BY_KEY.get(kind)
    if entry is None:
        return {}
    return {
        name: message for name, message in entry.required.items() if values.get(name) in (None, "")
    }


def bound_problem(kind: str | None, values: Mapping[str, object]) -> dict[str, Promise]:
    """The requirement ("Maksimalt", "Minimum") for a kind that uses it, for the form and the
    API: the model cannot ask, since a milestone stores the default."""
    entry = BY_KEY.get(kind)
    if entry is not None and "bound" in entry.fields and not values.get("bound"):
        return {"bound": NEEDS_BOUND}
    return {}


def with_defaults(
    kind: str | None, values: Mapping[str, object], *, reset_empty: bool = True
) -> dict[str, object]:
    """The values with every field this kind does not ask for reset to its default, so
    changing a target's kind leaves nothing behind; with reset_empty, also the asked fields
    left empty (a whole definition, as the form sends; a partial API update keeps what it
    does not name)."""
    entry = BY_KEY.get(kind)
    asked = set(entry.fields) if entry else set()
    reset = dict(values)
    for name, default in FIELD_DEFAULTS.items():
        if name not in asked or (reset_empty and reset.get(name) is None):
            reset[name] = default
    return reset


def evaluate(
    rule: engine.Rule,
    series=(),
    comparison=(),
    *,
    as_of: date,
    inputs: engine.Inputs | None = None,
) -> engine.Result:
    """The engine's entry point: a target evaluated by its kind's rule on its inputs (its own
    area's series, and a comparison area's), as of a date."""
    if inputs is None:
        inputs = engine.Inputs(series=tuple(series), comparison=tuple(comparison))
    return get(rule.kind).evaluate(rule, inputs, as_of)


def requirement_series(
    rule: engine.Rule, series=(), comparison=(), *, inputs: engine.Inputs | None = None
) -> list[tuple[engine.Point, Decimal]]:
    """The chart's target line for the kind, empty for a kind that draws none."""
    line = get(rule.kind).line
    if line is None:
        return []
    if inputs is None:
        inputs = engine.Inputs(series=tuple(series), comparison=tuple(comparison))
    return engine.requirement_series(rule, line, inputs)


def at_baseline(rule: engine.Rule, comparison_baseline: Decimal | None = None):
    """The card's starting point: (what the target demands at its deadline, whether the
    baseline would meet it), or None for a kind that has no level to hold the baseline to."""
    kind = get(rule.kind)
    if not kind.judged_at_baseline:
        return None
    return engine.at_baseline(rule, kind.line, comparison_baseline)


def target_path(rule: engine.Rule, start: date) -> list[tuple[date, Decimal]]:
    """The target over its whole window, as the kind draws it (empty where it draws none)."""
    kind = get(rule.kind)
    if kind.path is None:
        return []
    return engine.target_path(rule, kind.line, start, yearly=kind.path == engine.YEARLY)
