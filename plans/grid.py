"""The data-entry grid of a plan: its indicators × the periods of one kind in one year, for the
municipality and its comparison areas. Built from the figures, filled from a POST, checked
cell by cell; saving is kpis.services.figures_save_checked."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Max
from django.utils.translation import gettext as _

from kpis import ownership, periods
from kpis.danish import DanishNumberError, format_number, parse_number
from kpis.importers import value_problem
from kpis.models import Area, Indicator, Measurement
from kpis.services import CellChange, version_of
from plans.presenters.targets import comparison_areas

# The period kinds typed by hand, and the periods of each in a year.
KIND_PERIODS = {
    periods.MONTH: lambda year: [periods.month(year, m) for m in range(1, 13)],
    periods.QUARTER: lambda year: [periods.quarter(year, q) for q in range(1, 5)],
    periods.HALF_YEAR: lambda year: [periods.half_year(year, h) for h in (1, 2)],
    periods.YEAR: lambda year: [periods.year(year)],
    periods.ROLLING_YEAR: lambda year: [periods.rolling_year(year, q) for q in range(1, 5)],
}


@dataclass
class Cell:
    name: str  # the input's name: c-<indicator>-<area>-<period code>
    period: periods.PeriodSpec
    text: str  # what the input shows: the stored figure, or what the user typed
    version: str  # the stored figure's version when the grid was drawn
    error: str = ""
    conflict: str = ""
    seen_text: str = ""  # the figure as the user first saw it

    def __post_init__(self):
        self.seen_text = self.text

    @property
    def seen_name(self):
        return "s" + self.name[1:]

    @property
    def seen(self):
        """What the page remembers of the figure as shown: its version and its text."""
        return f"{self.version}|{self.seen_text}"


@dataclass
class Row:
    indicator: Indicator
    area: Area
    cells: list[Cell] = field(default_factory=list)
    locked: str = ""  # why the user may not change these figures, naming who owns them
    # The period kinds the plan's targets on this indicator follow ("måned"): a figure typed
    # in another kind is one no target shows.
    target_kinds: tuple[str, ...] = ()

    @property
    def unit(self):
        return self.indicator.get_unit_display()

    @property
    def key(self):
        return f"{self.indicator.pk}-{self.area.pk}"


@dataclass
class Grid:
    columns: list[periods.PeriodSpec]
    rows: list[Row]

    @property
    def cells(self):
        return [cell for row in self.rows for cell in row.cells]

    @property
    def has_errors(self):
        return any(cell.error or cell.conflict for cell in self.cells)


def _input_text(value: Decimal, indicator: Indicator) -> str:
    """A stored figure as typed: Danish decimals, no thousands separator, no unit."""
    return format_number(value, indicator.decimals).replace(".", "")


def default_kind(plan) -> str:
    """The period kind most of the plan's targets follow, or quarters."""
    kinds = [t.period_kind for t in plan.targets.all() if t.period_kind in KIND_PERIODS]
    return max(set(kinds), key=kinds.count) if kinds else periods.QUARTER


def newest_year_with_figures(plan, kind: str, years: list[int]) -> int | None:
    """The latest of `years` in which the plan's indicators have figures of this kind for the
    municipality: the grid opens there, not on an empty year."""
    ends = Measurement.objects.filter(
        indicator__targets__plan=plan,
        area=plan.municipality_id,
        period__kind=kind,
        period__end__year__gte=years[0],
        period__end__year__lte=years[-1],
    ).aggregate(latest=Max("period__end"))["latest"]
    return ends.year if ends else None


def grid_for(plan, kind: str, year: int, *, editable_area_ids=None) -> Grid:
    """The grid for a plan, with the stored figures; one query for all of them. Rows are the
    plan's municipality and the comparison areas; another municipality (a target may compare
    with a neighbour) only where the user may edit it (editable_area_ids; None: all). A row
    whose figures are not the user's (kpis.ownership: a comparison area of an indicator fetched
    from jobindsats.dk) is locked, with the reason."""
    indicators = list(
        Indicator.objects.filter(targets__plan=plan)
        .select_related("source__table")  # whose figures they are: kpis.ownership
        .distinct()
        .order_by("name")
    )
    municipality = plan.municipality
    extra = [t.comparison_area for t in plan.targets.select_related("comparison_area")]
    areas = [municipality] + comparison_areas(
        municipality, start=date(year, 1, 1), end=date(year, 12, 31)
    )
    areas += [a for a in extra if a and a not in areas]
    areas = [
        a for a in areas
        if a.kind != Area.Kind.MUNICIPALITY or editable_area_ids is None
        or a.pk in editable_area_ids
    ]  # fmt: skip
    columns = KIND_PERIODS[kind](year)
    stored = {
        (m.indicator_id, m.area_id, m.period.start, m.period.end): m
        for m in Measurement.objects.filter(
            indicator__in=indicators,
            area__in=areas,
            period__kind=kind,
            period__start__gte=columns[0].start,
            period__end__lte=columns[-1].end,
        ).select_related("period")
    }
    followed = {}
    for target in plan.targets.exclude(period_kind=""):
        followed.setdefault(target.indicator_id, set()).add(target.get_period_kind_display())
    rows = []
    for indicator in indicators:
        for area in areas:
            locked = ownership.figure_problem(
                editable=editable_area_ids,
                indicator=indicator,
                area=area,
                table_id=ownership.source_table_id(indicator),
            )
            row = Row(indicator, area, locked=locked or "",
                      target_kinds=tuple(sorted(followed.get(indicator.pk, ()))))  # fmt: skip
            for period in columns:
                figure = stored.get((indicator.pk, area.pk, period.start, period.end))
                row.cells.append(
                    Cell(
                        name=f"c-{indicator.pk}-{area.pk}-{period.code}",
                        period=period,
                        text=_input_text(figure.value, indicator) if figure else "",
                        version=version_of(figure),
                    )
                )
            rows.append(row)
    return Grid(columns, rows)


def changes_from(grid: Grid, data) -> list[CellChange]:
    """What the user changed: each cell whose typed text differs from the figure as the user
    saw it (another analyst's later change to a cell this user left alone is not an edit).
    Each cell keeps what was typed; a bad value gets its error, in Danish."""
    changes = []
    for row in grid.rows:
        for cell in row.cells:
            if cell.name not in data:
                continue
            typed = " ".join(str(data[cell.name]).split())
            seen_version, _sep, seen_text = str(data.get(cell.seen_name, cell.seen)).partition("|")
            cell.text, cell.seen_text, cell.version = typed, seen_text, seen_version
            if typed == seen_text:
                continue
            if row.locked:  # shown read-only; only a forged form gets here
                cell.error = row.locked
                continue
            if not typed:
                # Deleting would take the figure's history with it; correct it instead.
                cell.error = _("A figure cannot be deleted here; correct it instead.")
                continue
            try:
                value = parse_number(typed)
            except DanishNumberError as exc:
                cell.error = str(exc)
                continue
            problem = value_problem(value, row.indicator)
            if problem:
                cell.error = problem
                continue
            changes.append(CellChange(row.indicator, row.area, cell.period, value, seen_version))
    return changes


def mark_conflicts(grid: Grid, conflicts) -> None:
    """Tell, at each cell someone else changed meanwhile, what it now holds."""
    by_name = {cell.name: cell for cell in grid.cells}
    for change, current in conflicts:
        name = f"c-{change.indicator.pk}-{change.area.pk}-{change.period.code}"
        cell = by_name[name]
        if current is None:
            cell.conflict = _("Deleted by someone else since you opened the page.")
            cell.version = cell.seen_text = ""
        else:
            cell.conflict = _("Changed to %(value)s by %(user)s since you opened the page.") % {
                "value": change.indicator.format_value(current.value),
                "user": current.entered_by or _("someone else"),
            }
            # Seen now: saving again overwrites it on purpose.
            cell.version = version_of(current)
            cell.seen_text = _input_text(current.value, change.indicator)
