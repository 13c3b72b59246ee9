"""The synthetic national data set and the benchmark, at a scale a test can afford: the
commands keep working, make what they promise, and the benchmark leaves the data as it was."""

import io

import pytest
from django.core.management import CommandError, call_command

from kpis.models import Area, Measurement, MeasurementRevision
from plans.models import Target, TargetStatus
from tests.builders import make_indicator, make_municipality, record

pytestmark = pytest.mark.django_db

SMALL = ["--municipalities", "4", "--indicators", "24", "--targets-per-plan", "20",
         "--first-year", "2024", "--last-year", "2025"]  # fmt: skip


def _call(*args):
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=out)
    return out.getvalue()


def test_the_generator_makes_every_series_and_every_status():
    _call("generate_national", *SMALL)
    areas = Area.objects.count()
    assert areas == 4 + 4 + 1  # municipalities, a RAR area each, hele landet
    # 24 indicators × 9 areas × (24 months + 8 quarters)
    assert Measurement.objects.count() == 24 * areas * 32
    assert Target.objects.count() == 4 * 20
    assert TargetStatus.objects.count() == Target.objects.count()
    kinds = set(Target.objects.values_list("kind", flat=True))
    assert kinds == {"threshold", "relative", "change", "glide_path", "cumulative", "milestone",
                     "expected", "rank", "comparables"}  # fmt: skip
    # The benchmark kinds are measured on something: a rank among the municipalities, the
    # comparables' average, an expected level.
    benchmark = TargetStatus.objects.filter(target__kind__in=["rank", "comparables", "expected"])
    assert benchmark.filter(status__in=["met", "near", "not_met"]).count() == benchmark.count()
    assert benchmark.filter(target__kind="rank", ranked__gte=2).exists()
    # Hele landet is the mean of the municipalities for a share: between the least and most.
    share = Measurement.objects.filter(indicator__unit="percent", period__kind="month")
    country = share.filter(area__kind="country").order_by("indicator", "period").first()
    same = share.filter(
        indicator=country.indicator, period=country.period, area__kind="municipality"
    )
    values = [m.value for m in same]
    assert min(values) <= country.value <= max(values)
    assert "already there" in _call("generate_national", *SMALL)


def test_the_generator_refuses_a_database_with_figures():
    record(make_indicator("ledige"), make_municipality(), "2023M08", "969")
    with pytest.raises(CommandError, match="already has figures"):
        _call("generate_national", *SMALL)


def test_the_benchmark_reports_every_goal_and_leaves_the_data_as_it_was():
    from django.db import connection

    _call("generate_national", *SMALL)
    before = sorted(Measurement.objects.values_list("pk", "value"))
    output = _call(
        "benchmark", "--any-database", "--rows", "2000", "--repeat", "2",
        "--naive-rows", "50", "--naive-targets", "5",
    )  # fmt: skip
    for what in ("import 2.000 rows from CSV", "sync of one national table",
                 "recompute every status (80 targets)",
                 "one changed figure (a municipality's)", "one changed figure (hele landet's)",
                 "theme page", "target page", "API: list"):  # fmt: skip
        assert what in output
    lines = 10 if connection.vendor == "postgresql" else 9  # the raw COPY beside the import
    assert output.count("naive:") == lines and output.count("ratio:") == lines
    assert "memory of the import alone" in output
    assert "how the cost grows" in output
    assert "goals met" in output
    assert sorted(Measurement.objects.values_list("pk", "value")) == before
    assert not MeasurementRevision.objects.exists()


def test_the_benchmark_is_for_postgresql_unless_told_otherwise(settings):
    from django.db import connection

    if connection.vendor == "postgresql":
        pytest.skip("on PostgreSQL the benchmark runs without the flag")
    with pytest.raises(CommandError, match="PostgreSQL"):
        _call("benchmark")
