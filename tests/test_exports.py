"""The one export path of every table (jobcenter/tables.py): Danish file names, Danish
decimals in CSV, numbers as numbers in Excel, formula-like text as text."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.test import RequestFactory
from django.utils.translation import gettext_lazy

from jobcenter.tables import Column, DataTable, NumberColumn, export_requested
from kpis.danish import format_number


class FigureTable(DataTable):
    key = "tal"
    caption = "Tal"

    area = Column(gettext_lazy("Area"), row_header=True)
    value = NumberColumn(gettext_lazy("Value"), show=lambda v: format_number(v, 1))


ROWS = [{"area": "Guldborgsund", "value": Decimal("1080.5")},
        {"area": "=HYPERLINK(\"x\")", "value": None}]  # fmt: skip


def download(fmt, name="Unge på offentlig forsørgelse"):
    request = RequestFactory().get("/", {"export": fmt, "table": "tal"})
    return export_requested(request, [FigureTable(ROWS)], name)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_file_keeps_its_danish_name(fmt):
    header = download(fmt)["Content-Disposition"]
    assert header.startswith(f'attachment; filename="unge-pa-offentlig-forsrgelse-tal.{fmt}"')
    # RFC 5987: what browsers save the file as, æ, ø and å kept
    assert f"filename*=UTF-8''unge-p%C3%A5-offentlig-fors%C3%B8rgelse-tal.{fmt}" in header


def test_an_ascii_name_needs_no_second_form():
    header = download("csv", "Kommuner")["Content-Disposition"]
    assert header == 'attachment; filename="kommuner-tal.csv"'


def test_csv_has_danish_decimals_and_formulas_as_text():
    text = download("csv").content.decode("utf-8")
    assert text == '\ufeffOmråde;Værdi\nGuldborgsund;1080,5\n"\'=HYPERLINK(""x"")";\n'


def test_excel_has_numbers_as_numbers_and_formulas_as_text():
    sheet = openpyxl.load_workbook(io.BytesIO(download("xlsx").content)).active
    assert sheet.title == "Tal"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows == [("Område", "Værdi"), ("Guldborgsund", 1080.5), ('\'=HYPERLINK("x")', None)]
    assert sheet.cell(row=2, column=2).data_type == "n"


def test_the_page_shows_the_danish_figure_with_row_headers_and_alignment():
    from django.template.loader import render_to_string

    html = render_to_string("_table.html", {"table": FigureTable(ROWS)})
    assert '<th scope="col" class="num">Værdi</th>' in html
    assert '<th scope="row">Guldborgsund</th><td class="num">1.080,5</td>' in html
    assert "<caption>Tal</caption>" in html
