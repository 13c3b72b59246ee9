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
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd
from django.utils.translation import gettext as _

from .danish import DanishNumberError, format_number, parse_number
from .models import Area, Indicator
from .periods import PeriodError, PeriodSpec, parse_period

SUPPRESSED = {"-", "..", ".", ""}
MAX_ROWS = 2_000_000
PROGRESS_EVERY = 5_000
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
    rows: list[CleanRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)
    suppressed: int = 0

    @property
    def ok(self):
        return not self.errors and bool(self.rows)


# Figures are stored with 12 digits before the decimal point (kpis.fields.value_field).
LARGEST = Decimal(10) ** 12


def _danish(value: Decimal) -> str:
    return format_number(value, max(0, -value.as_tuple().exponent))


def value_problem(value: Decimal, indicator: Indicator) -> str | None:
    """Why a value cannot be a figure of this indicator, or None. Said in Danish numbers."""
    low, high = UNIT_RANGES.get(indicator.unit, (None, None))
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
    name = filename.lower()
    try:
        if name.endswith((".xlsx", ".xlsm")):
            # Cells keep their type: a number typed in Excel is a number, not Danish text.
            frame = pd.read_excel(io.BytesIO(content), dtype=object, keep_default_na=False)
        else:
            text = _decode(content)
            delimiter = _delimiter(text)
            frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False)
    except ImportFileError:
        raise
    except Exception as exc:  # pandas and openpyxl raise many kinds; all mean "unreadable"
        raise ImportFileError(
            _("The file could not be read as CSV or Excel (%(error)s).") % {"error": exc}
        ) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty:
        raise ImportFileError(_("The file has no rows of figures."))
    if len(frame) > MAX_ROWS:
        raise ImportFileError(_("The file has more than %(max)s rows.") % {"max": MAX_ROWS})
    return frame


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            _("The file is not UTF-8. Save it as “CSV UTF-8” (jobindsats.dk exports are UTF-8).")
        ) from None


def _delimiter(text: str) -> str:
    first_line = text.split("\n", 1)[0]
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
    """Names in a file to the portal's rows, read once per import."""

    def __init__(self):
        self.areas = {a.name.casefold(): a for a in Area.objects.all()}
        self.indicators = {i.key.casefold(): i for i in Indicator.objects.all()}

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
    as the rows are read."""
    frame = read_table(content, filename)
    resolver = Resolver()
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

    result = ParseResult()
    seen: dict[tuple, int] = {}
    total = len(frame)
    for offset, record in enumerate(frame.to_dict("records")):
        line = offset + 2
        if progress and offset % PROGRESS_EVERY == 0:
            progress(offset, total)
        row_indicator = (
            resolver.indicator(str(record[indicator_col])) if indicator_col else indicator
        )
        if row_indicator is None:
            result.errors.append(
                (line, _("Unknown indicator “%(key)s”.") % {"key": record[indicator_col]})
            )
            continue
        raw_value = record[value_col]
        if isinstance(raw_value, str):
            raw_value = raw_value.strip()
        if raw_value is None or raw_value in SUPPRESSED or _is_nan(raw_value):
            result.suppressed += 1
            continue
        problem, clean = _check_row(record, area_col, period_col, raw_value, row_indicator,
                                    resolver, allowed_area_ids, line)  # fmt: skip
        if problem:
            result.errors.append((line, problem))
            continue
        key = (clean.indicator_id, clean.area_id, clean.period)
        if key in seen:
            result.errors.append(
                (line, _("The same figure is also on line %(line)s.") % {"line": seen[key]})
            )
            continue
        seen[key] = line
        result.rows.append(clean)
    if progress:
        progress(total, total)
    return result


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


def _check_row(record, area_col, period_col, raw_value, indicator, resolver, allowed, line):
    if allowed is not None and indicator.owner_id is not None and indicator.owner_id not in allowed:
        return _("The indicator “%(name)s” belongs to another municipality.") % {
            "name": indicator.name
        }, None
    area = resolver.area(str(record[area_col]))
    if area is None:
        return _("Unknown area “%(name)s”.") % {"name": record[area_col]}, None
    if allowed is not None and area.kind == Area.Kind.MUNICIPALITY and area.pk not in allowed:
        return _("You may not load figures for %(name)s.") % {"name": area.name}, None
    if not isinstance(record[period_col], str):
        return _("Write the period as text, e.g. 2023M08 or 2. kvt. 2023, not as a date."), None
    try:
        period = parse_period(record[period_col])
    except PeriodError as exc:
        return str(exc), None
    try:
        value = _value(raw_value)
    except DanishNumberError as exc:
        return str(exc), None
    problem = value_problem(value, indicator)
    if problem:
        return problem, None
    return None, CleanRow(line, indicator.pk, area.pk, period, value)
