"""A series over time: a row per period, a number column per area (or per average, or the
target line). The target page's figures and an indicator's comparison over time."""

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
        rows = []
        for record in self.data:
            cells = []
            for bound in figures:
                value = record.get(bound.name)
                empty = value in bound.column.empty_values
                cells.append(bound.default if empty else bound.column.render(value, record, bound))
            label = record.get("period")
            rows.append((period.default if label in period.column.empty_values else label, cells))
        return rows
