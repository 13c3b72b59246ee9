"""Reads for plans and targets. Evaluation gathers a batch of targets' figures in one query and
hands them to the pure engine (plans.status)."""

from collections import defaultdict
from dataclasses import replace
from datetime import date
from decimal import Decimal
from functools import cache, reduce
from operator import or_

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from kpis.danish import format_number
from kpis.models import Area, Measurement, Period
from plans.engine import kinds
from plans.engine import status as engine
from plans.models import (
    PREFETCHED_REVISIONS,
    FocusArea,
    Guidepost,
    Initiative,
    Plan,
    StatusFields,
    Target,
    TargetRevision,
)

# Kinds that read other municipalities' figures (a rank, the comparables): any municipality's
# figure of their indicator can change their status.
PEER_KINDS = tuple(k.key for k in kinds.KINDS if engine.PEERS in k.inputs)


def _reads_peers(target: Target) -> bool:
    return target.kind in PEER_KINDS


def targets_with_definitions() -> QuerySet[Target]:
    """Targets with everything Target.rule() reads, fetched up front. The revisions go to a
    list attribute (Target.rule reads it): prefetched into each target's related manager,
    Django builds a queryset per target, which cost more than evaluating all 5.880 targets of
    the national data set."""
    return Target.objects.select_related(
        "plan", "indicator", "baseline_period", "comparison_area"
    ).prefetch_related(Prefetch("revisions", to_attr=PREFETCHED_REVISIONS))


def targets_touched_by(series) -> QuerySet[Target]:
    """Targets whose status depends on any of these (indicator_id, area_id) series: targets on
    the indicator in the measured municipality, and relative targets that compare with it."""
    touched = Q()
    for indicator_id, area_id in series:
        touched |= Q(indicator_id=indicator_id) & (
            Q(plan__municipality_id=area_id) | Q(comparison_area_id=area_id)
        )
        # Any municipality's figure can move a rank or the comparables' average; an expected
        # level moves its municipality's expected-level targets.
        touched |= Q(indicator_id=indicator_id, kind__in=PEER_KINDS)
        touched |= Q(
            indicator__expected_by_id=indicator_id,
            kind=Target.Kind.EXPECTED,
            plan__municipality_id=area_id,
        )
    if not touched:
        return Target.objects.none()
    return targets_with_definitions().filter(touched)


def _series_by_key(targets) -> tuple[dict[tuple[int, int], list[tuple[int, Decimal]]], dict]:
    """The figures the targets need, keyed by (indicator, area), as (period_id, value), and the
    periods they are for.

    Only figures the engine can use are read: those of the targets' period kinds within their
    windows (from measure_from to the deadline), and the comparison areas' figures for the
    baseline periods. One query for the figures, as plain values (no model instance per figure:
    a batch of targets can need hundreds of thousands), and one for their periods.
    """
    areas_by_indicator = defaultdict(set)
    period_kinds, starts, ends, baselines = set(), [], [], set()
    for target in targets:
        if target.indicator_id is None:
            continue
        inputs = kinds.get(target.kind).inputs
        if engine.SERIES in inputs:
            areas_by_indicator[target.indicator_id].add(target.plan.municipality_id)
        if engine.COMPARISON in inputs and target.comparison_area_id:
            areas_by_indicator[target.indicator_id].add(target.comparison_area_id)
        if engine.EXPECTED in inputs and target.indicator.expected_by_id:
            areas_by_indicator[target.indicator.expected_by_id].add(target.plan.municipality_id)
        period_kinds.add(target.period_kind)  # "" for a target that takes any kind
        starts.append(target.measure_from or target.plan.starts_on)
        ends.append(target.deadline)
        if target.baseline_period_id:
            baselines.add(target.baseline_period_id)
    series = defaultdict(list)
    if not areas_by_indicator:
        return series, {}
    pairs = [(i, a) for i, areas in areas_by_indicator.items() for a in sorted(areas)]
    any_kind = "" in period_kinds  # a target that takes any period kind
    window = (min(starts), max(ends), None if any_kind else sorted(period_kinds - {""}))
    if connection.vendor == "postgresql":
        rows = _figures_postgres(pairs, window, sorted(baselines))
    else:
        rows = _figures_generic(areas_by_indicator, window, baselines)
    for indicator_id, area_id, period_id, value in rows:
        series[(indicator_id, area_id)].append((period_id, value))
    period_ids = {period_id for figures in series.values() for period_id, _value in figures}
    return series, Period.objects.in_bulk(period_ids)


def _figures_generic(areas_by_indicator, window, baselines):
    first, last, kinds = window
    pairs = Q()
    for indicator_id, area_ids in areas_by_indicator.items():
        pairs |= Q(indicator_id=indicator_id, area_id__in=area_ids)
    inside = Q(period__end__gte=first, period__end__lte=last)
    if kinds is not None:
        inside &= Q(period__kind__in=kinds)
    rows = Measurement.objects.filter(pairs & (inside | Q(period_id__in=baselines)))
    return rows.values_list("indicator_id", "area_id", "period_id", "value").iterator(
        chunk_size=20_000
    )


# The same on PostgreSQL as one join of the series (two arrays) with the window's periods: a
# thousand series in an OR of conditions cost the planner and the executor more than the
# figures themselves.
_FIGURES_POSTGRES = """
    SELECT m.indicator_id, m.area_id, m.period_id, m.value
    FROM unnest(%(indicators)s::bigint[], %(areas)s::bigint[]) AS s(indicator_id, area_id)
    CROSS JOIN (
        SELECT p.id FROM {period} p
        WHERE (p."end" BETWEEN %(first)s AND %(last)s
               AND (%(any_kind)s OR p.kind = ANY(%(kinds)s::text[])))
           OR p.id = ANY(%(baselines)s::bigint[])
    ) AS w
    JOIN {measurement} m ON m.indicator_id = s.indicator_id AND m.area_id = s.area_id
        AND m.period_id = w.id
"""


def _figures_postgres(pairs, window, baselines):
    first, last, kinds = window
    sql = _FIGURES_POSTGRES.format(
        measurement=Measurement._meta.db_table, period=Period._meta.db_table
    )
    params = {
        "indicators": [i for i, _a in pairs],
        "areas": [a for _i, a in pairs],
        "first": first,
        "last": last,
        "any_kind": kinds is None,
        "kinds": kinds or [],
        "baselines": baselines,
    }
    with connection.cursor() as cursor:
        if connection.in_atomic_block:  # JIT compiling costs more than this join takes
            cursor.execute("SELECT set_config('jit', 'off', true)")
        cursor.execute(sql, params)
        return cursor.fetchall()


def evaluate_targets(targets, *, as_of: date) -> dict[int, engine.Result]:
    """The engine's answer for each target, keyed by target id (None for an unsaved one)."""
    targets = list(targets)
    series, periods = _series_by_key(targets)
    labels = {pk: p.label for pk, p in periods.items()}

    @cache
    def points(key, period_kind) -> list[engine.Point]:
        """A series as the engine takes it; comparison series are shared by many targets."""
        chosen = []
        for figure in series.get(key, ()):
            period = periods[figure[0]]
            if not period_kind or period.kind == period_kind:
                chosen.append(engine.Point(period.start, period.end, figure[1], labels[period.pk]))
        return chosen

    # How each input a kind declares (plans.engine.kinds) is read from the figures fetched;
    # the peers (every municipality's figure for the period) after, in one read for the batch.
    gatherers = {
        engine.SERIES: lambda t: points((t.indicator_id, t.plan.municipality_id), t.period_kind),
        engine.COMPARISON: lambda t: points((t.indicator_id, t.comparison_area_id), t.period_kind),
        engine.EXPECTED: lambda t: points(
            (t.indicator.expected_by_id, t.plan.municipality_id), t.period_kind
        ),
    }
    prepared = []
    for target in targets:
        kind = kinds.get(target.kind)
        inputs = engine.Inputs(
            **{name: gatherers[name](target) for name in kind.inputs if name in gatherers}
        )
        other = series.get((target.indicator_id, target.comparison_area_id), ())
        rule = target_rule(target, other if engine.COMPARISON in kind.inputs else ())
        prepared.append((target, rule, inputs))
    peers = _peers(
        [(t, rule, inputs.series) for t, rule, inputs in prepared if _reads_peers(t)], as_of=as_of
    )
    return {
        target.pk: kinds.evaluate(
            rule, inputs=replace(inputs, peers=peers.get(target.pk)), as_of=as_of
        )
        for target, rule, inputs in prepared
    }


def _peers(targets, *, as_of: date) -> dict[int, engine.Peers]:
    """For rank and comparables targets, every municipality's figure of the indicator for the
    period each target is judged on (that of its municipality's latest counted figure), and
    its named comparables. Two queries for the whole batch, not one per municipality.

    Counted are the figures of municipalities whose dashboards are public, and every figure of
    an indicator fetched from jobindsats.dk (published there): a private municipality's typed
    figures do not move another's average on a public page."""
    wanted = {}  # target id -> (indicator id, period (start, end))
    for target, rule, series in targets:
        counted = engine.counted_window(rule, series, as_of)
        if counted:
            wanted[target.pk] = (target.indicator_id, (counted[-1].start, counted[-1].end))
    if not wanted:
        return {}
    indicators = {indicator for indicator, _span in wanted.values()}
    spans = {span for _indicator, span in wanted.values()}
    period_ids = Period.objects.filter(
        reduce(or_, (Q(start=start, end=end) for start, end in spans))
    ).values_list("pk", flat=True)
    rows = (
        Measurement.objects.filter(
            indicator_id__in=indicators,
            period_id__in=list(period_ids),
            area__kind=Area.Kind.MUNICIPALITY,
        )
        .filter(Q(area__public_dashboards=True) | Q(indicator__source__isnull=False))
        .order_by()
        .values_list("indicator_id", "period__start", "period__end", "area_id", "value")
    )
    field = defaultdict(dict)  # (indicator, (start, end)) -> {area id: value}
    for indicator_id, start, end, area_id, value in rows:
        field[(indicator_id, (start, end))][area_id] = value
    municipalities = {t.plan.municipality_id for t, _r, _s in targets if t.pk in wanted}
    groups = defaultdict(set)
    for through in Area.comparables.through.objects.filter(from_area_id__in=municipalities):
        groups[through.from_area_id].add(through.to_area_id)
    peers = {}
    for target, _rule, _series in targets:
        if target.pk not in wanted:
            continue
        indicator_id, span = wanted[target.pk]
        municipality = target.plan.municipality_id
        peers[target.pk] = engine.Peers(
            municipality, {span: field[(indicator_id, span)]}, frozenset(groups[municipality])
        )
    return peers


def target_rule(target: Target, comparison_figures) -> engine.Rule:
    """The target's rule, with its comparison area's figure for the baseline period (what a
    gap reduction is measured from) found among comparison_figures, (period_id, value) pairs:
    the one lookup for the status and the chart."""
    comparison_baseline = None
    if target.comparison_area_id and target.baseline_period_id:
        comparison_baseline = next(
            (v for period_id, v in comparison_figures if period_id == target.baseline_period_id),
            None,
        )
    return target.rule(comparison_baseline=comparison_baseline)


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
    """Targets with everything a KPI card shows, in one query."""
    return (
        Target.objects.select_related(
            "plan__municipality",
            "indicator",
            "status__revision",
            "comparison_area",
            "baseline_period",
        )
        .prefetch_related(
            # The card's Måltal line and starting point read the rule, and the rule its
            # revisions: one query for every card, not one each (the target page's history
            # reads the same prefetch). In each target's order, without the join to the
            # targets, plans and municipalities that their own ordering asks for.
            Prefetch("revisions", queryset=TargetRevision.objects.order_by("effective", "id"))
        )
        .order_by("order", "id")
    )


def _theme_contents() -> tuple[Prefetch, ...]:
    """A theme's guideposts, initiatives and cards, each in its order within the theme. Their
    own ordering begins with the theme, whose ordering begins with the plan and its
    municipality's name: three joins in each query for an order the rows have anyway."""
    return (
        Prefetch("guideposts", queryset=Guidepost.objects.order_by("order", "id")),
        Prefetch("initiatives", queryset=Initiative.objects.order_by("order", "id")),
        Prefetch("targets", queryset=targets_for_cards()),
    )


def focus_area_for_page(plan: Plan, key: str) -> FocusArea:
    return get_object_or_404(plan.focus_areas.prefetch_related(*_theme_contents()), key=key)


def plan_with_contents(plan: Plan) -> list[FocusArea]:
    """Every focus area of a plan with its guideposts, initiatives and cards: the report."""
    return list(plan.focus_areas.prefetch_related(*_theme_contents()).order_by("order", "id"))


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
