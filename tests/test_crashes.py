"""A task that dies halfway leaves nothing half-written, and what it was doing can be done
again: an import being saved, and a status refresh."""

import os
import signal
import subprocess
import sys
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.db import OperationalError, connection, connections

from kpis import services as kpi_services
from kpis import tasks as kpi_tasks
from kpis.models import ImportBatch, Measurement, MeasurementRevision
from plans import tasks
from plans.models import TargetStatus
from plans.services import all_statuses_refresh
from tests.builders import make_indicator, make_plan, make_target
from tests.builders import record as record_figure

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)"
)

FILE = (
    "indikator;område;periode;værdi\n"
    "unge;Guldborgsund;2023Q1;970\n"  # revises 969
    "unge;Guldborgsund;2023Q2;1100\n"
    "unge;Hele landet;2023Q2;35000\n"
)


class Killed(Exception):
    """Stands in for the process dying at this point."""


@contextmanager
def on_write(table, nth, action):
    """Run action() just before the nth statement that writes to table (then carry on): an
    INSERT, an UPDATE, or a WITH … UPDATE as kpis/bulk.py writes figures."""
    writes = 0

    def watch(execute, sql, params, many, context):
        nonlocal writes
        if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "WITH")) and f'"{table}"' in sql:
            writes += 1
            if writes == nth:
                action()
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        yield


def die():
    raise Killed


@pytest.fixture
def unge(guldborgsund, country):
    """Guldborgsund's "Maksimalt 1.075" on quarterly figures; Q1 is 969 and the status met."""
    indicator = make_indicator("unge")
    plan = make_plan(guldborgsund)
    targets = [
        make_target(plan, indicator, key=key, period_kind="quarter") for key in ("unge", "unge-2")
    ]
    record_figure(indicator, guldborgsund, "2023Q1", "969")
    all_statuses_refresh()
    return guldborgsund, indicator, targets


def previewed_batch():
    batch = kpi_services.import_upload(user=None, filename="tal.csv", content=FILE.encode())
    batch = kpi_services.import_read(batch_id=batch.pk)
    assert batch.state == ImportBatch.State.PREVIEW
    assert batch.counts == {"created": 2, "revised": 1, "unchanged": 0}
    return batch


def figures():
    return sorted((m.area.name, m.period.code, m.value) for m in Measurement.objects.all())


BEFORE = [("Guldborgsund", "2023Q1", Decimal(969))]
AFTER = [
    ("Guldborgsund", "2023Q1", Decimal(970)),
    ("Guldborgsund", "2023Q2", Decimal(1100)),
    ("Hele landet", "2023Q2", Decimal(35000)),
]


def assert_committed_on_retry(batch):
    outcome = kpi_tasks.import_commit_task(batch.pk)
    batch.refresh_from_db()
    assert outcome == ImportBatch.State.COMMITTED, f"retry did {outcome}; batch {batch.state}"
    assert figures() == AFTER
    assert MeasurementRevision.objects.get().old_value == Decimal(969)


@pytest.mark.django_db
def test_an_import_dying_halfway_through_saving_stores_nothing_and_can_be_saved_again(unge):
    batch = previewed_batch()
    with on_write("kpis_measurement", 2, die), pytest.raises(Killed):
        kpi_tasks.import_commit_task(batch.pk)
    assert figures() == BEFORE
    assert not MeasurementRevision.objects.exists()
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.PREVIEW  # the analyst can press save again
    assert_committed_on_retry(batch)


@pytest.mark.django_db
def test_a_status_refresh_dying_halfway_changes_no_status(unge):
    guldborgsund, indicator, targets = unge
    Measurement.objects.filter(indicator=indicator).update(value=1100)  # no refresh queued
    # The refresh writes every status in one statement: dying there, after the engine ran.
    with on_write("plans_targetstatus", 1, die), pytest.raises(Killed):
        tasks.recompute_statuses_for_series([[indicator.pk, guldborgsund.pk]])
    assert set(TargetStatus.objects.values_list("status", flat=True)) == {"met"}
    # Redelivered (acks late), it does the whole batch.
    assert tasks.recompute_statuses_for_series([[indicator.pk, guldborgsund.pk]]) == 2
    assert set(TargetStatus.objects.values_list("status", flat=True)) == {"not_met"}


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_an_import_whose_database_connection_is_killed_halfway_stores_nothing(unge):
    """PostgreSQL ends the saving transaction's backend from a second connection, as an
    administrator or a failover would; the transaction is rolled back by the server."""
    batch = previewed_batch()
    backend = connection.connection.info.backend_pid

    def terminate_from_another_connection():
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [backend])
                assert cursor.fetchone() == (True,)
        finally:
            other.close()

    with (
        on_write("kpis_measurement", 2, terminate_from_another_connection),
        pytest.raises(OperationalError),
    ):
        kpi_tasks.import_commit_task(batch.pk)
    connection.close()  # the next query opens a new connection, as the next task would
    assert figures() == BEFORE
    assert not MeasurementRevision.objects.exists()
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.PREVIEW
    assert_committed_on_retry(batch)


# The worker as a separate process: it saves the batch, pauses at the second figure with its
# transaction open, and is killed there with SIGKILL (out of memory, a redeploy, a reboot).
WORKER = """
import os, sys, time
import django
django.setup()
from django.db import connection
from kpis.tasks import import_commit_task

writes = 0
def pause_halfway(execute, sql, params, many, context):
    global writes
    writing = sql.lstrip().upper().startswith(("INSERT", "UPDATE", "WITH"))
    if writing and '"kpis_measurement"' in sql:
        writes += 1
        if writes == 2:
            print("halfway", flush=True)
            time.sleep(120)
    return execute(sql, params, many, context)

with connection.execute_wrapper(pause_halfway):
    import_commit_task(int(sys.argv[1]))
"""


def database_url():
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_an_import_whose_worker_is_killed_halfway_stores_nothing_and_is_saved_on_redelivery(
    unge,
):
    batch = previewed_batch()
    env = {**os.environ, "DATABASE_URL": database_url()}
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(batch.pk)], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert worker.stdout.readline().strip() == "halfway"
        assert figures() == BEFORE  # the worker's transaction is open, nothing visible yet
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    assert figures() == BEFORE
    assert not MeasurementRevision.objects.exists()
    # The task was acknowledged late, so the broker hands it to the next worker.
    assert_committed_on_retry(batch)
