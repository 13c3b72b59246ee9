"""Reading figures from files: jobindsats.dk exports and the portal's own template.

Parse and validate with pandas, resolve names to areas, indicators and periods, and hand back
clean rows and row-level errors. Nothing here writes: kpis.services.import_commit stores the
clean rows, all or nothing.

Two layouts are read, as CSV (semicolon or comma separated, UTF-8 with or without BOM) or Excel:

- jobindsats.dk: columns "Område" and "Periode" and one value column (or several, then the
  user names the one to read); the indicator is chosen on upload. Rows for "Hele landet" and
  "RAR …" become figures of those comparison areas.
- the portal's template: columns "indikator" (an indicator key), "område", "periode", "værdi".

Values are Danish numbers ("58,8", "1.075"); "-", ".." and "." are suppressed values and are
skipped, not errors. Periods are jobindsats codes (2023M08, 2023Q2, 2022QMAT04) or Danish labels.
"""

import csv
import io
import logging
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
from django.db.models import Q
from django.utils.translation import gettext as _

from jobcenter.text import text_problem

from . import ownership, spreadsheets
from .danish import DanishNumberError, format_number, parse_number
from .fields import DECIMAL_PLACES, LARGEST
from .models import Area, Indicator, IndicatorSource
from .periods import PeriodError, PeriodSpec, parse_period

logger = logging.getLogger(__name__)

SUPPRESSED = {"-", "..", ".", ""}
MAX_ROWS = 2_000_000
MAX_COLUMNS = spreadsheets.MAX_COLUMNS  # the same for CSV and Excel (README: Import limits)
# The range each unit allows: a share is 0–100, a count is never negative.
UNIT_RANGES = {
    Indicator.Unit.PERCENT: (Decimal(0), Decimal(100)),
    Indicator.Unit.COUNT: (Decimal(0), None),
    Indicator.Unit.FTE: (Decimal(0), None),
    Indicator.Unit.RATIO: (Decimal(0), None),
}
TEMPLATE_COLUMNS = ["indikator", "område", "periode", "værdi"]


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message is for the user."""


@dataclass(frozen=True)
class CleanRow:
    line: int  # the line in the file, header being line 1
    indicator_id: int
    area_id: int
    period: PeriodSpec
    value: Decimal


@dataclass
class ParseResult:
    """The clean figures as a table (columns line, indicator_id, area_id, period: a
    PeriodSpec, value: a Decimal, stored: the value as the text the database reads), and the
    refused rows with their reasons."""

    frame: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CLEAN_COLUMNS))
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)
    suppressed: int = 0

    @property
    def ok(self):
        return not self.errors and not self.frame.empty

    @property
    def rows(self) -> list[CleanRow]:
        return [CleanRow(*t) for t in self.frame[CLEAN_COLUMNS].itertuples(index=False)]


CLEAN_COLUMNS = ["line", "indicator_id", "area_id", "period", "value"]


def _danish(value: Decimal) -> str:
    return format_number(value, max(0, -value.as_tuple().exponent))


def value_problem(value: Decimal, indicator: Indicator) -> str | None:
    """Why a value cannot be a figure of this indicator, or None. Said in Danish numbers."""
    low, high = UNIT_RANGES.get(indicator.unit, (None, None))
    if value.as_tuple().exponent < -DECIMAL_PLACES:
        return _("%(value)s has more than %(places)s decimals; round it to %(places)s.") % {
            "value": _danish(value),
            "places": DECIMAL_PLACES,
        }
    if abs(value) >= LARGEST:
        return _("%(value)s is too large to be a figure.") % {"value": _danish(value)}
    if low is not None and value < low:
        return _("%(value)s is below %(low)s, the least a figure of this kind can be.") % {
            "value": _danish(value),
            "low": _danish(low),
        }
    if high is not None and value > high:
        return _("%(value)s is above %(high)s: a share is at most 100.") % {
            "value": _danish(value),
            "high": _danish(high),
        }
    return None


def read_table(content: bytes, filename: str) -> pd.DataFrame:
    """The file as a table of strings, whatever its format; ImportFileError if unreadable."""
    if not content:
        raise ImportFileError(_("The file is empty."))
    if problem := text_problem(filename):  # the name is each figure's source note
        raise ImportFileError(problem)
    name = filename.lower()
    try:
        reader = _read_workbook if name.endswith((".xlsx", ".xlsm")) else _read_csv
        frame = reader(content)
    except ImportFileError:
        raise
    except spreadsheets.SpreadsheetError as exc:
        raise ImportFileError(str(exc)) from exc
    except Exception as exc:  # pandas and openpyxl raise many kinds; all mean "unreadable"
        # Their messages are English and technical: the log keeps them, the user gets advice.
        logger.info("Import %s unreadable: %s", filename, exc)
        raise ImportFileError(
            _(
                "The file could not be read as CSV or Excel. Save it as “CSV UTF-8” with "
                "semicolons, or as an Excel workbook (.xlsx), and try again."
            )
        ) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty:
        raise ImportFileError(_("The file has no rows of figures."))
    if len(frame) > MAX_ROWS:
        raise ImportFileError(_("The file has more than %(max)s rows.") % {"max": MAX_ROWS})
    return frame


def _read_csv(content: bytes) -> pd.DataFrame:
    """The CSV as a table of strings. Arrow's reader (C++, on every core, strings kept in
    Arrow's buffers rather than as a Python object each, UTF-8 checked as it reads) reads a
    national file four times faster than pandas' own, from the bytes as they came. It refuses
    a ragged row, which pandas' reader takes as it always has (short rows filled with empty
    cells, long ones refused), and text that is not UTF-8: such a file is read again that way,
    from the decoded text, and told apart as before. Both skip a UTF-8 byte order mark."""
    end = content.find(b"\n")  # the header, without copying the rest of the file
    header = (content if end < 0 else content[:end]).decode("utf-8", errors="replace")
    delimiter = _delimiter(header)
    _check_columns(header.count(delimiter) + 1)
    options = {"sep": delimiter, "dtype": str, "keep_default_na": False}
    try:
        return pd.read_csv(io.BytesIO(content), engine="pyarrow", **options)
    except Exception:  # noqa: BLE001 - anything Arrow refuses, pandas' reader judges
        return pd.read_csv(io.StringIO(_decode(content)), **options)


def _check_columns(count: int) -> None:
    if count > MAX_COLUMNS:
        raise ImportFileError(
            _("The file has more than %(max)s columns; the limit is %(max)s.")
            % {"max": MAX_COLUMNS}
        )


def _read_workbook(content: bytes) -> pd.DataFrame:
    """The first sheet as a table, read within kpis.spreadsheets' limits. Cells keep their
    type: a number typed in Excel is a number, not Danish text; an empty cell is ""."""
    header, rows, _lines = spreadsheets.read_rows(content)
    width = max([len(header), *map(len, rows)]) if header else 0
    header = [name.strip() or f"Unnamed: {i}" for i, name in enumerate(header)]
    header += [f"Unnamed: {i}" for i in range(len(header), width)]
    seen = {}
    for i, name in enumerate(header):  # "Værdi", "Værdi.1" as pandas names a repeated heading
        count = seen.get(name, 0)
        seen[name] = count + 1
        header[i] = f"{name}.{count}" if count else name
    cells = [[("" if v is None else v) for v in row] + [""] * (width - len(row)) for row in rows]
    return pd.DataFrame(cells, columns=header, dtype=object)


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            _("The file is not UTF-8. Save it as “CSV UTF-8” (jobindsats.dk exports are UTF-8).")
        ) from None


def _delimiter(first_line: str) -> str:
    if ";" in first_line:  # jobindsats.dk's own; a header may well contain a comma
        return ";"
    try:
        return csv.Sniffer().sniff(first_line, delimiters=";,\t").delimiter
    except csv.Error:
        return ";"


def _column(frame: pd.DataFrame, *names: str) -> str | None:
    wanted = {n.casefold() for n in names}
    for column in frame.columns:
        if column.casefold() in wanted:
            return column
    return None


class Resolver:
    """Names in a file to the portal's rows, read once per import. allowed: the municipalities
    whose figures the uploader may load (None: all); another municipality's local indicator is
    left out, so it answers as unknown, like a key that does not exist."""

    def __init__(self, allowed: set[int] | None = None):
        self.by_id = {a.pk: a for a in Area.objects.all()}
        self.areas = {a.name.casefold(): a for a in self.by_id.values()}
        indicators = Indicator.objects.all()
        if allowed is not None:
            indicators = indicators.filter(Q(owner__isnull=True) | Q(owner__in=allowed))
        self.indicator_by_id = {i.pk: i for i in indicators}
        self.indicators = {i.key.casefold(): i for i in self.indicator_by_id.values()}
        self.tables = dict(IndicatorSource.objects.values_list("indicator_id", "table__table_id"))

    def area(self, name: str) -> Area | None:
        key = " ".join(name.split()).casefold()
        return self.areas.get(key) or self.areas.get(key.replace("rar-", "rar "))

    def indicator(self, key: str) -> Indicator | None:
        return self.indicators.get(key.strip().casefold())


def parse(
    content: bytes,
    filename: str,
    *,
    indicator: Indicator | None = None,
    value_column: str = "",
    allowed_area_ids: set[int] | None = None,
    progress=None,
) -> ParseResult:
    """Read and check every row. allowed_area_ids: municipalities the user may load figures
    for (comparison areas are always allowed); None allows all. progress(done, total) is called
    as the file is read.

    The checks run column by column, each distinct name, period and value once: a file of a
    million figures has a few hundred areas and periods, and far fewer distinct values than
    rows. A row's first problem is its reason, in the order a reader would check it.
    """
    frame = read_table(content, filename)
    total = len(frame)
    if progress:
        progress(0, total)
    area_col = _column(frame, "område", "omrade", "area")
    period_col = _column(frame, "periode", "period")
    indicator_col = _column(frame, "indikator", "indicator")
    if not area_col or not period_col:
        raise ImportFileError(
            _("The file needs the columns “Område” and “Periode”; it has %(columns)s.")
            % {"columns": ", ".join(f"“{c}”" for c in frame.columns)}
        )
    if indicator_col:
        value_col = _column(frame, "værdi", "vaerdi", "value")
        if not value_col:
            raise ImportFileError(_("The portal's template needs the column “værdi”."))
    else:
        if indicator is None:
            raise ImportFileError(_("Choose the indicator the file's figures belong to."))
        value_col = _value_column(frame, [area_col, period_col], value_column)

    resolver = Resolver(allowed_area_ids)
    checks = _RowChecks(resolver, allowed_area_ids)
    # Each column is checked once per distinct cell: a row holds only codes into the answers,
    # and only the clean rows' answers are spread out (a million rows of objects per answer
    # took more memory than the file). Each column leaves the table as it is read.
    if indicator_col:
        indicators = _Distinct(frame.pop(indicator_col), checks.indicator)
    else:
        indicators = _Distinct.one(total, checks.chosen(indicator))
    indicator_ids, units, unknown = indicators.answers
    # Values are checked per distinct (cell, unit): the range a value may take depends on the
    # unit. The codes of the two are combined into one integer key.
    raw_codes, raw_cells = pd.factorize(frame.pop(value_col), use_na_sentinel=False)
    unit_of, unit_names = pd.factorize(pd.Series(units, dtype=object), use_na_sentinel=False)
    width = len(unit_names) + 1
    # Plain lists: a pandas index answers each item a hundred times slower.
    raw_cells, unit_names = list(raw_cells), list(unit_names)
    values = _Distinct(
        raw_codes.astype(np.int64) * width + unit_of[indicators.codes],
        lambda key: checks.value(raw_cells[key // width], unit_names[key % width]),
    )
    areas = _Distinct(frame.pop(area_col), checks.area)
    area_ids = areas.answers[0]
    # Whose figure a row is depends on the indicator and the area together: asked once per
    # distinct pair, a few thousand in a national file, not per row.
    pairs = _Distinct(
        indicators.codes.astype(np.int64) * len(area_ids) + areas.codes,
        lambda key: (checks.ownership(indicator_ids[key // len(area_ids)],
                                      area_ids[key % len(area_ids)]),),
    )  # fmt: skip
    periods = _Distinct(frame.pop(period_col), checks.period)
    del frame  # every column is read: its text is not needed again
    pa.default_memory_pool().release_unused()  # Arrow's memory back for what follows
    # A suppressed value is skipped, not refused, where the indicator is known.
    suppressed = np.array([_is_suppressed(c) for c in raw_cells], dtype=bool)[raw_codes]
    suppressed &= ~indicators.has(2)
    # The first problem of each refused row, in the order a reader would check it.
    checked = [(indicators, 2), (areas, 1), (pairs, 0), (periods, 2), (values, 2)]
    refused = np.zeros(total, dtype=bool)
    for column, answer in checked:
        refused |= column.has(answer)
    refused &= ~suppressed
    rows = np.flatnonzero(refused)
    problems = np.full(len(rows), None, dtype=object)
    for column, answer in checked:
        problems = np.where(pd.isna(problems), column.spread(answer, rows), problems)
    errors = [(int(row) + 2, str(problem)) for row, problem in zip(rows, problems, strict=True)]

    clean = np.flatnonzero(~suppressed & ~refused)
    result = ParseResult(suppressed=int(suppressed.sum()))
    period_keys = periods.spread(1, clean).astype(np.int64)  # the same period, however written
    # The periods as a categorical column: the file's few hundred periods once, each row a
    # code into them, so storing maps periods to ids without hashing a PeriodSpec per row.
    specs = pd.Index(_objects(sorted(checks.period_keys, key=checks.period_keys.get)))
    table = pd.DataFrame(
        copy=False,  # each column its own array: consolidating them copied every column
        data={
            "line": clean + 2,  # the header is line 1
            "indicator_id": indicators.spread(0, clean).astype(np.int64),
            "area_id": areas.spread(0, clean).astype(np.int64),
            "period": pd.Categorical.from_codes(period_keys, categories=specs),
            "value": values.spread(0, clean),
            "stored": values.spread(1, clean),
            "period_key": period_keys,
        },
    )
    # The rows' codes are spent: freed before the check for duplicates needs its own memory.
    del checked, indicators, values, areas, pairs, periods, raw_codes, suppressed, refused
    figure = ["indicator_id", "area_id", "period_key"]
    duplicate = table.duplicated(figure, keep="first")
    if duplicate.any():
        first_line = table.groupby(figure)["line"].transform("first")
        errors += [
            (int(line), _("The same figure is also on line %(line)s.") % {"line": int(first)})
            for line, first in zip(table["line"][duplicate], first_line[duplicate], strict=True)
        ]
    result.errors = sorted(errors)
    table = table.drop(columns="period_key")
    result.frame = table[~duplicate].reset_index(drop=True) if duplicate.any() else table
    if progress:
        progress(total, total)
    return result


def _objects(items: list) -> np.ndarray:
    """An array of these objects as they are (numpy and pandas would read tuples and
    dataclasses as records)."""
    array = np.empty(len(items), dtype=object)
    array[:] = items
    return array


class _Distinct:
    """A column checked once per distinct cell: check(cell) answers with a tuple, kept per
    distinct cell (answers: one array per item of the tuple); codes: each row's distinct
    cell."""

    def __init__(self, column, check):
        codes, distinct = pd.factorize(column, use_na_sentinel=False)
        self.codes = codes.astype(np.int32)  # half the memory of a row's code
        self._set([check(cell) for cell in distinct])

    @classmethod
    def one(cls, rows: int, answer: tuple) -> "_Distinct":
        """Every row the same cell, with this answer (the indicator chosen for the file)."""
        column = cls.__new__(cls)
        column.codes = np.zeros(rows, dtype=np.int32)
        column._set([answer])
        return column

    def _set(self, answers):
        width = len(answers[0]) if answers else 0
        self.answers = tuple(_objects([a[i] for a in answers]) for i in range(width))

    def has(self, answer: int) -> np.ndarray:
        """Per row: whether the answer is there (a problem told, an id found)."""
        return pd.notna(self.answers[answer])[self.codes]

    def spread(self, answer: int, rows: np.ndarray) -> np.ndarray:
        """The answer for these rows (positions)."""
        return self.answers[answer][self.codes[rows]]


def _is_suppressed(raw) -> bool:
    if isinstance(raw, str):
        return raw.strip() in SUPPRESSED
    return raw is None or _is_nan(raw)


class _RowChecks:
    """Each check takes one distinct cell and answers with a tuple: what the cell names (ids,
    not model instances, which are slow to hash by the million) and its problems, or None."""

    def __init__(self, resolver: Resolver, allowed: set[int] | None):
        self.resolver = resolver
        self.allowed = allowed
        self.by_unit = {}  # an indicator of each unit, for value_problem
        self.period_keys = {}

    def chosen(self, indicator: Indicator):
        """(id, unit, unknown) of the indicator chosen for the whole file."""
        if indicator.pk not in self.resolver.indicator_by_id:
            return None, None, ownership.unknown_indicator(indicator.key)
        return self._answer(indicator)

    def indicator(self, cell):
        if problem := text_problem(cell):
            return None, None, problem
        found = self.resolver.indicator(str(cell))
        if found is None:
            return None, None, ownership.unknown_indicator(cell)
        return self._answer(found)

    def _answer(self, indicator):
        self.by_unit.setdefault(indicator.unit, indicator)
        return indicator.pk, indicator.unit, None

    def area(self, cell):
        if problem := text_problem(cell):
            return None, problem
        area = self.resolver.area(str(cell))
        if area is None:
            return None, _("Unknown area “%(name)s”.") % {"name": cell}
        return area.pk, None

    def ownership(self, indicator_id, area_id):
        """Why this figure is not the uploader's to load (kpis.ownership), or None."""
        if pd.isna(indicator_id) or pd.isna(area_id):
            return None  # an unknown indicator or area: the row's problem is already told
        return ownership.figure_problem(
            editable=self.allowed,
            indicator=self.resolver.indicator_by_id[indicator_id],
            area=self.resolver.by_id[area_id],
            table_id=self.resolver.tables.get(indicator_id),
        )

    def period(self, cell):
        """(the period, a number for it that is the same however the period is written,
        the problem)."""
        if not isinstance(cell, str):
            return (
                None,
                -1,
                _("Write the period as text, e.g. 2023M08 or 2. kvt. 2023, not as a date."),
            )
        if problem := text_problem(cell):
            return None, -1, problem
        try:
            spec = parse_period(cell)
        except PeriodError as exc:
            return None, -1, str(exc)
        return spec, self.period_keys.setdefault(spec, len(self.period_keys)), None

    def value(self, cell, unit):
        """The value as a Decimal, as the text the database reads it from (once per
        distinct value, not per row), and why it cannot be a figure of this unit, if it
        cannot."""
        if _is_suppressed(cell):
            return None, None, None
        try:
            value = _value(cell.strip() if isinstance(cell, str) else cell)
        except DanishNumberError as exc:
            return None, None, str(exc)
        if not isinstance(unit, str):  # the indicator is unknown; that is the row's problem
            return value, str(value), None
        return value, str(value), value_problem(value, self.by_unit[unit])


def _value_column(frame: pd.DataFrame, known: list[str], chosen: str) -> str:
    if chosen:
        column = _column(frame, chosen)
        if not column:
            raise ImportFileError(_("The file has no column “%(name)s”.") % {"name": chosen})
        return column
    candidates = [c for c in frame.columns if c not in known]
    if len(candidates) != 1:
        raise ImportFileError(
            _("The file has several value columns (%(columns)s); name the one to read.")
            % {"columns": ", ".join(f"“{c}”" for c in candidates)}
        )
    return candidates[0]


def _is_nan(value) -> bool:
    return isinstance(value, float) and value != value


def _value(raw) -> Decimal:
    """A value cell: an Excel number as the number it is, text as a Danish number."""
    if isinstance(raw, bool):
        raise DanishNumberError(_("“%(text)s” is not a number.") % {"text": raw})
    if isinstance(raw, int | float):
        return Decimal(str(raw))  # the shortest text of the float: 58.8, not 58.79999…
    return parse_number(str(raw))
