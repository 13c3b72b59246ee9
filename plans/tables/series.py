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

    def __init__(self, records, *, columns, indicator, **kwargs):
        """`columns`: (name, heading) of each number column; a record is a dict with the
        period's label, a value per column name, and "revised", the names of revised cells."""
        extra = [(name, FigureColumn(heading, indicator)) for name, heading in columns]
        super().__init__(records, extra_columns=extra, **kwargs)
