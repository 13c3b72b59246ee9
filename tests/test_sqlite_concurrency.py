"""Two analysts saving at once on the embedded SQLite database both get an answer: WAL lets
readers go on while one writes, every write transaction takes the write lock when it begins
(IMMEDIATE, so no transaction holding a read lock is refused halfway), and a busy writer waits
for the other instead of failing with "database is locked". Run on a database file of its own in
a child process: the test database of the suite is in memory, where none of this applies."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).parents[1]

SAVES = """
import threading
import django
django.setup()
from django.core.management import call_command
from django.db import connection, connections
from decimal import Decimal
call_command("migrate", verbosity=0)
print(connection.cursor().execute("PRAGMA journal_mode").fetchone()[0])
from kpis import services
from kpis.models import Measurement
from tests.builders import make_indicator, make_municipality
area, indicator = make_municipality(), make_indicator("unge")
periods = [services.period_get_or_create(f"{y}M{m:02}") for y in range(2000, 2020)
           for m in range(1, 13)]
start, failures = threading.Barrier(2), []


def analyst(offset):
    start.wait()
    try:
        for round_ in range(10):
            rows = [services.MeasurementRow(indicator, area, p, Decimal(offset + round_))
                    for p in periods]
            services.measurements_record(rows=rows)
    except Exception as exc:
        failures.append(repr(exc))
    finally:
        connections.close_all()


threads = [threading.Thread(target=analyst, args=(n * 100,)) for n in (1, 2)]
[t.start() for t in threads]
[t.join() for t in threads]
print("failures", failures)
values = sorted({str(m.value) for m in Measurement.objects.all()})
print("stored", Measurement.objects.count(), values)
"""


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the embedded SQLite mode")
def test_two_analysts_saving_at_once_on_sqlite_both_get_an_answer(tmp_path):
    database = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jobcenter.settings_test",
           "PYTHONPATH": str(ROOT), "DATABASE_URL": database}  # fmt: skip
    run = subprocess.run([sys.executable, "-c", SAVES], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=300)  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    mode, failures, stored = run.stdout.strip().splitlines()[-3:]
    assert failures == "failures []"
    assert mode == "wal"
    # Every figure is there, with the last value one of the two analysts saved.
    assert stored in ("stored 240 ['109.000000']", "stored 240 ['209.000000']")
