"""One indicator across the country, as its page shows it: for one period every municipality's
figure ranked, hele landet, the regions and the municipality's RAR area or council beside it,
the chosen municipality's position and its comparable municipalities; and charts of both.

The reads are in plans.selectors.indicators; nothing here queries the database itself, so the
page's queries are a fixed set whatever the number of municipalities and figures.
"""

from dataclasses import dataclass, field, replace
from decimal import Decimal

import pandas as pd
from django.utils.translation import gettext as _

from kpis.models import Area, Indicator
from plans.engine import status as engine
from plans.presenters import charts
from plans.presenters.cards import expected_sentence
from plans.selectors import indicators as select
from plans.tables.indicators import RankingTable
from plans.tables.series import SeriesTable


@dataclass
class Chart:
    figure_json: str
    label: str = ""  # the caption, naming only what is drawn


@dataclass
class RankRow:
    area: Area
    rank: int
    rank_label: str  # "3." or "3. (delt)"
    value: str
    difference: str  # from hele landet, in the indicator's unit
    mark: str  # "Din kommune", "Sammenlignelig" or ""
    tied: bool
    own: bool
    comparable: bool
    raw_value: Decimal
    # Beside the rank, the level expected of the municipality (y30r21), where the indicator
    # has one: "Nr. 12 af 98" and "0,38 pct.-point bedre end forventet" side by side.
    expected: str = ""
    expected_gap: str = ""  # actual minus expected, in the indicator's unit
    against_expected: str = ""
    raw_expected: Decimal | None = None


@dataclass
class AreaFigure:
    area: Area
    value: str
    difference: str
    note: str = ""


@dataclass
class Summary:
    """The average and median of the comparable municipalities that have a figure."""

    count: int
    mean: Decimal | None
    median: Decimal | None
    mean_text: str
    median_text: str
    mean_difference: str
    without_figure: list[str]


@dataclass
class CountryView:
    indicator: Indicator
    kinds: list[tuple[str, str]]
    kind: str | None
    periods: list[select.PeriodChoice]
    period: select.PeriodChoice | None
    municipalities: list[Area]
    chosen: Area | None
    chosen_is_own: bool
    comparison: list[AreaFigure] = field(default_factory=list)
    rows: list[RankRow] = field(default_factory=list)
    table: RankingTable | None = None
    position: RankRow | None = None
    comparables: Summary | None = None
    comparable_names: list[str] = field(default_factory=list)
    ranking_chart: Chart | None = None
    series_table: SeriesTable | None = None
    series_chart: Chart | None = None

    @property
    def count(self) -> int:
        return len(self.rows)


def _choose_period(choices, kind, code):
    kinds = {c.kind for c in choices}
    if kind not in kinds:
        kind = select.default_kind(choices)
    of_kind = [c for c in choices if c.kind == kind]
    period = next((c for c in of_kind if c.code == code), of_kind[-1] if of_kind else None)
    return kind, of_kind, period


def _choose_municipality(municipalities, own_ids, slug):
    """The municipality asked for (?kommune=), else the user's own: the first by name of those
    they are a member of. None for a superuser or an anonymous user who chose none."""
    if slug:
        chosen = next((m for m in municipalities if m.slug == slug), None)
        if chosen:
            return chosen
    return next((m for m in municipalities if m.pk in own_ids), None)


def indicator_country(
    indicator: Indicator,
    visible_areas,
    *,
    own_ids=(),
    kind: str | None = None,
    period_code: str | None = None,
    municipality_slug: str | None = None,
) -> CountryView:
    choices = select.periods_with_figures(indicator, visible_areas)
    kind, of_kind, period = _choose_period(choices, kind, period_code)
    areas = select.areas_for_page(visible_areas)
    municipalities = [a for a in areas if a.kind == Area.Kind.MUNICIPALITY]
    chosen = _choose_municipality(municipalities, set(own_ids), municipality_slug)
    kinds_present = list(dict.fromkeys(c.kind for c in choices))
    view = CountryView(
        indicator=indicator,
        kinds=[(k, select.period_kind_label(k)) for k in kinds_present],
        kind=kind,
        periods=of_kind,
        period=period,
        municipalities=municipalities,
        chosen=chosen,
        chosen_is_own=bool(chosen and chosen.pk in set(own_ids)),
    )
    if period is None:
        return view

    by_id = {a.pk: a for a in areas}
    values = select.values_for_period(indicator, period.pk, by_id)
    country = next((a for a in areas if a.kind == Area.Kind.COUNTRY and a.pk in values), None)
    national = values[country.pk] if country else None
    comparable_ids = set(select.comparables_of(chosen)) if chosen else set()
    groups = set(select.groups_on(chosen, period.spec.end)) if chosen else None
    view.comparable_names = [by_id[pk].name for pk in comparable_ids if pk in by_id]

    def difference(value):
        if national is None or value is None:
            return ""
        return indicator.format_development(value - national)

    view.comparison = _comparison_areas(indicator, areas, values, chosen, groups, difference)
    view.rows = _rank_rows(indicator, municipalities, values, chosen, comparable_ids, difference,
                           own_label=_("Your municipality") if view.chosen_is_own
                           else _("Chosen municipality"))  # fmt: skip
    if indicator.expected_by_id:
        expected = select.values_for_period(indicator.expected_by, period.pk, by_id)
        view.rows = [_with_expected(indicator, row, expected.get(row.area.pk)) for row in view.rows]
    view.table = _ranking_table(indicator, view.rows, period, national)
    view.position = next((r for r in view.rows if r.own), None)
    if chosen:
        with_figure = [values[pk] for pk in comparable_ids if pk in values]
        view.comparables = _summary(indicator, with_figure, difference, by_id, comparable_ids,
                                    values)  # fmt: skip
    view.ranking_chart = _ranking_chart(indicator, view.rows, national)
    if chosen:
        view.series_table, view.series_chart = _series(
            indicator, kind, chosen, country, comparable_ids & set(by_id)
        )
    return view


def _comparison_areas(indicator, areas, values, chosen, groups, difference) -> list[AreaFigure]:
    """Hele landet, the regions, and the RAR area or council of the period's year: the chosen
    municipality's own, or without a municipality every one that has a figure."""
    order = {Area.Kind.COUNTRY: 0, Area.Kind.REGION: 1, Area.Kind.RAR: 2, Area.Kind.COUNCIL: 2}
    shown = []
    for area in sorted(areas, key=lambda a: (order.get(a.kind, 9), a.name)):
        if area.kind not in order or area.pk not in values:
            continue
        if area.kind in Area.GROUP_KINDS and groups is not None and area.pk not in groups:
            continue
        note = ""
        if chosen and area.pk == chosen.region_id:
            note = _("the municipality's region")
        elif chosen and area.kind in Area.GROUP_KINDS:
            note = (
                _("the municipality's RAR area")
                if area.kind == Area.Kind.RAR
                else _("the municipality's employment council")
            )
        value = values[area.pk]
        diff = "" if area.kind == Area.Kind.COUNTRY else difference(value)
        shown.append(AreaFigure(area, indicator.format_value(value), diff, note))
    return shown


def _rank_rows(indicator, municipalities, values, chosen, comparable_ids, difference, *,
               own_label) -> list[RankRow]:  # fmt: skip
    pairs = [(m, values[m.pk]) for m in municipalities if m.pk in values]
    ranked = engine.ranking(pairs, lower_is_better=indicator.direction == Indicator.Direction.LOWER)
    rows = []
    for entry in ranked:
        area = entry.area
        own = chosen is not None and area.pk == chosen.pk
        comparable = area.pk in comparable_ids
        label = f"{entry.rank}."
        if entry.tied:
            label += " (" + _("shared") + ")"
        mark = own_label if own else (_("Comparable") if comparable else "")
        rows.append(
            RankRow(area, entry.rank, label, indicator.format_value(entry.value),
                    difference(entry.value), mark, entry.tied, own, comparable, entry.value)
        )  # fmt: skip
    return rows


def _with_expected(indicator, row: RankRow, expected: Decimal | None) -> RankRow:
    if expected is None:
        return row
    return replace(
        row,
        expected=indicator.format_value(expected),
        expected_gap=indicator.format_development(row.raw_value - expected),
        against_expected=expected_sentence(indicator, row.raw_value, expected),
        raw_expected=expected,
    )


def _ranking_table(indicator, rows, period, national) -> RankingTable:
    caption = _("Every municipality, %(period)s") % {"period": period.label}
    return RankingTable(rows, indicator=indicator, national=national, caption=caption)


def _summary(indicator, with_figure, difference, by_id, comparable_ids, values) -> Summary:
    average, median = engine.mean(with_figure), engine.middle(with_figure)
    return Summary(
        count=len(with_figure),
        mean=average,
        median=median,
        mean_text=indicator.format_value(average),
        median_text=indicator.format_value(median),
        mean_difference=difference(average),
        without_figure=sorted(
            by_id[pk].name for pk in comparable_ids if pk in by_id and pk not in values
        ),
    )


def _ranking_chart(indicator, rows, national) -> Chart:
    frame = pd.DataFrame(
        [
            {
                "area": r.area.name,
                "value": r.raw_value,
                "rank": r.rank_label,
                "role": "own" if r.own else "comparable" if r.comparable else "other",
            }
            for r in rows
        ],
        columns=["area", "value", "rank", "role"],
    )
    figure = charts.ranking_chart(
        frame,
        y_title=indicator.get_unit_display(),
        country=float(national) if national is not None else None,
    )
    return Chart(charts.to_json(figure))


def _series(indicator, kind, chosen, country, comparable_ids):
    """The chosen municipality's figures of the period kind over time, beside hele landet and
    the average of its comparable municipalities (of those with a figure for each period)."""
    ids = [chosen.pk] + ([country.pk] if country else []) + sorted(comparable_ids)
    figures = select.series_of_kind(indicator, kind, ids)
    average_name = _("Average of the comparable municipalities")
    names = {chosen.pk: chosen.name}
    if country:
        names[country.pk] = country.name
    by_period: dict = {}
    for f in figures:
        by_period.setdefault(f.spec, {"own": {}, "comparables": []})
        if f.area_id in comparable_ids:
            by_period[f.spec]["comparables"].append(f.value)
        else:
            by_period[f.spec]["own"][f.area_id] = f.value
    columns = [chosen.name] + ([country.name] if country else [])
    if comparable_ids:
        columns.append(average_name)
    keys = ["own"] + (["country"] if country else []) + (["average"] if comparable_ids else [])
    rows, records = [], []
    for spec in sorted(by_period, key=lambda s: (s.end, s.start)):
        entry = by_period[spec]
        cells = [entry["own"].get(chosen.pk)]
        if country:
            cells.append(entry["own"].get(country.pk))
        if comparable_ids:
            cells.append(engine.mean(entry["comparables"]))
        rows.append({"period": spec.label, **dict(zip(keys, cells, strict=True))})
        for name, value in zip(columns, cells, strict=True):
            if value is not None:
                records.append({"area": name, "end": spec.end, "label": spec.label,
                                "value": value})  # fmt: skip
    table = SeriesTable(
        rows,
        columns=list(zip(keys, columns, strict=True)),
        indicator=indicator,
        key="series",
        caption=_("%(name)s over time") % {"name": chosen.name},
    )
    frame = pd.DataFrame(records, columns=["area", "end", "label", "value"])
    figure = charts.comparison_series_chart(
        frame, own_area=chosen.name, y_title=indicator.get_unit_display()
    )
    drawn = [name for name in columns[1:] if any(r["area"] == name for r in records)]
    if drawn:
        label = _("%(name)s over time beside %(others)s") % {
            "name": chosen.name,
            "others": ", ".join(drawn),
        }
    else:
        label = _("%(name)s over time") % {"name": chosen.name}
    return table, Chart(charts.to_json(figure), label)
