"""Numbers and periods as the seed documents write them."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from kpis.danish import (
    PERCENT,
    PERCENTAGE_POINTS,
    DanishNumberError,
    format_number,
    parse_number,
    parse_quantity,
)
from kpis.periods import PeriodError, parse_period


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("1.075", Decimal("1075"), None),  # Guldborgsund: "Maksimalt 1.075"
        ("969", Decimal("969"), None),
        ("- 32", Decimal("-32"), None),  # the Udvikling column
        ("58,8 %", Decimal("58.8"), PERCENT),
        ("- 10% point", Decimal("-10"), PERCENTAGE_POINTS),
        ("+ 0,5 %", Decimal("0.5"), PERCENT),
        ("- 1,2 %", Decimal("-1.2"), PERCENT),
        ("91,0 %", Decimal("91.0"), PERCENT),
        ("4.723", Decimal("4723"), None),  # Frederikssund, Tabel 1
        ("1.615", Decimal("1615"), None),
        ("12.345.678,25", Decimal("12345678.25"), None),
        ("-0,1", Decimal("-0.1"), None),
        ("1,00", Decimal("1.00"), None),  # formidlingsgrad
        ("0,2 procentpoint", Decimal("0.2"), PERCENTAGE_POINTS),  # Frederikssund 3a
        ("17,7 pct.", Decimal("17.7"), PERCENT),
        ("90%", Decimal("90"), PERCENT),
        ("−0,3", Decimal("-0.3"), None),  # a true minus sign
        ("1 075", Decimal("1075"), None),
        ("1\xa0075", Decimal("1075"), None),  # Excel's non-breaking space
    ],
)
def test_parses_every_form_in_the_seeds(text, value, unit):
    quantity = parse_quantity(text)
    assert quantity.value == value
    assert quantity.unit == unit


def test_arithmetic_is_exact():
    assert parse_number("2,4") - parse_number("2,1") == Decimal("0.3")


@pytest.mark.parametrize("text", ["1.5", "12,", "abc", "", "1,2,3", "58.8", "1.0750"])
def test_refuses_what_is_not_a_danish_number_in_the_users_language(text):
    with pytest.raises(DanishNumberError, match="ikke et tal i dansk format"):
        parse_number(text)
    with translation.override("en"), pytest.raises(DanishNumberError, match="Danish format"):
        parse_number(text)


@pytest.mark.parametrize(
    ("value", "decimals", "sign", "text"),
    [
        (Decimal("1075"), 0, False, "1.075"),
        (Decimal("58.8"), 1, False, "58,8"),
        (Decimal("-10"), 1, True, "\u221210,0"),
        (Decimal("0.5"), 1, True, "+0,5"),
        (Decimal("0"), 1, True, "0,0"),
        (Decimal("1234567.891"), 2, False, "1.234.567,89"),
        (Decimal("0.25"), 1, False, "0,3"),  # half up, as people round
    ],
)
def test_formats_the_danish_way(value, decimals, sign, text):
    assert format_number(value, decimals, sign=sign) == text


@pytest.mark.parametrize(
    ("text", "kind", "start", "end", "label"),
    [
        ("4.kv.22 - 3.kv.23", "rolling_year", date(2022, 10, 1), date(2023, 9, 30),
         "4.kv.22 - 3.kv.23"),
        ("4.kv.22–3.kv.23", "rolling_year", date(2022, 10, 1), date(2023, 9, 30),
         "4.kv.22 - 3.kv.23"),
        ("2023QMAT03", "rolling_year", date(2022, 10, 1), date(2023, 9, 30), "4.kv.22 - 3.kv.23"),
        ("2022QMAT04", "rolling_year", date(2022, 1, 1), date(2022, 12, 31), "1.kv.22 - 4.kv.22"),
        ("4.kv.22", "quarter", date(2022, 10, 1), date(2022, 12, 31), "4. kvartal 2022"),
        ("4. Kvartal 2023", "quarter", date(2023, 10, 1), date(2023, 12, 31), "4. kvartal 2023"),
        ("2. kv. 2023", "quarter", date(2023, 4, 1), date(2023, 6, 30), "2. kvartal 2023"),
        ("2023Q2", "quarter", date(2023, 4, 1), date(2023, 6, 30), "2. kvartal 2023"),
        ("Nov. 2023", "month", date(2023, 11, 1), date(2023, 11, 30), "Nov. 2023"),
        ("maj 2022", "month", date(2022, 5, 1), date(2022, 5, 31), "Maj 2022"),
        ("dec. 2021", "month", date(2021, 12, 1), date(2021, 12, 31), "Dec. 2021"),
        ("2023M08", "month", date(2023, 8, 1), date(2023, 8, 31), "Aug. 2023"),
        ("Nov.22-nov.23", "month_span", date(2022, 11, 1), date(2023, 11, 30), "Nov.22-nov.23"),
        ("2022M11-2023M11", "month_span", date(2022, 11, 1), date(2023, 11, 30),
         "Nov.22-nov.23"),
        ("ultimo august 2023", "point", date(2023, 8, 31), date(2023, 8, 31),
         "ultimo august 2023"),
        ("2023-08-31", "point", date(2023, 8, 31), date(2023, 8, 31), "ultimo august 2023"),
        ("1. halvår 2023", "half_year", date(2023, 1, 1), date(2023, 6, 30), "1. halvår 2023"),
        ("2023H2", "half_year", date(2023, 7, 1), date(2023, 12, 31), "2. halvår 2023"),
        ("2023", "year", date(2023, 1, 1), date(2023, 12, 31), "2023"),
        # how people write a quarter: K for kvartal (jobindsats' codes have Q)
        ("2021K1", "quarter", date(2021, 1, 1), date(2021, 3, 31), "1. kvartal 2021"),
        ("2021 K1", "quarter", date(2021, 1, 1), date(2021, 3, 31), "1. kvartal 2021"),
        ("2021k1", "quarter", date(2021, 1, 1), date(2021, 3, 31), "1. kvartal 2021"),
        ("1.kv.21", "quarter", date(2021, 1, 1), date(2021, 3, 31), "1. kvartal 2021"),
        # ISO 8601 months and spans of months
        ("2020-01", "month", date(2020, 1, 1), date(2020, 1, 31), "Jan. 2020"),
        ("2020M01-2021M04", "month_span", date(2020, 1, 1), date(2021, 4, 30),
         "Jan.20-apr.21"),
        ("2020-01..2021-04", "month_span", date(2020, 1, 1), date(2021, 4, 30),
         "Jan.20-apr.21"),
        ("2020-01 – 2021-04", "month_span", date(2020, 1, 1), date(2021, 4, 30),
         "Jan.20-apr.21"),
        ("jan.20-apr.21", "month_span", date(2020, 1, 1), date(2021, 4, 30), "Jan.20-apr.21"),
        # spans of days, Danish d.m.yyyy with any dash, and the portal's code
        ("1.1.2021–14.4.2021", "day_span", date(2021, 1, 1), date(2021, 4, 14),
         "1.1.2021–14.4.2021"),
        ("1.1.2021-14.4.2021", "day_span", date(2021, 1, 1), date(2021, 4, 14),
         "1.1.2021–14.4.2021"),
        ("1.1.2021 — 14.4.2021", "day_span", date(2021, 1, 1), date(2021, 4, 14),
         "1.1.2021–14.4.2021"),
        ("2021-01-01..2021-04-14", "day_span", date(2021, 1, 1), date(2021, 4, 14),
         "1.1.2021–14.4.2021"),
        # a Danish date is a point in time
        ("14.4.2021", "point", date(2021, 4, 14), date(2021, 4, 14), "14. april 2021"),
        ("05.12.2022", "point", date(2022, 12, 5), date(2022, 12, 5), "5. december 2022"),
    ],
)  # fmt: skip
def test_reads_periods_as_the_documents_and_jobindsats_write_them(text, kind, start, end, label):
    spec = parse_period(text)
    assert (spec.kind, spec.start, spec.end, spec.label) == (kind, start, end, label)
    assert parse_period(spec.code) == spec  # the code reads back to the same period
    assert parse_period(spec.label) == spec  # and so does the label


@pytest.mark.parametrize(
    "text",
    [
        "2023M13", "2023Q5", "4.kv.22 - 4.kv.23", "Smarch 2023", "2023-02-30", "sidste år",
        "2021K5", "2021K", "2020-13", "2020-1", "2021-04..2020-01",  # no quarter 5, month 13
        "31.2.2021", "1.1.2021–31.2.2021", "14.4.2021–1.1.2021",  # dates the calendar lacks
        "1.1.2021–1.1.2021",  # a span of days ends after it starts; one day is a point
        "1.1.1960–14.4.2021", "1.1.21", "1.1.2021..",  # outside the years, short, unfinished
        "2021-01-01...2021-04-14",
    ],
)  # fmt: skip
def test_refuses_what_is_not_a_period(text):
    with pytest.raises(PeriodError):
        parse_period(text)


# Each form the Danish error message names, its kind, and its examples as the message lists them.
LISTED_FORMS = [
    ("en måned", "month", "2023M08, 2023-08 eller aug. 2023"),
    ("et kvartal", "quarter", "2023Q2, 2023K2 eller 2.kv.23"),
    ("et halvår", "half_year", "2023H1 eller 1. halvår 2023"),
    ("et år", "year", "2023"),
    ("et rullende år", "rolling_year", "2022QMAT04 eller 1.kv.22 - 4.kv.22"),
    ("et månedsinterval", "month_span", "2022M11-2023M11 eller nov.22-nov.23"),
    ("et datointerval", "day_span", "2021-01-01..2021-04-14 eller 1.1.2021–14.4.2021"),
    ("et tidspunkt", "point", "2023-08-31, 31.8.2023 eller ultimo august 2023"),
]


def test_an_unreadable_period_is_told_every_form_with_examples_in_danish():
    with translation.override("da"), pytest.raises(PeriodError) as refused:
        parse_period("sidste kvartal")
    message = str(refused.value)
    assert message.startswith("“sidste kvartal” er ikke en periode. Skriv den som ")
    for name, kind, listed in LISTED_FORMS:
        assert f"{name} ({listed})" in message
        # and every example given reads as the form it is given for
        for example in re.split(r", | eller ", listed):
            assert parse_period(example).kind == kind, example


@pytest.mark.parametrize("text", ["１２", "1２", "١٢", "१२", "12,５"])
def test_digits_other_than_0_to_9_are_refused_in_danish(text):
    """Python reads "１２" as 12: stored so, it would not be the figure that was typed."""
    with pytest.raises(DanishNumberError, match="andre cifre end 0–9"):
        parse_number(text)


@pytest.mark.parametrize("text", ["２０２３M08", "2023Q２", "1.kv.２３", "٢٠٢٣"])
def test_periods_with_digits_other_than_0_to_9_are_refused(text):
    with pytest.raises(PeriodError, match="andre cifre end 0–9"):
        parse_period(text)
