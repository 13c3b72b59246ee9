"""Numbers as Danes write them: the one parser and the one formatter of the portal.

"1.075" is one thousand and seventy-five, "58,8 %" is 58.8 percent, "- 10% point" is minus ten
percentage points. Everything is parsed into Decimal, never float, so 2,4 − 2,1 is exactly 0,3.
"""

import functools
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

PERCENT = "percent"
PERCENTAGE_POINTS = "pp"

# Minus signs as they turn up in documents and spreadsheets: hyphen, Unicode minus, dashes.
_MINUS = "\u2212\u2013\u2014-"
_NUMBER = re.compile(
    rf"""^\s*
    (?P<sign>[+{_MINUS}])?\s*
    (?P<int>[0-9]{{1,3}}(?:\.[0-9]{{3}})+|[0-9]{{1,3}}(?:\ [0-9]{{3}})+|[0-9]+)  # 1.075, 1 075
    (?:,(?P<frac>[0-9]+))?                      # ,8
    \s*(?P<unit>%\s*-?\s*point|procentpoint|pct\.?\s*-?\s*point|%|pct\.?|procent)?
    \s*$""",
    re.VERBOSE | re.IGNORECASE,
)


# The common case, a plain number ("1075", "1.075", "58,8"): what _NUMBER reads the same way,
# without its alternatives or the check for other digits (files and tables hold tens of
# thousands of them).
_PLAIN = re.compile(r"(?:[0-9]+|[0-9]{1,3}(?:\.[0-9]{3})+)(?:,[0-9]+)?\Z")


class DanishNumberError(ValueError):
    """Raised with a message for the user, in the user's language."""


def other_digits_problem(text: str) -> str | None:
    """Why text with digits other than 0–9 (full-width "１２", Arabic-Indic …) is refused, or
    None. Python's int() and regex \\d read them as digits, so "１２" would be stored as 12
    while the page shows something else than was typed."""
    if any(ch.isdigit() and not "0" <= ch <= "9" for ch in text):
        return _("“%(text)s” has digits other than 0–9; type the digits again as 0–9.") % {
            "text": text.strip()
        }
    return None


@dataclass(frozen=True)
class Quantity:
    value: Decimal
    unit: str | None = None  # None, PERCENT or PERCENTAGE_POINTS


def parse_quantity(text) -> Quantity:
    """Parse a Danish-formatted number with an optional percent or percentage-point unit."""
    if isinstance(text, Decimal):
        return Quantity(text)
    if isinstance(text, int):
        return Quantity(Decimal(text))
    raw = str(text)
    if _PLAIN.match(raw):
        return Quantity(Decimal(raw.replace(".", "").replace(",", ".")))
    raw = raw.replace("\xa0", " ")
    if problem := other_digits_problem(raw):
        raise DanishNumberError(problem)
    match = _NUMBER.match(raw)
    if not match:
        raise DanishNumberError(
            _("“%(text)s” is not a number in Danish format (for example 1.075 or 58,8).")
            % {"text": str(text).strip()}
        )
    digits = match["int"].replace(".", "").replace(" ", "")
    if match["frac"]:
        digits += "." + match["frac"]
    try:
        value = Decimal(digits)
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only digits
        raise DanishNumberError(str(exc)) from exc
    if match["sign"] and match["sign"] in _MINUS:
        value = -value
    unit_text = (match["unit"] or "").lower().replace(" ", "")
    if "point" in unit_text:
        unit = PERCENTAGE_POINTS
    elif unit_text:
        unit = PERCENT
    else:
        unit = None
    return Quantity(value, unit)


def parse_number(text) -> Decimal:
    """Parse a Danish-formatted number and return its value, whatever unit it was written with."""
    return parse_quantity(text).value


def format_number(value, decimals: int = 0, *, sign: bool = False) -> str:
    """Format a Decimal the Danish way: thousands with '.', decimals with ','.

    With sign=True a positive value gets '+' and a negative one a true minus sign, as the
    development column of a KPI card shows it.
    """
    if value is None:
        return ""
    value = Decimal(value).quantize(_quantum(decimals), rounding=ROUND_HALF_UP)
    if not value:
        value = abs(value)  # −0,0 rounds to 0,0, not "−0,0"
    # Python's own grouping, then the separators swapped: a target's page writes a thousand
    # figures, and this is a third of the time of grouping the digits by hand.
    text = f"{value:,f}".translate(_DANISH_SEPARATORS)
    if text.startswith("-"):
        return "\u2212" + text[1:]
    if sign and value > 0:
        return "+" + text
    return text


_DANISH_SEPARATORS = str.maketrans(",.", ".,")


@functools.cache
def _quantum(decimals: int) -> Decimal:
    return Decimal(1).scaleb(-decimals)


def format_plain(value) -> str:
    """A value with the decimals it has and no trailing zeros, the Danish way: a stored
    1075.000000 is "1.075", 0.200000 is "0,2" (a history or a message, where no indicator's
    decimals apply)."""
    if value is None:
        return ""
    exponent = Decimal(value).normalize().as_tuple().exponent
    return format_number(value, max(-exponent, 0))


# A number as a plan writes it: "1.075", "58,8", "20", "0,2".
_NUMBER_IN_TEXT = re.compile(r"(?<![\d.,])\d{1,3}(?:\.\d{3})+(?:,\d+)?|(?<![\d.,])\d+(?:,\d+)?")


def numbers_in(text: str) -> list[Decimal]:
    """The numbers a text states, in order ("Maksimalt 1.075 i 2023" → [1075, 2023])."""
    return [
        Decimal(match.group().replace(".", "").replace(",", ".")).normalize()
        for match in _NUMBER_IN_TEXT.finditer(text or "")
    ]


def same_wording(first: str, second: str) -> bool:
    """Two texts that say the same, whatever their numbers' decimals and spacing ("Minimum
    70 %" and "Minimum 70,0 %")."""

    def words(text):
        return " ".join(_NUMBER_IN_TEXT.sub("#", text or "").split()).casefold()

    return words(first) == words(second) and numbers_in(first) == numbers_in(second)


_DANISH_LETTERS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})


def danish_slug(text: str) -> str:
    """A key for a URL that keeps æ, ø and å readable ("RAR Sjælland" → "rar-sjaelland");
    Django's slugify alone drops them ("rar-sjlland")."""
    from django.utils.text import slugify

    return slugify(str(text).translate(_DANISH_LETTERS))
