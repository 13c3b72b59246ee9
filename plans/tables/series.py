"""A series over time: a row per period, a number column per area (or per average, or the
target line). The target page's figures and an indicator's comparison over time."""

from html import escape

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jobcenter.tables import Column, DataTable, NumberColumn


class FigureColumn(NumberColumn):
    """An indicator's figure: "58,8 %" on the page, 58.8 to its decimals in the download. A
    figure revised since the last approved round is marked "(revideret)" on the page."""

    def __init__(self, verbose_name, indicator):
        super().__init__(verbose_name, show=indicator.format_value, export=indicator.quantize)

    def render(self, value, record, bound_column):
        text = self.show(value)
        if bound_column.name in record.get("revised", ()):
            text += " (" + _("revised") + ")"
        return text


class SeriesTable(DataTable):
    period = Column(gettext_lazy("Period"), row_header=True)
    rows_template = "plans/_series_rows.html"

    def __init__(self, records, *, columns, indicator, **kwargs):
        """`columns`: (name, heading) of each number column; a record is a dict with the
        period's label, a value per column name, and "revised", the names of revised cells."""
        extra = [(name, FigureColumn(heading, indicator)) for name, heading in columns]
        super().__init__(records, extra_columns=extra, **kwargs)

    def body(self) -> list[tuple]:
        """The rows as the page shows them: (the period, the figure of each column as written),
        each cell what django-tables2 would render (an empty one the column's default, "").
        Made here in one pass: its rows inspect the render method's signature again for every
        cell, and a target's ten years of months beside four areas are 600 cells, 16 ms of its
        page (issue 17). The download still goes through django-tables2 (DataTable.dataset)."""
        period, *figures = self.columns
        # A bound column computes its name and default anew on each access: read them once.
        columns = [(b.name, b.default, b.column.empty_values, b.column.render, b) for b in figures]
        period_default, period_empty = period.default, period.column.empty_values
        rows = []
        for record in self.data:
            cells = []
            for name, default, empty, render, bound in columns:
                value = record.get(name)
                cells.append(default if value in empty else render(value, record, bound))
            label = record.get("period")
            rows.append((period_default if label in period_empty else label, cells))
        return rows

    def body_html(self) -> str:
        """The rows of body() as the page's HTML, each cell (plain text) escaped once: the
        template's loop over 600 cells, resolving and escaping each through the template
        engine, cost more than the rest of the table (issue 17). The same HTML as
        templates/_table_rows.html (tests/test_series_table.py holds it to it)."""
        rows = []
        for period, figures in self.body():
            cells = "".join(f'<td class="num">{escape(f)}</td>' for f in figures)
            rows.append(f'<tr><th scope="row">{escape(period)}</th>{cells}</tr>')
        # Each row ends as the template's loop ended it: a newline and the tbody's indent.
        return mark_safe("".join(row + "\n        " for row in rows))  # noqa: S308 (escaped above)
