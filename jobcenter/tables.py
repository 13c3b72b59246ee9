"""Tables that a page shows and a user can take away as CSV or Excel.

Each table is a class that declares its columns (django-tables2): how a cell is shown (Danish
formatted, "1.080,5") and what it exports (the number itself). A view builds its tables once;
the page renders them with templates/_table.html and the same objects become the download
through export_response, the one export path (tablib), so what is exported is what is shown.
"""

from decimal import Decimal
from urllib.parse import quote

import django_tables2 as tables
import tablib
from django.http import HttpResponse
from django.utils.text import slugify

from kpis.danish import format_number

EXPORT_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class Column(tables.Column):
    """A text column. An empty cell stays empty (django-tables2 would show "—"); the row's
    header column (`row_header=True`) is rendered as <th scope="row">."""

    def __init__(self, verbose_name=None, *, row_header=False, **kwargs):
        kwargs.setdefault("default", "")
        super().__init__(verbose_name, **kwargs)
        self.row_header = row_header
        self.numeric = False


class NumberColumn(Column):
    """A figure, aligned right: shown by `show` (Danish, "1.080,5"), exported by `export` as a
    number, so a spreadsheet counts with it."""

    def __init__(self, verbose_name=None, *, show=format_number, export=None, **kwargs):
        super().__init__(verbose_name, **kwargs)
        self.numeric = True
        self.show = show
        self.export = export

    def render(self, value):
        return self.show(value)

    def value(self, value):
        return self.export(value) if self.export else value


class DataTable(tables.Table):
    """A table on a page: `key` is unique on its page (the ?table= of the download links),
    `caption` names it for screen readers and in the spreadsheet's sheet."""

    key = ""
    caption = ""
    css_class = "table data-table"  # DKFDS's table, and the portal's own rules on top
    # The partial that draws the rows inside templates/_table.html: a table whose cells are all
    # alike can draw them without django-tables2 rendering each (plans.tables.series).
    rows_template = "_table_rows.html"

    def __init__(self, data, *, key=None, caption=None, **kwargs):
        # Set here, not in a Meta: django-tables2 reads a Meta only from the class itself.
        kwargs.setdefault("attrs", {"class": self.css_class})
        # The rows come in the order that means something (a rank, a period, a plan's order).
        kwargs.setdefault("orderable", False)
        super().__init__(data, **kwargs)
        self.key = key or self.key
        self.caption = caption or self.caption

    def row_class(self, record) -> str:
        """A CSS class for a row (the chosen municipality in a ranking); none by default."""
        return ""

    def classed_rows(self):
        return [(row, self.row_class(row.record)) for row in self.rows]

    def dataset(self) -> tablib.Dataset:
        """The exported cells, headings first, as the columns' values (numbers as numbers)."""
        header, *rows = self.as_values()
        return tablib.Dataset(*rows, headers=header, title=str(self.caption))


# A text cell starting with one of these is a formula to a spreadsheet: a wording such as
# "=HYPERLINK(…)" must arrive as text (OWASP's advice on CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _as_text(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _danish(value):
    # Decimals keep every digit; only the separator becomes Danish.
    return f"{value:f}".replace(".", ",") if isinstance(value, Decimal) else value


def export_response(table: DataTable, fmt: str, filename: str) -> HttpResponse:
    """The table as a download. CSV is what Danish Excel opens directly: ';' and ',' decimals,
    UTF-8 with a BOM (æ, ø, å), as jobindsats.dk's own exports are."""
    source = table.dataset()
    # Headings too: an area's name heads a column of a series table.
    headers = [_as_text(h) for h in source.headers]
    rows = [[_as_text(v) for v in row] for row in source]
    if fmt == "xlsx":
        # The sheet's name: Excel allows 31 characters.
        data = tablib.Dataset(*rows, headers=headers, title=str(table.caption)[:31] or "Tabel")
        body = data.export("xlsx")
    else:
        fmt = "csv"
        data = tablib.Dataset(*[[_danish(v) for v in row] for row in rows], headers=headers)
        body = "\ufeff" + data.export("csv", delimiter=";", lineterminator="\n")
    response = HttpResponse(body, content_type=EXPORT_FORMATS[fmt])
    response["Content-Disposition"] = attachment_header(filename, fmt)
    return response


def attachment_header(filename: str, extension: str) -> str:
    """A download's Content-Disposition: the Danish name as it is ("unge-på-…", RFC 5987's
    filename*, which browsers prefer), and an ASCII one ("unge-pa-…") for clients without it."""
    ascii_name = slugify(filename) or "tabel"
    name = slugify(filename, allow_unicode=True) or ascii_name
    header = f'attachment; filename="{ascii_name}.{extension}"'
    if name != ascii_name:
        header += f"; filename*=UTF-8''{quote(f'{name}.{extension}', safe='')}"
    return header


def export_requested(request, tables: list[DataTable], filename: str) -> HttpResponse | None:
    """The download a request asks for (?export=csv|xlsx&table=key), or None for the page."""
    fmt = request.GET.get("export")
    if fmt not in EXPORT_FORMATS:
        return None
    wanted = request.GET.get("table") or (tables[0].key if tables else "")
    for table in tables:
        if table.key == wanted:
            return export_response(table, fmt, f"{filename}-{table.key}")
    return None
