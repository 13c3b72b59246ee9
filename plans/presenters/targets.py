"""What the pages show, assembled from selectors: the tables and charts of a target, an indicator
and a plan. Views call these and render; nothing here writes."""

from dataclasses import dataclass, replace
from datetime import date

import pandas as pd
from django.db.models import Max
from django.utils import formats
from django.utils.translation import gettext as _

from kpis.models import Area, Indicator, Measurement, MeasurementRevision, Period
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


FRAME_COLUMNS = ["area", "area_id", "end", "start", "label", "kind", "id", "period_id", "value"]


def _frame(measurements) -> pd.DataFrame:
    """Figures as a frame, a row each. Read as plain values, not model instances with their
    period and area (a target's page reads hundreds: the instances cost more than the query),
    and each period's label made once, not once per area."""
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
        records.append((area, area_id, end, start, label, kind, pk, period_id, value))
    return pd.DataFrame.from_records(records, columns=FRAME_COLUMNS)


def _points(frame: pd.DataFrame, area_id: int) -> list[engine.Point]:
    rows = frame[frame["area_id"] == area_id]
    return [engine.Point(r.start, r.end, r.value, r.label) for r in rows.itertuples(index=False)]


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
    measurements = Measurement.objects.filter(indicator=indicator, area__in=areas)
    shown = _shown_kinds(target)
    if shown:
        measurements = measurements.filter(period__kind__in=shown)
    frame = _frame(measurements)
    revised = _revised_since_approval(target, frame["id"].tolist())
    # The target's own figures: a target on the year is judged on the year, while its page also
    # shows the months around it, as a series of their own.
    judged = frame[frame["kind"] == target.period_kind] if target.period_kind else frame
    if len(shown) > 1:
        months = frame["kind"] != target.period_kind
        frame.loc[months, "area"] = frame.loc[months, "area"] + " (" + _("months") + ")"

    comparison = frame[frame["area_id"] == target.comparison_area_id]
    figures = zip(comparison["period_id"], comparison["value"], strict=True)
    rule = selectors.target_rule(target, figures)
    inputs = engine.Inputs(
        series=_points(judged, municipality.pk),
        comparison=_points(judged, target.comparison_area_id) if target.comparison_area_id else [],
    )
    if target.kind == Target.Kind.EXPECTED and indicator.expected_by_id:
        expected = _expected_frame(target, municipality)
        frame = pd.concat([frame, expected], ignore_index=True) if len(expected) else frame
        areas = areas + [SeriesOwner(EXPECTED_SERIES, _("Expected level"))]
        inputs = replace(inputs, expected=_points(expected, EXPECTED_SERIES))
    if target.kind == Target.Kind.COMPARABLES:
        inputs = replace(inputs, peers=_comparables_peers(target, municipality, visible_areas))
    line = kinds.requirement_series(rule, inputs=inputs)
    required = pd.DataFrame(
        [{"end": p.end, "value": value} for p, value in line], columns=["end", "value"]
    )
    start = target.measure_from or target.plan.starts_on
    path = pd.DataFrame(
        [{"end": day, "value": value} for day, value in kinds.target_path(rule, start)],
        columns=["end", "value"],
    )
    for frame_ in (frame, required, path):
        frame_["shown"] = [indicator.format_value(v) for v in frame_["value"]]
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
        frame,
        own_area=municipality.name,
        required=required,
        path=path,
        glide=target.kind == target.Kind.GLIDE_PATH,
        baseline=baseline,
        deadline=deadline,
        forecast=forecast,
        y_title=indicator.get_unit_display(),
    )
    label = _chart_label(indicator, frame, municipality, bool(len(path) or len(required)),
                         forecast is not None)  # fmt: skip
    columns, records = _series_records(frame, areas, revised)
    if len(line):
        by_span = {(p.start, p.end): value for p, value in line}
        columns.append(("target", _("Target")))
        for record in records:
            record["target"] = by_span.get((record["start"], record["end"]))
    table = SeriesTable(
        records, columns=columns, indicator=indicator, key="data", caption=_("Figures")
    )
    return Figures(table, charts.to_json(figure), label)


def _chart_label(indicator, frame, municipality, has_target, has_forecast) -> str:
    """The caption says what is drawn: the comparison areas only where they have figures."""
    others = frame[frame["area_id"] != municipality.pk]["area"].unique()
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


EXPECTED_SERIES = -1  # the expected level's rows in a target's frame (no area has this id)


def _shown_kinds(target) -> list[str]:
    """The period kinds a target's page shows: its own, and the months around a year."""
    if not target.period_kind:
        return []
    if target.period_kind == Period.Kind.YEAR:
        return [Period.Kind.YEAR, Period.Kind.MONTH]
    return [target.period_kind]


def _expected_frame(target, municipality) -> pd.DataFrame:
    """The municipality's expected level (y30r21 "Forventet andel") as a series of the frame."""
    expected = Measurement.objects.filter(
        indicator_id=target.indicator.expected_by_id, area=municipality
    )
    if target.period_kind:
        expected = expected.filter(period__kind=target.period_kind)
    frame = _frame(expected)
    frame["area"], frame["area_id"] = _("Expected level"), EXPECTED_SERIES
    return frame


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


def _revised_since_approval(target, measurement_ids) -> set[int]:
    """Figures changed after the plan's latest approved round: a committee saw other values."""
    approved_at = target.plan.rounds.filter(state=ReportingRound.State.APPROVED).aggregate(
        latest=Max("approved_at")
    )["latest"]
    if approved_at is None:
        return set()
    return set(
        MeasurementRevision.objects.filter(
            measurement__in=measurement_ids, changed_at__gt=approved_at
        ).values_list("measurement_id", flat=True)
    )


def _series_records(frame: pd.DataFrame, areas, revised=()):
    """The columns (one per area that has figures) and records of a SeriesTable: a record per
    period, with its start and end. A figure revised since the last approved round is marked.
    One pass over the figures as plain lists: a target's page has hundreds, and pandas' rows
    (itertuples, drop_duplicates) cost more than the work."""
    names = ("area_id", "start", "end", "label", "value", "id")
    values, revised_cells, periods = {}, set(), {}
    rows = zip(*(frame[name].tolist() for name in names), strict=True)
    for area_id, start, end, label, value, pk in rows:
        values[(area_id, start, end)] = value
        periods.setdefault((start, end, label), None)
        if pk in revised:
            revised_cells.add((area_id, start, end))
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
