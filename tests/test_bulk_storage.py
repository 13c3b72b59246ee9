"""The set-based store (kpis/bulk.py) keeps every figure and every revision, also when another
writer creates the same new figure between the classification and the insert."""

from decimal import Decimal

import pytest

from kpis import bulk
from kpis.models import Measurement, MeasurementRevision
from kpis.services import MeasurementRow, measurements_record, period_get_or_create
from tests.builders import make_indicator, make_municipality, record

pytestmark = pytest.mark.django_db


def test_a_figure_created_meanwhile_becomes_a_revision_not_a_lost_value(monkeypatch):
    area, indicator = make_municipality(), make_indicator("ledige")
    record(indicator, area, "2023M08", "10")
    # As if the classification ran before another writer stored 2023M08: it sees nothing.
    monkeypatch.setattr(bulk, "_CLASSIFY", bulk._CLASSIFY.replace(
        "LEFT JOIN {measurement} m ON", "LEFT JOIN {measurement} m ON 1 = 0 AND"))  # fmt: skip
    rows = [
        MeasurementRow(indicator, area, period_get_or_create(code), Decimal(value))
        for code, value in (("2023M08", "11"), ("2023M09", "12"))
    ]
    counts = measurements_record(rows=rows)
    assert counts == {"created": 1, "revised": 1, "unchanged": 0}
    stored = dict(Measurement.objects.values_list("period__start__month", "value"))
    assert stored == {8: Decimal(11), 9: Decimal(12)}
    revision = MeasurementRevision.objects.get()
    assert (revision.old_value, revision.new_value) == (Decimal(10), Decimal(11))


def test_the_same_figure_twice_in_one_batch_keeps_the_last():
    area, indicator = make_municipality(), make_indicator("ledige")
    period = period_get_or_create("2023M08")
    rows = [MeasurementRow(indicator, area, period, Decimal(v)) for v in ("10", "11")]
    assert measurements_record(rows=rows) == {"created": 1, "revised": 0, "unchanged": 0}
    assert Measurement.objects.get().value == Decimal(11)
