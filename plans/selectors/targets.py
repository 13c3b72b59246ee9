"""Reads for plans and targets. Evaluation gathers a batch of targets' figures in one query and
hands them to the pure engine (plans.status)."""

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import cache, reduce
from itertools import groupby
from operator import itemgetter, or_

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404

from kpis.danish import format_number
from kpis.models import Area, Indicator, IndicatorSource, Measurement, Period
from kpis.periods import PeriodSpec
from plans.engine import kinds
from plans.engine import status as engine
from plans.models import (
    PREFETCHED_REVISIONS,
    REVISION_FIELDS,
    RULE_FIELDS,
    FocusArea,
    Guidepost,
    Initiative,
    Plan,
    StatusFields,
    Target,
    TargetRevision,
    engine_rule,
)

# Kinds that read other municipalities' figures (a rank, the comparables): any municipality's
# figure of their indicator can change their status.
PEER_KINDS = tuple(k.key for k in kinds.KINDS if engine.PEERS in k.inputs)


def targets_with_definitions() -> QuerySet[Target]:
    """Targets with everything Target.rule() reads, fetched up front. The revisions go to a
    list attribute (Target.rule reads it): prefetched into each target's related manager,
    Django builds a queryset per target, which cost more than evaluating all 5.880 targets of
    the national data set. (A batch evaluation reads a queryset of these as values:
    definitions().)"""
    # The revisions in each target's force order, without the joins to the targets, plans and
    # municipalities that their own ordering asks for (as targets_for_cards).
    revisions = TargetRevision.objects.order_by("effective", "id")
    return Target.objects.select_related(
        "plan", "indicator", "baseline_period", "comparison_area"
    ).prefetch_related(Prefetch("revisions", queryset=revisions, to_attr=PREFETCHED_REVISIONS))


def targets_touched_by(series) -> QuerySet[Target]:
    """Targets whose status depends on any of these (indicator_id, area_id) series: targets on
    the indicator in the measured municipality, and relative targets that compare with it."""
    # The indicators each is the expected level of, looked up first: as a condition on the
    # joined indicator (or a subquery) in the OR, PostgreSQL read every target to find them.
    expected_of = defaultdict(list)
    expecting = Indicator.objects.filter(expected_by_id__in={i for i, _a in series})
    for indicator_id, expected_by_id in expecting.values_list("pk", "expected_by_id"):
        expected_of[expected_by_id].append(indicator_id)
    touched = Q()
    for indicator_id, area_id in series:
        touched |= Q(indicator_id=indicator_id) & (
            Q(plan__municipality_id=area_id) | Q(comparison_area_id=area_id)
        )
        # Any municipality's figure can move a rank or the comparables' average; an expected
        # level moves its municipality's expected-level targets.
        touched |= Q(indicator_id=indicator_id, kind__in=PEER_KINDS)
        if expected_of[indicator_id]:
            touched |= Q(
                indicator_id__in=expected_of[indicator_id],
                kind=Target.Kind.EXPECTED,
                plan__municipality_id=area_id,
            )
    if not touched:
        return Target.objects.none()
    return targets_with_definitions().filter(touched)


@dataclass(frozen=True, slots=True)
class Definition:
    """What evaluating a target reads of it: the keys of the series it follows and its rule
    (without the comparison area's baseline figure, which is found among the figures)."""

    pk: int | None
    kind: str
    indicator_id: int | None
    municipality_id: int
    comparison_area_id: int | None
    expected_by_id: int | None
    period_kind: str
    baseline_period_id: int | None
    rule: engine.Rule

    @classmethod
    def of(cls, target: Target) -> "Definition":
        indicator = target.indicator if target.indicator_id else None
        return cls(
            target.pk,
            target.kind,
            target.indicator_id,
            target.plan.municipality_id,
            target.comparison_area_id,
            indicator.expected_by_id if indicator is not None else None,
            target.period_kind,
            target.baseline_period_id,
            target.rule(),
        )


# A batch's definitions as values: Definition's keys, then what engine_rule takes besides the
# target's own RULE_FIELDS.
_DEFINITION_KEYS = ("pk", "kind", "indicator_id", "plan__municipality_id", "comparison_area_id",
                    "indicator__expected_by_id", "period_kind", "baseline_period_id")  # fmt: skip
_RULE_CONTEXT = ("plan__start_year", "indicator__direction", "baseline_period__start",
                 "baseline_period__end", "baseline_period__kind")  # fmt: skip


def definitions(targets) -> list[Definition]:
    """The targets' definitions. Target instances are read as they are; a queryset is read as
    values in one query (the targets with their plans, indicators, baseline periods and
    revisions, a row per revision): a model instance for each target, its plan, indicator,
    periods and revisions cost a quarter of recomputing every status, and a second query for
    the revisions a round trip of every refresh."""
    if not isinstance(targets, QuerySet):
        return [Definition.of(target) for target in targets]
    if targets.query.is_sliced:  # its LIMIT would count the revisions' rows
        targets = Target.objects.filter(pk__in=list(targets.values_list("pk", flat=True)))
    rows = (
        targets.select_related(None)
        .prefetch_related(None)
        # The targets' own order (not the plan's, which joins its municipality to sort), each
        # target's revisions in force order.
        .order_by("plan_id", "order", "pk", "revisions__effective", "revisions__id")
        .values_list(
            *_DEFINITION_KEYS,
            *RULE_FIELDS,
            *_RULE_CONTEXT,
            *(f"revisions__{name}" for name in REVISION_FIELDS),
        )
    )
    keys, own = len(_DEFINITION_KEYS), len(_DEFINITION_KEYS) + len(RULE_FIELDS)
    context = own + len(_RULE_CONTEXT)
    found = []
    for _pk, group in groupby(rows, key=itemgetter(0)):
        group = list(group)
        row = group[0]
        start_year, direction, baseline_start, baseline_end, baseline_kind = row[own:context]
        rule = engine_rule(
            **dict(zip(RULE_FIELDS, row[keys:own], strict=True)),
            plan_start=Plan.first_day(start_year),
            direction=direction,
            baseline_period=PeriodSpec(baseline_start, baseline_end, baseline_kind)
            if baseline_kind
            else None,
            # (a target without revisions has one row, its revision's columns empty)
            revisions=[engine.Revision(*r[context:]) for r in group if r[-1] is not None],
        )
        found.append(Definition(*row[:keys], rule))
    return found


def _series_by_key(definitions: list[Definition], as_of: date) -> tuple[dict, dict]:
    """The figures the targets need, keyed by (indicator, area), as (period_id, value), and the
    periods of their window, as period_id: (start, end, kind, label).

    Only figures the engine can use are read: within the targets' windows (from measure_from
    to the deadline, and known by as_of: the engine counts no later figure), each series of
    the period kind its targets follow (every kind where they follow different ones, or any),
    and the figures for the baseline periods (a gap reduction is measured from the comparison
    area's). One small query for the periods, and one for the figures, as plain values (no
    model instance per figure: a batch of targets can need a hundred thousand).
    """
    kind_by_pair = {}  # (indicator, area) -> the period kind of its figures read ("": any)
    starts, ends, baselines = [], [], set()
    for d in definitions:
        if d.indicator_id is None:
            continue
        inputs = kinds.get(d.kind).inputs
        pairs = []
        if engine.SERIES in inputs:
            pairs.append((d.indicator_id, d.municipality_id))
        if engine.COMPARISON in inputs and d.comparison_area_id:
            pairs.append((d.indicator_id, d.comparison_area_id))
        if engine.EXPECTED in inputs and d.expected_by_id:
            pairs.append((d.expected_by_id, d.municipality_id))
        for pair in pairs:
            same = kind_by_pair.get(pair, d.period_kind) == d.period_kind
            kind_by_pair[pair] = d.period_kind if same else ""
        starts.append(d.rule.measure_from)
        ends.append(d.rule.deadline)
        if d.baseline_period_id:
            baselines.add(d.baseline_period_id)
    series = defaultdict(list)
    if not kind_by_pair:
        return series, {}
    in_window = Q(end__gte=min(starts), end__lte=min(max(ends), as_of)) | Q(pk__in=baselines)
    periods = {
        pk: (start, end, kind, PeriodSpec(start, end, kind).label)
        for pk, kind, start, end in Period.objects.filter(in_window)
        .order_by()
        .values_list("pk", "kind", "start", "end")
    }
    # The period kind each period is read for: a baseline period's figure for any series.
    read_as = {pk: "" if pk in baselines else kind for pk, (_s, _e, kind, _l) in periods.items()}
    pairs = sorted(kind_by_pair.items())
    if connection.vendor == "postgresql":
        rows = _figures_postgres(pairs, read_as)
    else:
        rows = _figures_generic(pairs, read_as)
    for indicator_id, area_id, period_id, value in rows:
        series[(indicator_id, area_id)].append((period_id, value))
    return series, periods


def _figures_generic(pairs, read_as):
    by_indicator = defaultdict(set)
    for (indicator_id, area_id), _kind in pairs:
        by_indicator[indicator_id].add(area_id)
    wanted = reduce(
        or_, (Q(indicator_id=i, area_id__in=areas) for i, areas in by_indicator.items())
    )
    rows = Measurement.objects.filter(wanted, period_id__in=list(read_as)).values_list(
        "indicator_id", "area_id", "period_id", "value"
    )
    kind_by_pair = dict(pairs)
    for row in rows.iterator(chunk_size=20_000):
        kind, period_kind = kind_by_pair[row[:2]], read_as[row[2]]
        if not kind or not period_kind or kind == period_kind:
            yield row


# The same on PostgreSQL as one statement: for each series (three arrays), its figures for the
# window's periods (two arrays), each found by the measurement table's unique index on all
# three columns. A thousand series in an OR of conditions cost the planner and the executor
# more than the figures themselves; a join on the series alone read every figure of each (ten
# years of them); and a plain join let the planner take the periods as the outer loop, one
# series after another for each period, twice the time of finishing each series's figures
# while its index and table pages are at hand. OFFSET 0 keeps the subquery a loop inside each
# series (PostgreSQL does not flatten a subquery with an OFFSET).
_FIGURES_POSTGRES = """
    SELECT s.indicator_id, s.area_id, f.period_id, f.value
    FROM unnest(%(indicators)s::bigint[], %(areas)s::bigint[], %(kinds)s::text[])
        AS s(indicator_id, area_id, kind)
    CROSS JOIN LATERAL (
        SELECT m.period_id, m.value
        FROM unnest(%(periods)s::bigint[], %(period_kinds)s::text[]) AS w(id, kind)
        JOIN {measurement} m ON m.indicator_id = s.indicator_id AND m.area_id = s.area_id
            AND m.period_id = w.id
        WHERE s.kind = '' OR w.kind = '' OR w.kind = s.kind
        OFFSET 0
    ) AS f
"""


def _figures_postgres(pairs, read_as):
    sql = _FIGURES_POSTGRES.format(measurement=Measurement._meta.db_table)
    params = {
        "indicators": [i for (i, _a), _k in pairs],
        "areas": [a for (_i, a), _k in pairs],
        "kinds": [kind for _pair, kind in pairs],
        "periods": list(read_as),
        "period_kinds": list(read_as.values()),
    }
    return _fetch_postgres(sql, params)


def _fetch_postgres(sql, params):
    with connection.cursor() as cursor:
        if connection.in_atomic_block:
            # JIT compiling costs more than these joins take; in the same round trip.
            sql = "SET LOCAL jit = off; " + sql
        cursor.execute(sql, params)
        return cursor.fetchall()


def evaluate_targets(targets, *, as_of: date) -> dict[int, engine.Result]:
    """The engine's answer for each target, keyed by target id (None for an unsaved one).
    targets: Target instances, or a queryset of them (read as values: definitions())."""
    batch = definitions(targets)
    series, periods = _series_by_key(batch, as_of)

    @cache
    def points(key, period_kind) -> list[engine.Point]:
        """A series as the engine takes it; comparison series are shared by many targets."""
        chosen = []
        for period_id, value in series.get(key, ()):
            start, end, kind, label = periods[period_id]
            if not period_kind or kind == period_kind:
                chosen.append(engine.Point(start, end, value, label))
        return chosen

    # How each input a kind declares (plans.engine.kinds) is read from the figures fetched;
    # the peers (every municipality's figure for the period) after, in one read for the batch.
    gatherers = {
        engine.SERIES: lambda d: points((d.indicator_id, d.municipality_id), d.period_kind),
        engine.COMPARISON: lambda d: points((d.indicator_id, d.comparison_area_id), d.period_kind),
        engine.EXPECTED: lambda d: points((d.expected_by_id, d.municipality_id), d.period_kind),
    }
    prepared = []
    for d in batch:
        kind = kinds.get(d.kind)
        gathered = {name: gatherers[name](d) for name in kind.inputs if name in gatherers}
        rule = d.rule
        if engine.COMPARISON in kind.inputs:
            figures = series.get((d.indicator_id, d.comparison_area_id), ())
            baseline = _comparison_baseline(d.comparison_area_id, d.baseline_period_id, figures)
            if baseline is not None:
                rule = replace(rule, comparison_baseline=baseline)
        prepared.append((d, rule, gathered))
    peers = _peers(
        [(d, rule, gathered.get(engine.SERIES, ())) for d, rule, gathered in prepared
         if d.kind in PEER_KINDS],
        periods,
        as_of=as_of,
    )  # fmt: skip
    return {
        d.pk: kinds.evaluate(
            rule, inputs=engine.Inputs(**gathered, peers=peers.get(d.pk)), as_of=as_of
        )
        for d, rule, gathered in prepared
    }


def _peers(targets, periods, *, as_of: date) -> dict[int, engine.Peers]:
    """For rank and comparables targets, every municipality's figure of the indicator for the
    period each target is judged on (that of its municipality's latest counted figure), and
    its named comparables. Two queries for the whole batch, not one per municipality.

    Counted are the figures of municipalities whose dashboards are public, and every figure of
    an indicator fetched from jobindsats.dk (published there): a private municipality's typed
    figures do not move another's average on a public page."""
    wanted = {}  # target id -> (indicator id, period (start, end))
    for d, rule, series in targets:
        counted = engine.counted_window(rule, series, as_of)
        if counted:
            wanted[d.pk] = (d.indicator_id, (counted[-1].start, counted[-1].end))
    if not wanted:
        return {}
    # The periods of those spans (of any kind, as the counted figure's period is among the
    # periods read with the figures).
    span_of = {pk: (start, end) for pk, (start, end, _kind, _label) in periods.items()}
    spans = set(wanted.values())
    pairs = sorted((i, pk) for pk, span in span_of.items() for i, s in spans if s == span)
    field = defaultdict(dict)  # (indicator, (start, end)) -> {area id: value}
    for indicator_id, period_id, area_id, value in _peer_figures(pairs):
        field[(indicator_id, span_of[period_id])][area_id] = value
    municipalities = {d.municipality_id for d, _r, _s in targets if d.pk in wanted}
    groups = defaultdict(set)
    named = Area.comparables.through.objects.filter(from_area_id__in=municipalities)
    for from_area_id, to_area_id in named.values_list("from_area_id", "to_area_id"):
        groups[from_area_id].add(to_area_id)
    peers = {}
    for d, _rule, _series in targets:
        if d.pk not in wanted:
            continue
        indicator_id, span = wanted[d.pk]
        peers[d.pk] = engine.Peers(
            d.municipality_id,
            {span: field[(indicator_id, span)]},
            frozenset(groups[d.municipality_id]),
        )
    return peers


def _peer_figures(pairs):
    """The counted municipalities' figures for these (indicator_id, period_id) pairs, as
    (indicator_id, period_id, area_id, value)."""
    if connection.vendor == "postgresql":
        sql = _PEERS_POSTGRES.format(
            area=Area._meta.db_table,
            measurement=Measurement._meta.db_table,
            source=IndicatorSource._meta.db_table,
        )
        params = {
            "indicators": [i for i, _p in pairs],
            "periods": [p for _i, p in pairs],
            "municipality": Area.Kind.MUNICIPALITY,
        }
        return _fetch_postgres(sql, params)
    wanted = reduce(or_, (Q(indicator_id=i, period_id=p) for i, p in pairs))
    return (
        Measurement.objects.filter(wanted, area__kind=Area.Kind.MUNICIPALITY)
        .filter(Q(area__public_dashboards=True) | Q(indicator__source__isnull=False))
        .order_by()
        .values_list("indicator_id", "period_id", "area_id", "value")
    )


# On PostgreSQL each counted municipality's figure found by the unique index on (indicator,
# area, period), in a loop per pair and municipality (OFFSET 0, as for the figures): joined
# plainly, the planner gave the index the indicator and the period only, and it read every
# figure of each indicator (ten years of every area) to find them.
_PEERS_POSTGRES = """
    SELECT w.indicator_id, w.period_id, a.id, f.value
    FROM unnest(%(indicators)s::bigint[], %(periods)s::bigint[]) AS w(indicator_id, period_id)
    JOIN {area} a ON a.kind = %(municipality)s
        AND (a.public_dashboards
             OR EXISTS (SELECT FROM {source} s WHERE s.indicator_id = w.indicator_id))
    CROSS JOIN LATERAL (
        SELECT m.value FROM {measurement} m
        WHERE m.indicator_id = w.indicator_id AND m.area_id = a.id AND m.period_id = w.period_id
        OFFSET 0
    ) AS f
"""


def _comparison_baseline(
    comparison_area_id, baseline_period_id, comparison_figures
) -> Decimal | None:
    """The comparison area's figure for the baseline period (what a gap reduction is measured
    from), among comparison_figures, (period_id, value) pairs."""
    if not (comparison_area_id and baseline_period_id):
        return None
    return next((v for period_id, v in comparison_figures if period_id == baseline_period_id), None)


def target_rule(target: Target, comparison_figures) -> engine.Rule:
    """The target's rule, with its comparison area's figure for the baseline period found
    among comparison_figures, (period_id, value) pairs: the one lookup for the status and the
    chart."""
    baseline = _comparison_baseline(
        target.comparison_area_id, target.baseline_period_id, comparison_figures
    )
    return target.rule(comparison_baseline=baseline)


def plans_with_status_counts(plans: QuerySet[Plan]) -> QuerySet:
    """Plans with how many of their targets are met, near, not met and without data."""
    return (
        plans.select_related("municipality", "committee")
        .annotate(**_status_counts())
        .order_by("municipality__name", "-start_year", "title")
    )


# -- pages ---------------------------------------------------------------------------------


def _status_counts() -> dict:
    """Annotations for a plan's or a focus area's targets by stored status."""

    def count(status):
        return Count("targets", filter=Q(targets__status__status=status))

    return {
        "met": count(engine.MET),
        "near": count(engine.NEAR),
        "not_met": count(engine.NOT_MET),
        "no_data": count(engine.NO_DATA),
        "target_count": Count("targets"),
    }


def plan_for_page(plans: QuerySet[Plan], key: str, *, counts: bool = True) -> Plan:
    """A plan among those the user may see (plans.access.visible_plans), or 404; with its
    targets counted by status unless the page shows no counts (a theme page: the count is a
    join and a grouping over every target of the plan)."""
    plans = plans.select_related("municipality", "committee")
    return get_object_or_404(plans.annotate(**_status_counts()) if counts else plans, key=key)


def focus_areas_with_status_counts(plan: Plan) -> QuerySet[FocusArea]:
    return plan.focus_areas.annotate(**_status_counts()).order_by("order", "id")


def targets_for_cards() -> QuerySet[Target]:
    """Targets with everything a KPI card shows but their plan, in one query. The pages know
    the plan (plan_targets_for_cards, focus_area_for_page set it), and the status's revision
    is among the target's prefetched revisions (plans.presenters.cards takes it from there):
    each join more multiplies the time PostgreSQL spends planning the query, which with the
    plan, its municipality and the revision joined was ten times the time it took to run."""
    return (
        Target.objects.select_related("indicator", "status", "comparison_area", "baseline_period")
        .prefetch_related(
            # The card's Måltal line and starting point read the rule, and the rule its
            # revisions: one query for every card, not one each (the target page's history
            # reads the same prefetch). In each target's order, without the join to the
            # targets, plans and municipalities that their own ordering asks for.
            Prefetch("revisions", queryset=TargetRevision.objects.order_by("effective", "id"))
        )
        .order_by("order", "id")
    )


def _of_plan(targets, plan: Plan) -> list[Target]:
    targets = list(targets)
    for target in targets:
        target.plan = plan
    return targets


def plan_targets_for_cards(plan: Plan) -> list[Target]:
    """A plan's targets for its cards, each with the plan (and its municipality) it has."""
    return _of_plan(targets_for_cards().filter(plan=plan), plan)


def _theme_contents() -> tuple[Prefetch, ...]:
    """A theme's guideposts, initiatives and cards, each in its order within the theme. Their
    own ordering begins with the theme, whose ordering begins with the plan and its
    municipality's name: three joins in each query for an order the rows have anyway."""
    return (
        Prefetch("guideposts", queryset=Guidepost.objects.order_by("order", "id")),
        Prefetch("initiatives", queryset=Initiative.objects.order_by("order", "id")),
        Prefetch("targets", queryset=targets_for_cards()),
    )


def focus_area_for_page(plan: Plan, key: str) -> tuple[FocusArea, list[FocusArea]]:
    """A theme with its guideposts, initiatives and cards, and the plan's other themes (the
    page links to them), or 404. The themes are read in one query: they are few, and a query
    of its own for the others cost more than their rows."""
    themes = list(plan.focus_areas.order_by("order", "id"))
    focus_area = next((theme for theme in themes if theme.key == key), None)
    if focus_area is None:
        raise Http404
    prefetch_related_objects([focus_area], *_theme_contents())
    _of_plan(focus_area.targets.all(), plan)
    return focus_area, [theme for theme in themes if theme is not focus_area]


def plan_with_contents(plan: Plan) -> list[FocusArea]:
    """Every focus area of a plan with its guideposts, initiatives and cards: the report."""
    focus_areas = list(
        plan.focus_areas.prefetch_related(*_theme_contents()).order_by("order", "id")
    )
    for focus_area in focus_areas:
        _of_plan(focus_area.targets.all(), plan)
    return focus_areas


def round_results(reporting_round, *, today, targets=None) -> dict[int, engine.Result]:
    """What a reporting round shows for each target: the frozen results of an approved round,
    otherwise the engine's answer as of the cut-off (never past today). `targets`, where the
    caller has fetched them already, are the round's plan's targets to evaluate."""
    if reporting_round.frozen:
        stored = reporting_round.results.select_related("revision")
        return {r.target_id: StatusFields.result_of(r) for r in stored}
    if targets is None:
        targets = targets_with_definitions().filter(plan=reporting_round.plan_id)
    return evaluate_targets(targets, as_of=reporting_round.evaluation_date(today))


def round_missing_narratives(reporting_round, *, today) -> list[Target]:
    """The round's targets that are not met (as the round shows them) and have no status
    narrative in it: what the analysts must write, or confirm, before submitting. Near is not
    asked for: it lies within the tolerance the administrators set for the target."""
    results = round_results(reporting_round, today=today)
    written = set(reporting_round.narratives.exclude(text="").values_list("target_id", flat=True))
    return [
        target
        for target in Target.objects.filter(plan=reporting_round.plan_id).order_by("order", "id")
        if target.pk not in written
        and (result := results.get(target.pk)) is not None
        and result.status == engine.NOT_MET
    ]


def baseline_proposals(plan: Plan, start_year: int) -> dict[int, tuple]:
    """For next year's plan: each target's latest figure for the municipality before the new
    plan's first day, of the target's period kind (else its baseline's kind), as (value,
    Period); targets without such a figure are left out (the copy keeps their baseline)."""
    proposals = {}
    before = date(start_year, 1, 1)
    for target in plan.targets.select_related("baseline_period"):
        if target.indicator_id is None:
            continue
        kind = target.period_kind or (target.baseline_period.kind if target.baseline_period else "")
        figures = Measurement.objects.filter(
            indicator=target.indicator_id, area=plan.municipality_id, period__end__lt=before
        ).select_related("period")
        if kind:
            figures = figures.filter(period__kind=kind)
        latest = figures.order_by("-period__end", "-period__start").first()
        if latest is not None:
            proposals[target.pk] = (latest.value, latest.period)
    return proposals


# Guldborgsund's card "Unge på offentlig forsørgelse": 969 in Nov.22-nov.23, the period its
# target follows. The import template's example when the user keeps no series of their own.
TEMPLATE_EXAMPLE = ("unge-offentlig-forsorgelse", "Guldborgsund", "Nov.22-nov.23", "969")


def template_example(municipality_ids: set[int] | None) -> tuple[str, str, str, str]:
    """The import template's example row: the latest figure of a series one of the user's
    targets follows (indicator, its municipality, a period of the target's kind), so that the
    row imports as a figure a target shows, not as a new period nobody sees."""
    targets = Target.objects.filter(indicator__isnull=False).exclude(period_kind="")
    if municipality_ids is not None:
        targets = targets.filter(plan__municipality__in=municipality_ids)
    for target in targets.select_related("indicator", "plan__municipality").order_by(
        "-plan__start_year", "plan", "order", "id"
    )[:20]:
        figure = (
            Measurement.objects.filter(
                indicator=target.indicator_id,
                area=target.plan.municipality_id,
                period__kind=target.period_kind,
            )
            .select_related("period")
            .order_by("-period__end")
            .first()
        )
        if figure is not None:
            value = format_number(figure.value, target.indicator.decimals)
            return (target.indicator.key, target.plan.municipality.name, figure.period.label,
                    value)  # fmt: skip
    return TEMPLATE_EXAMPLE
