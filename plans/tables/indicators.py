"""One indicator across the country: every municipality ranked for one period."""

from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from jobcenter.tables import Column, DataTable, NumberColumn


class RankingTable(DataTable):
    """A row per ranked municipality (plans.presenters.indicators.RankRow): the page shows the
    shared ranks ("3. (delt)") and marks the chosen and the comparable municipalities; the
    download has the rank, the value and the difference from hele landet as numbers."""

    key = "rangliste"

    rank = NumberColumn(_("Rank"), accessor="rank_label", show=str)
    municipality = Column(_("Municipality"), accessor="area__name", row_header=True)
    value = NumberColumn(_("Value"), show=str)
    difference = NumberColumn(_("Difference from the whole country"), show=str)
    # Only for an indicator that names its expected level (STAR's benchmark, y30r21).
    expected = NumberColumn(_("Expected level"), show=str)
    expected_gap = NumberColumn(_("Actual minus expected"), show=str)
    mark = Column(_("Mark"))

    css_class = "table data-table ranking"

    def __init__(self, rows, *, indicator, national, **kwargs):
        if indicator.expected_by_id is None:
            kwargs.setdefault("exclude", ("expected", "expected_gap"))
        super().__init__(rows, **kwargs)
        self.indicator = indicator
        self.national = national

    def row_class(self, record):
        return "rank-own" if record.own else "rank-comparable" if record.comparable else ""

    def render_mark(self, value):
        return format_html('<strong class="mark">{}</strong>', value)

    def value_mark(self, value):
        return value

    def value_rank(self, record):
        return record.rank

    def value_value(self, record):
        return self.indicator.quantize(record.raw_value)

    def value_difference(self, record):
        if self.national is None:
            return None
        return self.indicator.quantize(record.raw_value - self.national)

    def value_expected(self, record):
        return self.indicator.quantize(record.raw_expected)

    def value_expected_gap(self, record):
        if record.raw_expected is None:
            return None
        return self.indicator.quantize(record.raw_value - record.raw_expected)
