"""Generated files for the import (hypothesis): wrong, missing and extra columns, other
encodings, Danish and English numbers, huge values, duplicates, unknown names, bad periods.
Either the file is accepted and exactly the figures it states are stored, to the decimal, or it
is refused with a clear Danish message naming the line, and the figures are as they were."""

from dataclasses import dataclass
from decimal import Decimal
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import event, example, given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from kpis import importers
from kpis import services as kpi_services
from kpis.models import Area, ImportBatch, Indicator, Measurement
from kpis.periods import parse_period
from plans.models import Membership
from tests.builders import make_indicator, record
from tests.fuzzing import FUZZ, assert_clear_danish, figures_state, rolled_back

pytestmark = pytest.mark.django_db


STORED_BEFORE = ("unge", "Guldborgsund", "2023M01")  # the one figure of the world


@pytest.fixture
def world(guldborgsund, ringsted, country, unge, member):
    """Guldborgsund (the analyst's), Ringsted (not theirs), the country and the RAR; a count
    and a share; one figure already stored, so a file can revise it."""
    make_indicator("andel", unit=Indicator.Unit.PERCENT, decimals=1)
    record(unge, guldborgsund, STORED_BEFORE[2], "100")
    return member(guldborgsund, Membership.Role.ANALYST)


# -- what a row says, and what it means ---------------------------------------------------


@dataclass(frozen=True)
class Cell:
    text: str
    good: bool
    meaning: object = None  # an indicator key, an area name, a period code or a Decimal


def cells(pairs, good):
    return [Cell(text, good, meaning) for text, meaning in pairs]


def mostly(good, bad):
    """A good cell five times in six; and the good cells alone, for files meant to be stored."""
    return st.one_of(*[st.sampled_from(good)] * 5, st.sampled_from(bad)), st.sampled_from(good)


INDICATORS, GOOD_INDICATORS = mostly(
    cells([("unge", "unge"), ("UNGE", "unge"), ("andel", "andel")], True),
    cells([("ukendt", None), ("", None)], False),
)
AREAS, GOOD_AREAS = mostly(
    cells([("Guldborgsund", "Guldborgsund"), ("guldborgsund", "Guldborgsund"),
           ("Hele landet", "Hele landet"), ("RAR Sjælland", "RAR Sjælland")], True),
    # Ringsted exists but is not the analyst's; Atlantis does not exist
    cells([("Ringsted", None), ("Atlantis", None), ("", None)], False),
)  # fmt: skip
GOOD_PERIODS = ["2023M01", "Jan. 2023", "2023Q2", "4.kv.22 - 3.kv.23", "2022M11-2023M11", "2023",
                "1. halvår 2023"]  # fmt: skip
PERIODS, GOOD_PERIOD_CELLS = mostly(
    cells([(text, parse_period(text).code) for text in GOOD_PERIODS], True),
    cells([(text, None) for text in ["2023M13", "2023Q5", "0000", "1800", "9999M01", "abc",
                                        "", "2023-02-30", "2023M11-2022M11", "5.kv.22"]], False)
)  # fmt: skip
# Numbers as people write them. Danish: "1.075" is one thousand and seventy-five, "58,8" is
# fifty-eight point eight (kpis/danish.py). English forms are refused, not guessed at.
WRITTEN = cells([("1.075", Decimal(1075)), ("58,8", Decimal("58.8")),
                 ("1.075,5", Decimal("1075.5")), ("0", Decimal(0)), ("12 345", Decimal(12345))],
                True) + cells([("58.8", None), ("1,075.5", None), ("1e3", None), ("12,5,3", None),
                               ("10.000.000.000.000", None), ("abc", None), ("1.0750", None)],
                              False)  # fmt: skip
SUPPRESSED = ["-", "..", ".", ""]


def danish(value: Decimal, grouped: bool) -> str:
    """A Decimal written the Danish way, by hand: '.' between thousands, ',' before decimals."""
    sign = "-" if value < 0 else ""
    integer, _dot, fraction = f"{abs(value):f}".partition(".")
    if grouped:
        integer = f"{int(integer):,}".replace(",", ".")
    return sign + integer + ("," + fraction if fraction else "")


@st.composite
def values(draw, clean):
    """A value cell: a generated number written the Danish way, a written example, a word, or
    a suppressed value (None: nothing to store). Clean: a number from 0 to 100 or suppressed."""
    kinds = ["number"] * 6 + ["suppressed"] + ([] if clean else ["written"] * 2 + ["word"])
    kind = draw(st.sampled_from(kinds))
    if kind == "suppressed":
        return None, draw(st.sampled_from(SUPPRESSED))
    if kind == "written":
        return draw(st.sampled_from(WRITTEN)), None
    if kind == "word":
        word = draw(st.text(alphabet="abcdefghijklmnopqrstuvwxyzæøå", min_size=1, max_size=8))
        return Cell(word, False), None
    places = draw(st.integers(0, 6))
    small = st.decimals(min_value=0, max_value=100, places=places)  # a share or a small count
    beyond = st.decimals(min_value=-10, max_value=10**13, places=places)  # and out of range
    value = draw(small if clean else st.one_of(small, beyond)).normalize()
    value = value.quantize(Decimal(1)) if value == value.to_integral() else value
    text = danish(value, grouped=draw(st.booleans()))
    return Cell(text, True, value), None


def in_range(indicator_key, value):
    """What a figure of the indicator may be: a count from 0, a share 0–100, below 10^12."""
    high = Decimal(100) if indicator_key == "andel" else Decimal(10) ** 12 - Decimal("0.000001")
    return Decimal(0) <= value <= high


@dataclass
class Row:
    indicator: Cell
    area: Cell
    period: Cell
    value: Cell | None  # None: suppressed
    value_text: str

    @property
    def texts(self):
        return [self.indicator.text, self.area.text, self.period.text, self.value_text]

    @property
    def key(self):
        return (self.indicator.meaning, self.area.meaning, self.period.meaning)

    @property
    def good(self):
        if self.value is None:
            return True
        cells_good = all(c.good for c in (self.indicator, self.area, self.period, self.value))
        return cells_good and in_range(self.indicator.meaning, self.value.meaning)


@st.composite
def rows(draw, clean):
    value, suppressed = draw(values(clean))
    # A suppressed value on a good row: skipped, neither stored nor an error.
    good_only = clean or value is None
    return Row(
        draw(GOOD_INDICATORS if good_only else INDICATORS),
        draw(GOOD_AREAS if good_only else AREAS),
        draw(GOOD_PERIOD_CELLS if good_only else PERIODS),
        value,
        value.text if value is not None else suppressed,
    )


GOOD_HEADERS = [["indikator", "område", "periode", "værdi"],
                ["INDIKATOR", "OMRÅDE", "PERIODE", "VÆRDI"],
                ["indicator", "area", "period", "value"],
                ["indikator", "område", "periode", "værdi", "kommentar"]]  # fmt: skip
BAD_HEADERS = [["område", "periode", "værdi"], ["indikator", "periode", "værdi"],
               ["indikator", "område", "værdi"], ["indikator", "område", "periode"],
               ["indikator", "kommune", "tid", "tal"]]  # fmt: skip


@dataclass
class File:
    header: list[str]
    rows: list[Row]
    encoding: str
    newline: str

    @property
    def content(self) -> bytes:
        lines = [";".join(self.header)]
        for row in self.rows:
            texts = row.texts[: len(self.header)] + [""] * (len(self.header) - 4)
            lines.append(";".join(texts))
        return (self.newline.join(lines) + self.newline).encode(self.encoding)

    @property
    def readable(self):
        """Read as UTF-8 (with or without BOM) and with the four columns the template needs."""
        text = self.newline.join([";".join(self.header)] + [";".join(r.texts) for r in self.rows])
        encoded_as_utf8 = self.encoding in ("utf-8", "utf-8-sig") or (
            self.encoding == "latin-1" and text.isascii()
        )
        return encoded_as_utf8 and self.header in GOOD_HEADERS

    def expected(self):
        """(the figures to store {key: value}, the lines with errors)."""
        figures, bad, seen = {}, set(), set()
        for line, row in enumerate(self.rows, start=2):
            if not row.good:
                bad.add(line)
            elif row.value is not None:
                if row.key in seen:
                    bad.add(line)
                seen.add(row.key)
                figures.setdefault(row.key, row.value.meaning)
        return figures, bad


@st.composite
def files(draw):
    clean = draw(st.booleans())  # half the files are meant to be stored, but for duplicates
    header = draw(mostly(GOOD_HEADERS, BAD_HEADERS)[1 if clean else 0])
    body = draw(st.lists(rows(clean), min_size=int(clean), max_size=4))
    if body and draw(st.integers(0, 3)) == 0:
        body.append(draw(st.sampled_from(body)))  # the same figure twice
    encoding = draw(mostly(["utf-8", "utf-8-sig"], ["latin-1", "utf-16"])[1 if clean else 0])
    return File(header, body, encoding, draw(st.sampled_from(["\n", "\r\n"])))


# -- checking the outcome -------------------------------------------------------------------


def stored(key):
    indicator_key, area_name, period_code = key
    spec = parse_period(period_code)
    return Measurement.objects.get(
        indicator__key=indicator_key, area__name=area_name, period__kind=spec.kind,
        period__start=spec.start, period__end=spec.end,
    ).value  # fmt: skip


def check_refused(batch, state_before, bad_lines):
    assert batch.state == ImportBatch.State.REFUSED
    assert figures_state() == state_before, "a refused file changed the figures"
    if batch.file_error:
        assert_clear_danish(batch.file_error)
    else:
        assert {line for line, _reason in batch.errors} == bad_lines
        for _line, reason in batch.errors:
            assert_clear_danish(reason)


def check_import(file, batch, state_before, user):
    figures, bad = file.expected()
    if not file.readable or bad or not figures:
        event("refused")
        check_refused(batch, state_before, bad)
        return
    event("stored")
    assert batch.state == ImportBatch.State.PREVIEW, (batch.file_error, batch.errors)
    assert state_before == figures_state(), "reading a file stored something"
    committed = kpi_services.import_commit(batch_id=batch.pk, user=user)
    assert committed.state == ImportBatch.State.COMMITTED
    for key, value in figures.items():
        assert stored(key) == value, f"{key}: stated {value}, stored {stored(key)}"
    kept = set(Measurement.objects.values_list("pk", flat=True))
    assert {m["id"] for m in state_before["Measurement"]} <= kept, "a figure disappeared"
    new = Measurement.objects.count() - len(state_before["Measurement"])
    assert new == len(figures.keys() - {STORED_BEFORE})


def read(user, content, filename="tal.csv"):
    guldborgsund = Area.objects.get(name="Guldborgsund")
    batch = kpi_services.import_upload(
        user=user, filename=filename, content=content, allowed_area_ids={guldborgsund.pk}
    )
    return kpi_services.import_read(batch_id=batch.pk) or ImportBatch.objects.get(pk=batch.pk)


# -- the tests ------------------------------------------------------------------------------


@FUZZ
@given(file=files())
def test_a_file_is_stored_exactly_or_refused_with_the_line(world, file):
    with rolled_back():
        before = figures_state()
        batch = read(world, file.content)
        check_import(file, batch, before, world)


@FUZZ
@given(content=st.binary(min_size=0, max_size=200))
@example(content=b"")
@example(content=b"\x00\xff\xfe garbage \x80")
@example(content="indikator;område;periode;værdi\n".encode())
def test_garbage_is_refused_in_danish(world, content):
    with rolled_back():
        before = figures_state()
        batch = read(world, content)
        assert batch.state == ImportBatch.State.REFUSED
        check_refused(batch, before, bad_lines=set())


def test_the_row_limit_refuses_a_longer_file(world):
    """The limit is two million rows; lowered here so the file stays small."""
    content = "indikator;område;periode;værdi\n" + "unge;Guldborgsund;2023M02;5\n" * 4
    before = figures_state()
    with mock.patch.object(importers, "MAX_ROWS", 3):
        batch = read(world, content.encode())
    check_refused(batch, before, bad_lines=set())
    assert "3" in batch.file_error


def test_seven_decimals_are_not_stored_as_six(world):
    """A figure is kept to six decimals; one with more is refused, not silently rounded."""
    before = figures_state()
    batch = read(world, "indikator;område;periode;værdi\nandel;Guldborgsund;2023M02;0,1234567\n"
                 .encode())  # fmt: skip
    check_refused(batch, before, bad_lines={2})


# -- the same files through the page and the API ---------------------------------------------


@FUZZ
@given(file=files())
def test_the_import_page_stores_exactly_or_shows_the_errors(world, client, file):
    client.force_login(world)
    with rolled_back():
        before = figures_state()
        upload = SimpleUploadedFile("tal.csv", file.content, content_type="text/csv")
        response = client.post(reverse("plans:import_upload"), {"file": upload})
        assert response.status_code == 302
        batch = ImportBatch.objects.latest("pk")
        page = client.get(response["Location"])
        assert page.status_code == 200
        figures, bad = file.expected()
        if batch.state == ImportBatch.State.REFUSED:
            check_refused(batch, before, bad)
            shown = page.content.decode()
            for line, _reason in batch.errors:
                assert f'<th scope="row" class="num">{line}</th>' in shown
        else:
            assert client.post(reverse("plans:import_commit", args=[batch.pk])).status_code == 302
            for key, value in figures.items():
                assert stored(key) == value


@st.composite
def api_rows(draw):
    """A figure for POST /api/measurements/bulk/: the API takes decimals as JSON writes them
    ("58.8"), so a Danish "58,8" is refused there."""
    indicator = draw(st.sampled_from(["unge", "andel", "ukendt"]))
    area = draw(st.sampled_from(["guldborgsund", "hele-landet", "ringsted", "atlantis"]))
    period = draw(st.sampled_from(["2023M02", "Jan. 2023", "2023Q3", "2023M13", "0000", ""]))
    value = draw(st.one_of(
        st.decimals(min_value=-5, max_value=10**13, places=draw(st.integers(0, 7)),
                    allow_nan=False).map(lambda d: f"{d:f}"),
        st.sampled_from(["58,8", "abc", ""]),
    ))  # fmt: skip
    good = (
        indicator != "ukendt" and area in ("guldborgsund", "hele-landet")
        and period not in ("2023M13", "0000", "")
        and _api_value_good(value, indicator)
    )  # fmt: skip
    return {"indicator": indicator, "area": area, "period": period, "value": value}, good


def _api_value_good(text, indicator):
    if text in ("58,8", "abc", ""):
        return False
    value = Decimal(text)
    return -value.as_tuple().exponent <= 6 and in_range(indicator, value)


@FUZZ
@given(batch=st.lists(api_rows(), min_size=1, max_size=5))
def test_the_bulk_upload_stores_all_or_names_the_rows(world, batch):
    client = APIClient()
    client.force_login(world)
    with rolled_back():
        before = figures_state()
        response = client.post("/api/measurements/bulk/", [r for r, _g in batch], format="json")
        keys = [(r["indicator"], r["area"], parse_period(r["period"]).code if good else None)
                for r, good in batch]  # fmt: skip
        duplicates = {i for i, k in enumerate(keys) if k[2] and k in keys[:i]}
        bad = {i for i, (_r, good) in enumerate(batch) if not good} | duplicates
        if bad:
            assert response.status_code == 400, response.json()
            assert figures_state() == before
            named = {e["row"] for e in response.json()["error"]["details"].get("rows", [])}
            assert named and named <= bad, (named, bad)
        else:
            assert response.status_code == 200, response.json()
            for row, _good in batch:
                area = Area.objects.get(slug=row["area"])
                key = (row["indicator"], area.name, parse_period(row["period"]).code)
                assert stored(key) == Decimal(row["value"])
