"""A series table draws its rows in one pass (SeriesTable.body), not cell by cell through
django-tables2: the cells must be the ones django-tables2 renders, the HTML the same."""

from datetime import date
from decimal import Decimal

import pytest
from django.template.loader import render_to_string

from jobcenter.tables import DataTable
from kpis.models import Indicator
from plans.tables.series import SeriesTable
from tests.builders import make_indicator

pytestmark = pytest.mark.django_db


def _table():
    share = make_indicator("andel", unit=Indicator.Unit.PERCENT, decimals=1)
    records = [
        {"period": "1. kvartal 2023", "start": date(2023, 1, 1), "end": date(2023, 3, 31),
         "revised": set(), "area_1": Decimal("58.8"), "area_2": None},
        {"period": "2. kvartal 2023", "start": date(2023, 4, 1), "end": date(2023, 6, 30),
         "revised": {"area_2"}, "area_1": Decimal("0"), "area_2": Decimal("1080.25")},
        {"period": "", "start": None, "end": None, "revised": set(), "area_1": None,
         "area_2": Decimal("-3")},
    ]  # fmt: skip
    columns = [("area_1", "Vordingborg"), ("area_2", "Hele landet")]
    return SeriesTable(records, columns=columns, indicator=share, key="data", caption="Tal")


def test_the_rows_are_the_cells_django_tables2_renders():
    table = _table()
    rendered = [[cell for _column, cell in row.items()] for row, _class in table.classed_rows()]
    assert [[period, *figures] for period, figures in table.body()] == rendered
    assert table.body()[1][1] == ["0,0 %", "1.080,3 % (revideret)"]


def test_the_page_gets_the_same_html_as_from_the_generic_rows():
    table = _table()
    fast = render_to_string("_table.html", {"table": table})
    table.rows_template = DataTable.rows_template
    assert render_to_string("_table.html", {"table": table}) == fast
    assert (
        '<th scope="row">1. kvartal 2023</th><td class="num">58,8 %</td><td class="num"></td>'
        in fast
    )


def test_an_empty_series_says_so():
    share = make_indicator("andel", unit=Indicator.Unit.PERCENT, decimals=1)
    table = SeriesTable([], columns=[("area_1", "Vordingborg")], indicator=share, key="data")
    fast = render_to_string("_table.html", {"table": table})
    table.rows_template = DataTable.rows_template
    assert render_to_string("_table.html", {"table": table}) == fast
    assert '<tbody>\n        <tr><td colspan="2">' in fast
