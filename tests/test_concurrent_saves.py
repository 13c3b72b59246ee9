"""Two analysts saving at the same moment lose nothing: different figures are both stored with
their revisions, and of the same figure one wins and the other is told (PostgreSQL: SQLite
allows one writer at a time, so there is no race to test)."""

import contextlib
import threading
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections

from kpis import periods
from kpis import services as kpi_services
from kpis.models import Area, Measurement, MeasurementRevision
from tests.builders import make_country, make_indicator, make_municipality
from tests.builders import record as record_figure

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


@pytest.fixture
def series():
    """Guldborgsund's quarterly "unge" with Q1 = 969 and Q2 = 1.000, and two analysts."""
    guldborgsund, country = make_municipality(), make_country()
    indicator = make_indicator("unge")
    record_figure(indicator, guldborgsund, "2023Q1", "969")
    record_figure(indicator, guldborgsund, "2023Q2", "1.000")
    users = [get_user_model().objects.create(username=name) for name in ("anna", "bo")]
    return indicator, guldborgsund, country, users


def at_once(*saves):
    """Run the saves in threads released together. Each pauses right after reading the
    figures it will write (locking them, or classifying the staged figures against them),
    until the other has read too or 2 s have passed (it may be waiting for a lock), so both
    decide on what they saw before either writes."""
    start, read = threading.Barrier(len(saves)), threading.Barrier(len(saves), timeout=2)
    outcomes = [None] * len(saves)

    def pause_after_first_read(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        reads = ("FOR UPDATE" in sql and '"kpis_measurement"' in sql) or (
            sql.lstrip().startswith("CREATE TEMPORARY TABLE kpis_classified_measurement")
        )
        if reads and not read.broken:
            with contextlib.suppress(threading.BrokenBarrierError):
                read.wait()
        return result

    def run(i, save):
        try:
            with connection.execute_wrapper(pause_after_first_read):
                start.wait()
                outcomes[i] = save()
        except Exception as exc:  # what the analyst would be told
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, s)) for i, s in enumerate(saves)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a save hung"
    return outcomes


def typed(indicator, area, period, value, user):
    """Save one figure in the grid, as seen when the page was opened."""
    spec = periods.parse_period(period)
    seen = Measurement.objects.filter(
        indicator=indicator, area=area, period__start=spec.start, period__end=spec.end
    ).first()
    change = kpi_services.CellChange(
        indicator, area, spec, Decimal(value), kpi_services.version_of(seen)
    )
    return lambda: kpi_services.figures_save_checked(changes=[change], user=user)


def recorded(indicator, area, period, value, user):
    """Store one figure as an import or the API does."""
    row = kpi_services.MeasurementRow(
        indicator, area, kpi_services.period_get_or_create(period), Decimal(value)
    )
    return lambda: kpi_services.measurements_record(rows=[row], user=user)


def value_of(indicator, area, period):
    spec = periods.parse_period(period)
    figure = Measurement.objects.filter(
        indicator=indicator, area=area, period__start=spec.start, period__end=spec.end
    ).first()
    return figure.value if figure else None


def revisions():
    return sorted(
        (r.old_value, r.new_value, r.changed_by.username)
        for r in MeasurementRevision.objects.select_related("changed_by")
    )


@pytest.mark.parametrize("save", [typed, recorded], ids=["grid", "import-or-api"])
def test_different_figures_of_one_series_saved_at_once_are_both_kept(series, save):
    indicator, guldborgsund, country, (anna, bo) = series
    outcomes = at_once(
        save(indicator, guldborgsund, "2023Q1", "970", anna),
        save(indicator, guldborgsund, "2023Q2", "1100", bo),
    )
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert value_of(indicator, guldborgsund, "2023Q1") == Decimal(970)
    assert value_of(indicator, guldborgsund, "2023Q2") == Decimal(1100)
    assert revisions() == [
        (Decimal(969), Decimal(970), "anna"),
        (Decimal(1000), Decimal(1100), "bo"),
    ]


@pytest.mark.parametrize("save", [typed, recorded], ids=["grid", "import-or-api"])
def test_a_new_period_first_saved_by_two_at_once_is_created_once(series, save):
    indicator, guldborgsund, country, (anna, bo) = series
    outcomes = at_once(
        save(indicator, guldborgsund, "2023Q3", "1050", anna),
        save(indicator, country, "2023Q3", "35000", bo),
    )
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert value_of(indicator, guldborgsund, "2023Q3") == Decimal(1050)
    assert value_of(indicator, country, "2023Q3") == Decimal(35000)


@pytest.mark.parametrize(
    ("area_name", "period"),
    [("Guldborgsund", "2023Q1"), ("Hele landet", "2023Q1"), ("Guldborgsund", "2023Q4")],
    ids=["revised", "new-figure", "new-period"],
)
def test_the_same_figure_typed_by_two_at_once_one_wins_and_the_other_is_told(
    series, area_name, period
):
    indicator, _guldborgsund, _country, (anna, bo) = series
    area = Area.objects.get(name=area_name)
    before = value_of(indicator, area, period)
    outcomes = at_once(
        typed(indicator, area, period, "970", anna),
        typed(indicator, area, period, "980", bo),
    )
    told = [o for o in outcomes if isinstance(o, kpi_services.FiguresChanged)]
    saved = [o for o in outcomes if isinstance(o, dict)]
    assert (len(saved), len(told)) == (1, 1), outcomes
    winner = Decimal(970) if isinstance(outcomes[0], dict) else Decimal(980)
    assert value_of(indicator, area, period) == winner
    [(_change, now)] = told[0].conflicts
    assert now.value == winner  # the loser's grid shows the winner's figure
    expected = [(before, winner)] if before is not None else []
    assert [(o, n) for o, n, _user in revisions()] == expected


def test_the_same_figure_recorded_by_two_at_once_keeps_both_values_in_its_history(series):
    """An import or API upload overwrites on purpose; the overwritten value is a revision."""
    indicator, guldborgsund, country, (anna, bo) = series
    outcomes = at_once(
        recorded(indicator, guldborgsund, "2023Q1", "970", anna),
        recorded(indicator, guldborgsund, "2023Q1", "980", bo),
    )
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    final = value_of(indicator, guldborgsund, "2023Q1")
    first = Decimal(980) if final == Decimal(970) else Decimal(970)
    assert [(o, n) for o, n, _user in revisions()] == sorted(
        [(Decimal(969), first), (first, final)]
    )


def _staging_tables():
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relname LIKE 'kpis_staged_measurement%'")
        return [name for (name,) in cursor.fetchall()]


def test_the_staging_table_leaves_with_its_store_whether_it_commits_or_fails(series):
    """The figures are staged in an unlogged table of the store's own (kpis.bulk._staging):
    nothing of it may remain in the database after a store, nor after one that failed."""
    indicator, guldborgsund, _country, (anna, _bo) = series
    recorded(indicator, guldborgsund, "2023Q3", "1010", anna)()
    assert value_of(indicator, guldborgsund, "2023Q3") == Decimal("1010")
    row = kpi_services.MeasurementRow(
        indicator, guldborgsund, kpi_services.period_get_or_create("2023Q4"), Decimal("1e20")
    )  # beyond numeric(18, 6): PostgreSQL refuses it as it is staged
    with pytest.raises(Exception, match="numeric field overflow"):
        kpi_services.measurements_record(rows=[row], user=anna)
    assert value_of(indicator, guldborgsund, "2023Q4") is None
    assert _staging_tables() == []
