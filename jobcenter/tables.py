"""Tables that a page shows and a user can take away as CSV or Excel.

A view builds its tables once; the page renders them with templates/_table.html and the same
objects become the download, so what is exported is exactly what is shown.
"""

import io
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.text import slugify

EXPORT_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass
class Table:
    key: str  # unique on its page; the ?table= of the download links
    caption: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)  # display strings, Danish formatted
    values: list[list] = field(default_factory=list)  # the same cells as raw values for export
    numeric: set[int] = field(default_factory=set)  # column indexes aligned right

    def add(self, display: list, raw: list | None = None):
        self.rows.append(display)
        self.values.append(raw if raw is not None else display)

    def dataframe(self) -> pd.DataFrame:
        return pd.DataFrame(self.values, columns=[str(c) for c in self.columns])


# A text cell starting with one of these is a formula to a spreadsheet: a wording such as
# "=HYPERLINK(…)" must arrive as text (OWASP's advice on CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _as_text(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def export_response(table: Table, fmt: str, filename: str) -> HttpResponse:
    """The table as a download. CSV is what Danish Excel opens directly: ';' and ',' decimals."""
    frame = table.dataframe().map(_as_text)
    # Headings too: an area's name heads a column of a series table.
    frame.columns = [_as_text(column) for column in frame.columns]
    # "unge-på-offentlig-forsørgelse", not "unge-pa-offentlig-forsrgelse": æ, ø and å kept.
    name = slugify(filename, allow_unicode=True) or "tabel"
    if fmt == "xlsx":
        buffer = io.BytesIO()
        with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
            frame.to_excel(writer, index=False, sheet_name=str(table.caption)[:31] or "Tabel")
        body = buffer.getvalue()
    else:
        fmt = "csv"
        # Decimals keep every digit; only the separator becomes Danish.
        frame = frame.map(lambda v: f"{v:f}".replace(".", ",") if isinstance(v, Decimal) else v)
        # A BOM so Excel reads the UTF-8 (æ, ø, å) right, as jobindsats.dk's own exports do.
        body = "\ufeff" + frame.to_csv(index=False, sep=";")
    response = HttpResponse(body, content_type=EXPORT_FORMATS[fmt])
    # RFC 6266: an ASCII-only name as it is, else the UTF-8 name (filename*) browsers use.
    response["Content-Disposition"] = content_disposition_header(True, f"{name}.{fmt}")
    return response


def export_requested(request, tables: list[Table], filename: str) -> HttpResponse | None:
    """The download a request asks for (?export=csv|xlsx&table=key), or None for the page."""
    fmt = request.GET.get("export")
    if fmt not in EXPORT_FORMATS:
        return None
    wanted = request.GET.get("table") or (tables[0].key if tables else "")
    for table in tables:
        if table.key == wanted:
            return export_response(table, fmt, f"{filename}-{table.key}")
    return None
