"""Periods as the documents and jobindsats.dk write them.

A period is a kind and a date range. It can be read from a jobindsats.dk code ("2023M08",
"2023Q2", "2022QMAT04", "2023H1", "2023"), from the portal's own codes for spans and points
("2022M11-2023M11", "2021-01-01..2021-04-14", "2023-08-31"), from ISO dates ("2020-01",
"2020-01..2021-04"), or from a Danish label ("4.kv.22 - 3.kv.23", "2021K1", "Nov. 2023",
"1.1.2021–14.4.2021", "ultimo august 2023"), and is shown with the Danish label the documents
use.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from .danish import other_digits_problem

MONTH = "month"
QUARTER = "quarter"
HALF_YEAR = "half_year"
YEAR = "year"
ROLLING_YEAR = "rolling_year"
MONTH_SPAN = "month_span"
DAY_SPAN = "day_span"
POINT = "point"
KINDS = (MONTH, QUARTER, HALF_YEAR, YEAR, ROLLING_YEAR, MONTH_SPAN, DAY_SPAN, POINT)

MONTH_NAMES = (
    "januar", "februar", "marts", "april", "maj", "juni",
    "juli", "august", "september", "oktober", "november", "december",
)  # fmt: skip
MONTH_ABBREVIATIONS = (
    "jan.", "feb.", "mar.", "apr.", "maj", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "dec."
)  # fmt: skip


class PeriodError(ValueError):
    """Raised with a message for the user, in the user's language."""


@dataclass(frozen=True, order=True)
class PeriodSpec:
    start: date
    end: date
    kind: str

    @property
    def code(self) -> str:
        return period_code(self)

    @property
    def label(self) -> str:
        return period_label(self)


# -- constructors ---------------------------------------------------------------------------


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def month(year: int, month_: int) -> PeriodSpec:
    return PeriodSpec(date(year, month_, 1), _month_end(year, month_), MONTH)


def quarter(year: int, q: int) -> PeriodSpec:
    if not 1 <= q <= 4:
        raise PeriodError(_("A quarter is numbered 1 to 4, not %(q)s.") % {"q": q})
    return PeriodSpec(date(year, 3 * q - 2, 1), _month_end(year, 3 * q), QUARTER)


def half_year(year: int, half: int) -> PeriodSpec:
    if half not in (1, 2):
        raise PeriodError(_("A half-year is 1 or 2, not %(h)s.") % {"h": half})
    return PeriodSpec(date(year, 6 * half - 5, 1), _month_end(year, 6 * half), HALF_YEAR)


def year(year_: int) -> PeriodSpec:
    return PeriodSpec(date(year_, 1, 1), date(year_, 12, 31), YEAR)


def rolling_year(end_year: int, end_quarter: int) -> PeriodSpec:
    """The four quarters ending with quarter end_quarter of end_year (jobindsats' QMAT)."""
    last = quarter(end_year, end_quarter)
    start_year, start_month = _add_months(end_year, 3 * end_quarter - 2, -9)
    return PeriodSpec(date(start_year, start_month, 1), last.end, ROLLING_YEAR)


def month_span(first: tuple[int, int], last: tuple[int, int]) -> PeriodSpec:
    start, end = date(first[0], first[1], 1), _month_end(*last)
    if end < start:
        raise PeriodError(_("A span of months must end after it starts."))
    return PeriodSpec(start, end, MONTH_SPAN)


def day_span(first: date, last: date) -> PeriodSpec:
    # A span that ends on the day it starts is a point in time; say so rather than store it
    # as a second, differently coded period for the same day.
    if last <= first:
        raise PeriodError(_("A span of days must end after it starts."))
    return PeriodSpec(first, last, DAY_SPAN)


def point(day: date) -> PeriodSpec:
    return PeriodSpec(day, day, POINT)


# -- codes ----------------------------------------------------------------------------------


def period_code(spec: PeriodSpec) -> str:
    s, e = spec.start, spec.end
    match spec.kind:
        case "month":
            return f"{s.year}M{s.month:02d}"
        case "quarter":
            return f"{s.year}Q{(s.month + 2) // 3}"
        case "half_year":
            return f"{s.year}H{1 if s.month == 1 else 2}"
        case "year":
            return f"{s.year}"
        case "rolling_year":
            return f"{e.year}QMAT{(e.month + 2) // 3:02d}"
        case "month_span":
            return f"{s.year}M{s.month:02d}-{e.year}M{e.month:02d}"
        case "day_span":
            return f"{s.isoformat()}..{e.isoformat()}"
        case "point":
            return s.isoformat()
    raise PeriodError(spec.kind)


# Pieces shared by the codes and the labels. A span is two periods joined by a dash (-, – or
# —, with or without spaces) or, in ISO 8601's way, by two dots.
_DASH = r"\s*[-\u2013\u2014]\s*"
_SPAN = rf"(?:\s*\.\.\s*|{_DASH})"
_ISO_MONTH = r"([0-9]{4})-([0-9]{2})"
_ISO_DATE = r"([0-9]{4})-([0-9]{2})-([0-9]{2})"

_CODE_PATTERNS = [
    (re.compile(r"^([0-9]{4})M([0-9]{2})$"), lambda m: month(int(m[1]), _valid_month(m[2]))),
    (re.compile(r"^([0-9]{4})Q([0-9])$"), lambda m: quarter(int(m[1]), int(m[2]))),
    (re.compile(r"^([0-9]{4})QMAT0?([0-9])$"), lambda m: rolling_year(int(m[1]), int(m[2]))),
    (re.compile(r"^([0-9]{4})H([0-9])$"), lambda m: half_year(int(m[1]), int(m[2]))),
    (re.compile(r"^([0-9]{4})$"), lambda m: year(int(m[1]))),
    (
        re.compile(r"^([0-9]{4})M([0-9]{2})-([0-9]{4})M([0-9]{2})$"),
        lambda m: month_span((int(m[1]), _valid_month(m[2])), (int(m[3]), _valid_month(m[4]))),
    ),
    (re.compile(rf"^{_ISO_DATE}$"), lambda m: point(_valid_date(m[1], m[2], m[3]))),
    # "2021-01-01..2021-04-14", the portal's code for a span of days
    (
        re.compile(rf"^{_ISO_DATE}{_SPAN}{_ISO_DATE}$"),
        lambda m: day_span(_valid_date(m[1], m[2], m[3]), _valid_date(m[4], m[5], m[6])),
    ),
    # "2020-01": a month as ISO 8601 writes it
    (re.compile(rf"^{_ISO_MONTH}$"), lambda m: month(int(m[1]), _valid_month(m[2]))),
    # "2020-01..2021-04", "2020-01 – 2021-04": a span of months
    (
        re.compile(rf"^{_ISO_MONTH}{_SPAN}{_ISO_MONTH}$"),
        lambda m: month_span((int(m[1]), _valid_month(m[2])), (int(m[3]), _valid_month(m[4]))),
    ),
]


def _valid_month(text) -> int:
    value = int(text)
    if not 1 <= value <= 12:
        raise PeriodError(_("There is no month %(m)s.") % {"m": text})
    return value


def _valid_date(y, m, d, *, written=None) -> date:
    """The date, or an error that quotes it as the user wrote it (written) or in ISO order."""
    try:
        return date(int(y), int(m), int(d))
    except ValueError as exc:
        text = written or f"{y}-{m}-{d}"
        raise PeriodError(_("%(text)s is not a date.") % {"text": text}) from exc


def _danish_date(match, first_group: int) -> date:
    """The date "d.m.yyyy" whose day is in group first_group of match (month and year follow)."""
    d, m, y = match[first_group], match[first_group + 1], match[first_group + 2]
    return _valid_date(y, m, d, written=f"{d}.{m}.{y}")


# -- Danish labels --------------------------------------------------------------------------


def _month_word(month_: int, *, abbreviated: bool) -> str:
    return (MONTH_ABBREVIATIONS if abbreviated else MONTH_NAMES)[month_ - 1]


def period_label(spec: PeriodSpec) -> str:
    """The Danish label, written the way the seed documents write it."""
    s, e = spec.start, spec.end
    match spec.kind:
        case "month":
            return f"{_month_word(s.month, abbreviated=True).capitalize()} {s.year}"
        case "quarter":
            return f"{(s.month + 2) // 3}. kvartal {s.year}"
        case "half_year":
            return f"{1 if s.month == 1 else 2}. halvår {s.year}"
        case "year":
            return str(s.year)
        case "rolling_year":
            return (
                f"{(s.month + 2) // 3}.kv.{s.year % 100:02d} - "
                f"{(e.month + 2) // 3}.kv.{e.year % 100:02d}"
            )
        case "month_span":
            first = _month_word(s.month, abbreviated=True).rstrip(".")
            last = _month_word(e.month, abbreviated=True).rstrip(".")
            return f"{first.capitalize()}.{s.year % 100:02d}-{last}.{e.year % 100:02d}"
        case "day_span":
            return f"{s.day}.{s.month}.{s.year}\u2013{e.day}.{e.month}.{e.year}"
        case "point":
            if s == _month_end(s.year, s.month):
                return f"ultimo {MONTH_NAMES[s.month - 1]} {s.year}"
            return f"{s.day}. {MONTH_NAMES[s.month - 1]} {s.year}"
    raise PeriodError(spec.kind)


def _month_number(word: str) -> int:
    word = word.lower().rstrip(".")
    for index, name in enumerate(MONTH_NAMES, start=1):
        if word == name or (len(word) >= 3 and name.startswith(word)):
            return index
    if word == "sept":
        return 9
    raise PeriodError(_("“%(word)s” is not a Danish month.") % {"word": word})


def _full_year(text: str) -> int:
    value = int(text)
    return value + 2000 if len(text) == 2 else value


_MONTH_WORD = r"([a-zæøå]+\.?)"
_YEAR = r"([0-9]{4}|[0-9]{2})"
_QUARTER = r"([0-9])\s*\.\s*(?:kv(?:t|artal)?\.?)\s*"
_DANISH_DATE = r"([0-9]{1,2})\s*\.\s*([0-9]{1,2})\s*\.\s*([0-9]{4})"

_LABEL_PATTERNS = [
    # "4.kv.22 - 3.kv.23": four quarters, the way Guldborgsund writes a rolling year
    (
        re.compile(rf"^{_QUARTER}{_YEAR}{_DASH}{_QUARTER}{_YEAR}$", re.I),
        lambda m: _rolling_from_quarters(_full_year(m[2]), int(m[1]), _full_year(m[4]), int(m[3])),
    ),
    # "Nov.22-nov.23", "nov. 2022 - nov. 2023"
    (
        re.compile(rf"^{_MONTH_WORD}\s*{_YEAR}{_DASH}{_MONTH_WORD}\s*{_YEAR}$", re.I),
        lambda m: month_span(
            (_full_year(m[2]), _month_number(m[1])), (_full_year(m[4]), _month_number(m[3]))
        ),
    ),
    # "1.1.2021–14.4.2021", "1.1.2021-14.4.2021": a span of days
    (
        re.compile(rf"^{_DANISH_DATE}{_DASH}{_DANISH_DATE}$"),
        lambda m: day_span(_danish_date(m, 1), _danish_date(m, 4)),
    ),
    # "14.4.2021", "05.12.2022": a day
    (re.compile(rf"^{_DANISH_DATE}$"), lambda m: point(_danish_date(m, 1))),
    # "4.kv.22", "2. kv. 2023", "4. Kvartal 2023"
    (re.compile(rf"^{_QUARTER}{_YEAR}$", re.I), lambda m: quarter(_full_year(m[2]), int(m[1]))),
    # "2021K1", "2021 k1": a quarter as people write it (jobindsats' codes have Q, never K)
    (re.compile(r"^([0-9]{4})\s*K([0-9])$", re.I), lambda m: quarter(int(m[1]), int(m[2]))),
    # "1. halvår 2023"
    (
        re.compile(r"^([0-9])\s*\.\s*halvår\s*([0-9]{4})$", re.I),
        lambda m: half_year(int(m[2]), int(m[1])),
    ),
    # "ultimo august 2023"
    (
        re.compile(rf"^ultimo\s+{_MONTH_WORD}\s*([0-9]{{4}})$", re.I),
        lambda m: point(_month_end(int(m[2]), _month_number(m[1]))),
    ),
    # "1. juni 2023"
    (
        re.compile(rf"^([0-9]{{1,2}})\s*\.\s*{_MONTH_WORD}\s*([0-9]{{4}})$", re.I),
        lambda m: point(_valid_date(m[3], _month_number(m[2]), m[1])),
    ),
    # "Nov. 2023", "maj 2022", "august 2023"
    (
        re.compile(rf"^{_MONTH_WORD}\s*([0-9]{{4}})$", re.I),
        lambda m: month(int(m[2]), _month_number(m[1])),
    ),
]


# The years the portal keeps figures for: a year outside them is a typing error ("0000", "9999").
FIRST_YEAR, LAST_YEAR = 1970, 2100


def _built(build, match, raw) -> PeriodSpec:
    try:
        return build(match)
    except PeriodError:
        raise
    except ValueError:  # a date the calendar does not have, e.g. the year 0
        raise PeriodError(_("“%(text)s” is not a date in the calendar.") % {"text": raw}) from None


def _in_range(spec: PeriodSpec) -> PeriodSpec:
    if spec.start.year < FIRST_YEAR or spec.end.year > LAST_YEAR:
        raise PeriodError(
            _("%(label)s lies outside the years %(first)s–%(last)s.")
            % {"label": spec.label, "first": FIRST_YEAR, "last": LAST_YEAR}
        )
    return spec


def _rolling_from_quarters(y1: int, q1: int, y2: int, q2: int) -> PeriodSpec:
    spec = rolling_year(y2, q2)
    if quarter(y1, q1).start != spec.start:
        raise PeriodError(_("A rolling year runs over four quarters in a row."))
    return spec


def parse_period(text) -> PeriodSpec:
    """Read a period from a jobindsats.dk code, a portal code, an ISO date or a Danish label."""
    if isinstance(text, PeriodSpec):
        return text
    if isinstance(text, date):
        return point(text)
    if isinstance(text, int):
        return year(text)
    raw = " ".join(str(text).split())
    if problem := other_digits_problem(raw):
        raise PeriodError(problem)
    for patterns in (_CODE_PATTERNS, _LABEL_PATTERNS):
        for pattern, build in patterns:
            match = pattern.match(raw)
            if match:
                return _in_range(_built(build, match, raw))
    raise PeriodError(
        _(
            "“%(text)s” is not a period. Write it as a month (2023M08, 2023-08 or aug. 2023), "
            "a quarter (2023Q2, 2023K2 or 2.kv.23), a half-year (2023H1 or 1. halvår 2023), "
            "a year (2023), a rolling year (2022QMAT04 or 1.kv.22 - 4.kv.22), a span of months "
            "(2022M11-2023M11 or nov.22-nov.23), a span of days "
            "(2021-01-01..2021-04-14 or 1.1.2021–14.4.2021) or a point in time (2023-08-31, "
            "31.8.2023 or ultimo august 2023)."
        )
        % {"text": raw}
    )
