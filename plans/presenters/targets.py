"""What the pages show, assembled from selectors: the tables and charts of a target, an indicator
and a plan. Views call these and render; nothing here writes."""

from dataclasses import dataclass
from datetime import date

import pandas as pd
from django.db.models import Max
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from jobcenter.tables import Table
from kpis.danish import format_number
from kpis.models import Area, Indicator, Measurement, MeasurementRevision
from kpis.selectors import groups_of
from plans.engine import status as engine
from plans.models import ReportingRound
from plans.presenters import charts
from plans.presenters.cards import Card


@dataclass
class Figures:
    table: Table
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


def _frame(measurements, indicator: Indicator) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "area": m.area.name,
                "area_id": m.area_id,
                "end": m.period.end,
                "start": m.period.start,
                "label": m.period.label,
                "kind": m.period.kind,
                "id": m.pk,
                "period_id": m.period_id,
                "value": m.value,  # exact: the engine reads these; pages round when they show
            }
            for m in measurements
        ],
        columns=["area", "area_id", "end", "start", "label", "kind", "id", "period_id", "value"],
    )


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
    measurements = Measurement.objects.filter(indicator=indicator, area__in=areas).select_related(
        "period", "area"
    )
    if target.period_kind:
        measurements = measurements.filter(period__kind=target.period_kind)
    frame = _frame(measurements, indicator)
    revised = _revised_since_approval(target, [m.pk for m in measurements])

    comparison_baseline = None
    if target.comparison_area_id and target.baseline_period_id:
        rows = frame[
            (frame["area_id"] == target.comparison_area_id)
            & (frame["period_id"] == target.baseline_period_id)
        ]
        comparison_baseline = rows["value"].iloc[0] if len(rows) else None
    rule = target.rule(comparison_baseline=comparison_baseline)
    line = engine.requirement_series(
        rule,
        _points(frame, municipality.pk),
        _points(frame, target.comparison_area_id) if target.comparison_area_id else [],
    )
    required = pd.DataFrame(
        [{"end": p.end, "value": value} for p, value in line], columns=["end", "value"]
    )
    start = target.measure_from or target.plan.starts_on
    path = pd.DataFrame(
        [{"end": day, "value": value} for day, value in engine.target_path(rule, start)],
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
    table, ends = _series_table("data", _("Figures"), frame, areas, indicator, revised)
    if len(line):
        by_end = {p.end: value for p, value in line}
        table.columns.append(_("Target"))
        for display, raw, end in zip(table.rows, table.values, ends, strict=True):
            value = by_end.get(end)
            display.append(indicator.format_value(value) if value is not None else "")
            raw.append(indicator.quantize(value) if value is not None else None)
        table.numeric.add(len(table.columns) - 1)
    return Figures(table, figure.to_json(), label)


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


def _series_table(key, caption, frame: pd.DataFrame, areas, indicator: Indicator, revised=()):
    """A row per period, a column per area that has figures; and each row's period end.
    A figure revised since the last approved round is marked "revideret"."""
    present = [a for a in areas if (frame["area_id"] == a.pk).any()]
    table = Table(key=key, caption=caption, columns=[_("Period")] + [a.name for a in present])
    table.numeric = set(range(1, len(present) + 1))
    ends = []
    periods = frame[["start", "end", "label"]].drop_duplicates().sort_values(["end", "start"])
    values = {(r.area_id, r.start, r.end): r.value for r in frame.itertuples(index=False)}
    revised_cells = {
        (r.area_id, r.start, r.end) for r in frame.itertuples(index=False) if r.id in revised
    }
    marker = " (" + _("revised") + ")"
    for period in periods.itertuples(index=False):
        keys = [(a.pk, period.start, period.end) for a in present]
        cells = [values.get(k) for k in keys]
        table.add(
            [period.label]
            + [
                (indicator.format_value(v) + (marker if k in revised_cells else ""))
                if v is not None
                else ""
                for v, k in zip(cells, keys, strict=True)
            ],
            [period.label] + [indicator.quantize(v) for v in cells],
        )
        ends.append(period.end)
    return table, ends


def indicator_latest_table(indicator: Indicator, visible_areas) -> Table:
    """One indicator across every area that has it and the user may see: the latest figure and
    the change since the previous one."""
    measurements = (
        Measurement.objects.filter(indicator=indicator, area__in=visible_areas)
        .select_related("period", "area")
        .order_by("area__kind", "area__name", "period__end")
    )
    frame = _frame(measurements, indicator)
    table = Table(
        key="latest",
        caption=_("Latest figure per area"),
        columns=[_("Area"), _("Period"), _("Value"), _("Previous"), _("Change since previous")],
        numeric={2, 3, 4},
    )
    for area, rows in frame.groupby("area", sort=False):
        latest = rows.sort_values(["end", "start"]).iloc[-1]
        same_kind = rows[(rows["kind"] == latest["kind"]) & (rows["end"] < latest["end"])]
        previous = same_kind.sort_values("end").iloc[-1] if len(same_kind) else None
        change = latest["value"] - previous["value"] if previous is not None else None
        quantize = indicator.quantize
        table.add(
            [
                area,
                latest["label"],
                indicator.format_value(latest["value"]),
                f"{indicator.format_value(previous['value'])} ({previous['label']})"
                if previous is not None
                else "",
                indicator.format_development(change) if change is not None else "",
            ],
            [
                area,
                latest["label"],
                quantize(latest["value"]),
                quantize(previous["value"]) if previous is not None else None,
                quantize(change),
            ],
        )
    return table


def target_number(target, position: int) -> str:
    """The target's number as the plan gives it ("2a", "1.2"), else its place in the plan."""
    return target.code or str(position)


@dataclass
class TargetRow:
    """One row of a plan's target table as the page draws it: the card (for its link and its
    status badge) beside the cells the download holds."""

    card: Card
    cells: list


def target_rows(cards: list[Card], table: Table) -> list[TargetRow]:
    return [TargetRow(card, cells) for card, cells in zip(cards, table.rows, strict=True)]


def targets_table(cards: list[Card]) -> Table:
    """A plan's targets with their status, one row each, the target's title as row header."""
    table = Table(
        key="targets",
        caption=_("Targets and status"),
        columns=[
            _("Target"),
            _("No."),
            _("Period"),
            _("Value"),
            _("Development"),
            _("Target value"),
            _("Status"),
            _("Forecast"),
            _("Target as worded"),
        ],  # fmt: skip
        numeric={3, 4},
    )
    for position, card in enumerate(cards, start=1):
        indicator = card.target.indicator
        current = card.result.current
        row = [card.title, target_number(card.target, position), card.period_label, card.value,
               card.development, str(card.target_line), str(card.status_label),
               str(card.forecast_label), card.wording]  # fmt: skip
        raw = list(row)
        if indicator:
            raw[3] = indicator.quantize(current.value) if current else None
            raw[4] = indicator.quantize(card.result.development)
        table.add(row, raw)
    return table


def filters_text(filters: dict) -> str:
    """A binding's dimension filters as a person reads them: "Alder: 16-29 år"."""
    return ", ".join(f"{label}: {value}" for label, value in (filters or {}).items())


def sources_table(tables) -> Table:
    """Every binding of the followed jobindsats.dk tables, one row each: what the sources
    page shows table by table, and its download."""
    table = Table(
        key="bindings",
        caption=_("Indicators fetched from jobindsats.dk"),
        columns=[
            _("Indicator"),
            _("Table"),
            _("Measure"),
            _("Dimension filters"),
            _("Period kind"),
            _("Last sync"),
            _("Figures"),
            _("Next expected update"),
            _("Last error"),
        ],  # fmt: skip
    )
    table.numeric = {6}
    for source in tables:
        last = timezone.localtime(source.last_synced_at) if source.last_synced_at else None
        upcoming = timezone.localtime(source.next_update) if source.next_update else None
        for binding in source.bindings.all():
            table.add(
                [binding.indicator.name, source.table_id, binding.measure,
                 filters_text(binding.filters), binding.get_period_kind_display(),
                 formats.date_format(last, "j. F Y H:i") if last else "",
                 format_number(source.last_rows),
                 formats.date_format(upcoming, "j. F Y H:i") if upcoming else "",
                 source.last_error],
                [binding.indicator.name, source.table_id, binding.measure,
                 filters_text(binding.filters), binding.get_period_kind_display(),
                 last.replace(tzinfo=None) if last else None, source.last_rows,
                 upcoming.replace(tzinfo=None) if upcoming else None, source.last_error],
            )  # fmt: skip
    return table
