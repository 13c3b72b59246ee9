"""What the pages show, assembled from selectors: the tables and charts of a target, an indicator
and a plan. Views call these and render; nothing here writes."""

from dataclasses import dataclass, replace
from datetime import date

import pandas as pd
from django.db.models import Max
from django.utils import formats
from django.utils.translation import gettext as _

from kpis.models import Area, Indicator, Measurement, Period
from kpis.periods import PeriodSpec
from kpis.selectors import groups_of
from plans.engine import kinds
from plans.engine import status as engine
from plans.models import ReportingRound, Target
from plans.presenters import charts
from plans.presenters.cards import Card
from plans.selectors import targets as selectors
from plans.tables.series import SeriesTable
from plans.tables.sources import BindingsTable
from plans.tables.targets import LatestTable, TargetsTable


@dataclass
class Figures:
    table: SeriesTable
    figure_json: str
    label: str = ""  # the chart's caption, true to what is drawn
    current_figure: int | None = None  # the id of the stored figure the card's value is


def comparison_areas(
    municipality: Area, *, start: date, end: date, extra: Area | None = None
) -> list[Area]:
    """The areas a municipality's figures are shown beside from start to end: its RAR area or
    council of those years, its region, the country, and a target's own comparison area."""
    groups = groups_of(municipality, start=start, end=end)
    areas = [a for a in (*groups, municipality.region, extra) if a]
    areas += list(Area.objects.filter(kind=Area.Kind.COUNTRY))
    unique = {a.pk: a for a in areas if a.pk != municipality.pk}
    return list(unique.values())


FIGURE_FIELDS = ("area", "area_id", "end", "start", "label", "kind", "id", "period_id", "value")


def _rows(measurements) -> list[dict]:
    """Figures as plain rows, a dict each with FIGURE_FIELDS. Read as plain values, not model
    instances with their period and area (a target's page reads hundreds: the instances cost
    more than the query), and each period's label made once, not once per area. Plain dicts,
    not a DataFrame: the target page only filters and groups them, which pandas does per
    column in more time than the few hundred rows take (issue 17)."""
    rows = measurements.values_list(
        "area__name", "area_id", "period__end", "period__start", "period__kind", "id",
        "period_id", "value",  # exact: the engine reads these; pages round when they show
    )  # fmt: skip
    labels = {}
    records = []
    for area, area_id, end, start, kind, pk, period_id, value in rows:
        label = labels.get(period_id)
        if label is None:
            label = labels[period_id] = PeriodSpec(start, end, kind).label
        records.append(
            {"area": area, "area_id": area_id, "end": end, "start": start, "label": label,
             "kind": kind, "id": pk, "period_id": period_id, "value": value}
        )  # fmt: skip
    return records


def _frame(measurements) -> pd.DataFrame:
    """Figures as a frame, a row each (an indicator's page groups them by area)."""
    return pd.DataFrame.from_records(_rows(measurements), columns=FIGURE_FIELDS)


def _points(rows: list[dict], area_id: int) -> list[engine.Point]:
    return [
        engine.Point(r["start"], r["end"], r["value"], r["label"])
        for r in rows
        if r["area_id"] == area_id
    ]


def target_figures(card: Card, visible_areas) -> Figures | None:
    """The target's whole series beside its comparison areas (those the user may see), as a
    chart and a table."""
    target = card.target
    indicator = target.indicator
    if indicator is None:
        return None
    municipality = target.plan.municipality
    areas = [municipality] + comparison_areas(
        municipality,
        start=target.measure_from or target.plan.starts_on,
        end=target.deadline,
        extra=target.comparison_area,
    )
    allowed = set(visible_areas.filter(pk__in=[a.pk for a in areas]).values_list("pk", flat=True))
    areas = [a for a in areas if a.pk in allowed]
    # The figures' own ordering, but for the indicator's name (one indicator: a join for nothing).
    measurements = Measurement.objects.filter(indicator=indicator, area__in=areas).order_by(
        "area__kind", "area__name", "period__end"
    )
    shown = _shown_kinds(target)
    if shown:
        measurements = measurements.filter(period__kind__in=shown)
    rows = _rows(measurements)
    revised = _revised_since_approval(target, measurements)
    # The target's own figures: a target on the year is judged on the year, while its page also
    # shows the months around it, as a series of their own.
    judged = [r for r in rows if r["kind"] == target.period_kind] if target.period_kind else rows
    if len(shown) > 1:
        months = " (" + _("months") + ")"
        for row in rows:
            if row["kind"] != target.period_kind:
                row["area"] += months

    comparison = [r for r in rows if r["area_id"] == target.comparison_area_id]
    rule = selectors.target_rule(target, [(r["period_id"], r["value"]) for r in comparison])
    inputs = engine.Inputs(
        series=_points(judged, municipality.pk),
        comparison=_points(judged, target.comparison_area_id) if target.comparison_area_id else [],
    )
    if target.kind == Target.Kind.EXPECTED and indicator.expected_by_id:
        expected = _expected_rows(target, municipality)
        rows = rows + expected
        areas = areas + [SeriesOwner(EXPECTED_SERIES, _("Expected level"))]
        inputs = replace(inputs, expected=_points(expected, EXPECTED_SERIES))
    if target.kind == Target.Kind.COMPARABLES:
        inputs = replace(inputs, peers=_comparables_peers(target, municipality, visible_areas))
    line = kinds.requirement_series(rule, inputs=inputs)
    required = [{"end": p.end, "value": value} for p, value in line]
    start = target.measure_from or target.plan.starts_on
    path = [{"end": day, "value": value} for day, value in kinds.target_path(rule, start)]
    for row in (*rows, *required, *path):
        row["shown"] = indicator.format_value(row["value"])
    baseline = None
    if rule.baseline:
        baseline = {"end": rule.baseline.end, "value": rule.baseline.value,
                    "label": rule.baseline.label,
                    "shown": indicator.format_value(rule.baseline.value)}  # fmt: skip
    forecast = None
    result = card.result
    if result.projected is not None and result.current is not None and not result.final:
        forecast = {"start": result.current.end, "start_value": result.current.value,
                    "end": target.deadline, "value": result.projected,
                    "shown": indicator.format_value(result.projected)}  # fmt: skip
    deadline = {"end": target.deadline,
                "label": _("Deadline %(day)s") % {"day": formats.date_format(
                    target.deadline, "j. F Y")}}  # fmt: skip

    figure = charts.target_chart(
        rows,
        own_area=municipality.name,
        required=required,
        path=path,
        glide=target.kind == target.Kind.GLIDE_PATH,
        baseline=baseline,
        deadline=deadline,
        forecast=forecast,
        y_title=indicator.get_unit_display(),
    )
    label = _chart_label(indicator, rows, municipality, bool(path or required),
                         forecast is not None)  # fmt: skip
    columns, records = _series_records(rows, areas, revised)
    if len(line):
        by_span = {(p.start, p.end): value for p, value in line}
        columns.append(("target", _("Target")))
        for record in records:
            record["target"] = by_span.get((record["start"], record["end"]))
    table = SeriesTable(
        records, columns=columns, indicator=indicator, key="data", caption=_("Figures")
    )
    return Figures(table, charts.to_json(figure), label, _current_figure(card, judged))


def _current_figure(card: Card, judged: list[dict]) -> int | None:
    """Which of the municipality's figures is the card's current one (its source is shown)."""
    current = card.result.current
    if current is None:
        return None
    own = card.target.plan.municipality_id
    return next((r["id"] for r in judged if r["area_id"] == own and r["end"] == current.end), None)


def _chart_label(indicator, rows, municipality, has_target, has_forecast) -> str:
    """The caption says what is drawn: the comparison areas only where they have figures."""
    others = list(dict.fromkeys(r["area"] for r in rows if r["area_id"] != municipality.pk))
    parts = {"name": indicator.name, "areas": ", ".join(others)}
    if len(others) and has_target:
        text = _("%(name)s over time beside %(areas)s, with the target and the deadline")
    elif len(others):
        text = _("%(name)s over time beside %(areas)s, with the deadline")
    elif has_target:
        text = _("%(name)s over time, with the target and the deadline")
    else:
        text = _("%(name)s over time, with the deadline")
    if has_forecast:
        text = text + ". " + _("Dotted: the forecast to the deadline")
    return text % parts


@dataclass(frozen=True)
class SeriesOwner:
    """A column of the figures table that is not an area: the expected level."""

    pk: int
    name: str


EXPECTED_SERIES = -1  # the expected level's rows among a target's rows (no area has this id)


def _shown_kinds(target) -> list[str]:
    """The period kinds a target's page shows: its own, and the months around a year."""
    if not target.period_kind:
        return []
    if target.period_kind == Period.Kind.YEAR:
        return [Period.Kind.YEAR, Period.Kind.MONTH]
    return [target.period_kind]


def _expected_rows(target, municipality) -> list[dict]:
    """The municipality's expected level (y30r21 "Forventet andel") as a series of its own."""
    expected = Measurement.objects.filter(
        indicator_id=target.indicator.expected_by_id, area=municipality
    ).order_by("period__end")
    if target.period_kind:
        expected = expected.filter(period__kind=target.period_kind)
    rows = _rows(expected)
    for row in rows:
        row["area"], row["area_id"] = _("Expected level"), EXPECTED_SERIES
    return rows


def _comparables_peers(target, municipality, visible_areas) -> engine.Peers:
    """The named comparables' figures the user may see, for the chart's line of their average
    (median, best) in every period. One query."""
    rows = Measurement.objects.filter(
        indicator=target.indicator,
        area__in=visible_areas.filter(pk__in=municipality.comparables.values("pk")),
    )
    if target.period_kind:
        rows = rows.filter(period__kind=target.period_kind)
    values = {}
    for area_id, start, end, value in rows.order_by().values_list(
        "area_id", "period__start", "period__end", "value"
    ):
        values.setdefault((start, end), {})[area_id] = value
    named = frozenset(municipality.comparables.values_list("pk", flat=True))
    return engine.Peers(municipality.pk, values, named)


def _revised_since_approval(target, measurements) -> set[int]:
    """Figures (of the measurements queryset) changed after the plan's latest approved round: a
    committee saw other values. Asked of the figures' own query, not of a list of their ids: ten
    years of months beside four areas are a thousand ids to send and bind, 5–6 ms (issue 17)."""
    approved_at = target.plan.rounds.filter(state=ReportingRound.State.APPROVED).aggregate(
        latest=Max("approved_at")
    )["latest"]
    if approved_at is None:
        return set()
    # From the figures to their revisions (by the revisions' index on their figure): starting
    # from the revisions instead made the planner's choice depend on how many there are.
    revised = measurements.order_by().filter(revisions__changed_at__gt=approved_at)
    return set(revised.values_list("pk", flat=True))


def _series_records(rows: list[dict], areas, revised=()):
    """The columns (one per area that has figures) and records of a SeriesTable: a record per
    period, with its start and end. A figure revised since the last approved round is marked."""
    values, revised_cells, periods = {}, set(), {}
    for row in rows:
        key = (row["area_id"], row["start"], row["end"])
        values[key] = row["value"]
        periods.setdefault((row["start"], row["end"], row["label"]), None)
        if row["id"] in revised:
            revised_cells.add(key)
    with_figures = {area_id for area_id, _start, _end in values}
    present = [a for a in areas if a.pk in with_figures]
    columns = [(f"area_{a.pk}", a.name) for a in present]
    records = []
    for start, end, label in sorted(periods, key=lambda p: (p[1], p[0])):
        record = {"period": label, "start": start, "end": end, "revised": set()}
        for area in present:
            key = (area.pk, start, end)
            record[f"area_{area.pk}"] = values.get(key)
            if key in revised_cells:
                record["revised"].add(f"area_{area.pk}")
        records.append(record)
    return columns, records


def indicator_latest_table(indicator: Indicator, visible_areas) -> LatestTable:
    """One indicator across every area that has it and the user may see: the latest figure and
    the change since the previous one."""
    measurements = Measurement.objects.filter(indicator=indicator, area__in=visible_areas).order_by(
        "area__kind", "area__name", "period__end"
    )
    frame = _frame(measurements)
    records = []
    for area, rows in frame.groupby("area", sort=False):
        latest = rows.sort_values(["end", "start"]).iloc[-1]
        same_kind = rows[(rows["kind"] == latest["kind"]) & (rows["end"] < latest["end"])]
        previous = same_kind.sort_values("end").iloc[-1] if len(same_kind) else None
        records.append(
            {
                "area": area,
                "period": latest["label"],
                "value": latest["value"],
                "previous": previous["value"] if previous is not None else None,
                "previous_label": previous["label"] if previous is not None else "",
                "change": latest["value"] - previous["value"] if previous is not None else None,
            }
        )
    return LatestTable(records, indicator=indicator)


def targets_table(cards: list[Card]) -> TargetsTable:
    """A plan's targets with their status, one row each."""
    return TargetsTable(cards)


def sources_table(tables) -> BindingsTable:
    """Every binding of the followed jobindsats.dk tables, one row each: what the sources
    page shows table by table, and its download."""
    return BindingsTable([binding for source in tables for binding in source.bindings.all()])
