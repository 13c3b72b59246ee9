"""Reading an Excel workbook in bounded memory and time.

An .xlsx file is a zip of XML parts, and what it declares cannot be trusted: a file of 1,5 KB
can declare a sheet of 17 billion cells, and one of 2 MB can unpack to 550 MB of XML. So the zip
is inspected before openpyxl sees it (each part's and the total unpacked size, the compression
ratio, the sheet's declared size), the sheet is read streaming (openpyxl's read-only mode,
without padding rows to the declared size), and reading stops at the first row or column past
the limits. The limits are stated in the README ("Import limits").
"""

import io
import re
import zipfile

import openpyxl
from django.utils.translation import gettext as _

# Excel's own sheet has 1.048.576 rows; a jobindsats.dk export has a handful of columns.
MAX_ROWS = 1_048_576
MAX_COLUMNS = 50
# What a file of 1.000.000 rows of four columns needs, and what the memory budget allows.
MAX_CELLS = 4_000_000
MAX_UNPACKED_BYTES = 256 * 1024 * 1024  # all parts together, unpacked
MAX_PART_BYTES = 200 * 1024 * 1024  # any one part
MAX_RATIO = 100  # unpacked size / packed size of a part; real sheets pack 5–30 times
MAX_PARTS = 1_000
# A formula cell without a value is reported for the first of them, then counted.
SHOWN_PROBLEMS = 50

_FORMULA = re.compile(rb"<(?:\w+:)?f[ >/]")


class SpreadsheetError(ValueError):
    """The workbook is refused; the message is for the user."""


def _megabytes(size: int) -> str:
    return f"{size // (1024 * 1024)}"


def check_archive(content: bytes) -> zipfile.ZipFile:
    """The workbook's zip, once its parts are within the limits; SpreadsheetError if not.
    zipfile itself stops a part at its declared unpacked size (and then fails its checksum),
    so the declared sizes checked here bound what is unpacked later. A file that is no zip
    raises zipfile.BadZipFile."""
    archive = zipfile.ZipFile(io.BytesIO(content))  # BadZipFile: unreadable, as any other
    parts = archive.infolist()
    if len(parts) > MAX_PARTS:
        raise SpreadsheetError(
            _("The workbook has more than %(max)s parts.")
            % {"max": f"{MAX_PARTS:,}".replace(",", ".")}
        )
    total = sum(part.file_size for part in parts)
    if total > MAX_UNPACKED_BYTES:
        raise SpreadsheetError(
            _("The workbook unpacks to more than %(max)s MB; the limit is %(max)s MB.")
            % {"max": _megabytes(MAX_UNPACKED_BYTES)}
        )
    for part in parts:
        if part.file_size > MAX_PART_BYTES:
            raise SpreadsheetError(
                _("A part of the workbook unpacks to more than %(max)s MB.")
                % {"max": _megabytes(MAX_PART_BYTES)}
            )
        if part.file_size > 1024 * 1024 and part.file_size > MAX_RATIO * max(part.compress_size, 1):
            raise SpreadsheetError(
                _("A part of the workbook is packed more than %(max)s times; the file is refused.")
                % {"max": MAX_RATIO}
            )
    return archive


def unpacked_size(content: bytes) -> int:
    """What the workbook's parts declare they unpack to (0 for a file that is no zip): the
    measure of the work reading it takes, which its packed size is not."""
    try:
        return sum(part.file_size for part in zipfile.ZipFile(io.BytesIO(content)).infolist())
    except zipfile.BadZipFile:
        return 0


def _check_declared_size(sheet) -> None:
    """The sheet's <dimension ref=…>, refused if it is beyond the limits (it is not trusted
    for anything else: reading does not pad to it)."""
    rows, columns = sheet.max_row or 0, sheet.max_column or 0
    if columns > MAX_COLUMNS:
        raise _too_many_columns()
    if rows > MAX_ROWS or rows * columns > MAX_CELLS:
        raise _too_large()


def _too_many_columns() -> SpreadsheetError:
    return SpreadsheetError(
        _("The sheet has more than %(max)s columns; the limit is %(max)s.") % {"max": MAX_COLUMNS}
    )


def _too_large() -> SpreadsheetError:
    return SpreadsheetError(
        _(
            "The sheet is larger than the limit of %(rows)s rows and %(cells)s cells; "
            "split it into smaller files."
        )
        % {"rows": f"{MAX_ROWS:,}".replace(",", "."), "cells": f"{MAX_CELLS:,}".replace(",", ".")}
    )


def _open(content: bytes, *, data_only: bool):
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=data_only)
    if not workbook.worksheets:
        raise SpreadsheetError(_("The workbook has no sheet."))
    return workbook, workbook.worksheets[0]  # the first sheet, as pandas.read_excel reads it


def _has_formulas(archive: zipfile.ZipFile, sheet_path: str) -> bool:
    """Whether the sheet's XML has a formula element; read in chunks, within the checked size."""
    tail = b""
    with archive.open(sheet_path.lstrip("/")) as part:
        while chunk := part.read(1024 * 1024):
            if _FORMULA.search(tail + chunk):
                return True
            tail = chunk[-16:]
    return False


def _bounded_rows(rows, formula_rows):
    """(the row's line, its values, its formulas) for each row that has any value, streaming;
    stops at the first row past the limits. Rows keep their own width: none is padded to the
    declared size. formula_rows: the same sheet read with formulas instead of values, in step."""
    cells = 0
    for number, (values, formulas) in enumerate(zip(rows, formula_rows, strict=False), start=1):
        if number > MAX_ROWS:
            raise _too_large()
        if len(values) > MAX_COLUMNS:
            # Trailing empty cells (a formatted column) are not columns of figures.
            values = _trimmed(values)
            if len(values) > MAX_COLUMNS:
                raise _too_many_columns()
        if not any(v is not None and v != "" for v in values):
            continue
        cells += len(values)
        if cells > MAX_CELLS:
            raise _too_large()
        yield number, values, formulas


def _trimmed(values: tuple) -> tuple:
    end = len(values)
    while end and values[end - 1] in (None, ""):
        end -= 1
    return values[:end]


def _no_rows():
    while True:
        yield ()


def read_rows(content: bytes) -> tuple[list[str], list[tuple], list[int]]:
    """The first sheet as (header, rows of values, each row's line in the sheet), within the
    limits. Empty rows are skipped, as pandas does. A formula cell saved without its value
    (written by a program, never opened in Excel) refuses the file, naming its lines."""
    archive = check_archive(content)
    books = []
    try:
        workbook, sheet = _open(content, data_only=True)
        books.append(workbook)
        _check_declared_size(sheet)
        sheet.reset_dimensions()
        formula_rows = _no_rows()
        if _has_formulas(archive, sheet._worksheet_path):
            # openpyxl gives a formula's saved value or its text, not both: read it twice.
            formula_book, formula_sheet = _open(content, data_only=False)
            books.append(formula_book)
            formula_sheet.reset_dimensions()
            formula_rows = formula_sheet.iter_rows(values_only=True)
        table, lines, problems = [], [], []
        for number, values, formulas in _bounded_rows(
            sheet.iter_rows(values_only=True), formula_rows
        ):
            problems += [
                _("Line %(line)s: the formula “%(formula)s” has no saved value; "
                  "save the file in Excel again.") % {"line": number, "formula": formula}
                for value, formula in zip(values, formulas, strict=False)
                if value is None and isinstance(formula, str) and formula.startswith("=")
            ]  # fmt: skip
            table.append(values)
            lines.append(number)
    finally:
        for book in books:
            book.close()
    if problems:
        raise SpreadsheetError(capped(problems))
    if not table:
        return [], [], []
    header, *rows = table
    return [("" if c is None else str(c)) for c in header], rows, lines[1:]


def capped(problems: list[str], shown: int = SHOWN_PROBLEMS) -> str:
    """The first problems, and how many more there are."""
    text = " ".join(problems[:shown])
    if len(problems) > shown:
        text += " " + _("… and %(n)s more.") % {"n": len(problems) - shown}
    return text
