"""Set-based storing of figures: one typed cell or a million-row file, the same few statements.

The rows go into a temporary staging table (COPY on PostgreSQL, a batched INSERT elsewhere);
then one statement inserts the new figures, and one revises the changed ones, keeping each old
value as a MeasurementRevision. kpis.services.measurements_record is the only caller: it holds
the transaction, so a failure anywhere stores nothing.

Why SQL rather than the ORM: a row-by-row loop costs a few queries per figure, and a file of a
million figures would take the better part of an hour (the benchmark command prints both).
"""

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from .models import Measurement, MeasurementRevision

STAGING = "kpis_staged_measurement"


@dataclass(frozen=True)
class Staged:
    """One figure to store, by ids; value is the Decimal already rounded to the stored quantum."""

    indicator_id: int
    area_id: int
    period_id: int
    value: object
    source: str = ""


@dataclass
class Outcome:
    created: int
    revised: int
    unchanged: int
    series: list[tuple[int, int]]  # (indicator_id, area_id) whose figures were created or revised


def _tables():
    return {
        "staging": STAGING,
        "measurement": Measurement._meta.db_table,
        "revision": MeasurementRevision._meta.db_table,
    }


def _copy(cursor, buffer):
    # In CSV an empty field is NULL; an empty source is the empty text.
    buffer.seek(0)
    cursor.copy_expert(
        f"COPY {STAGING} FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL (source))", buffer
    )


def _stage(cursor, rows) -> int:
    cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {STAGING} (indicator_id integer NOT NULL, area_id integer "
        "NOT NULL, period_id integer NOT NULL, value numeric(18, 6) NOT NULL, "
        "source varchar(300) NOT NULL)"
    )
    if connection.vendor == "postgresql":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        count = 0
        for row in rows:
            writer.writerow((row.indicator_id, row.area_id, row.period_id, row.value, row.source))
            count += 1
        _copy(cursor, buffer)
        return count
    # Decimals bound as text, as Django stores them on SQLite, so equal values compare equal.
    values = [
        (r.indicator_id, r.area_id, r.period_id, str(r.value), r.source) for r in rows
    ]  # fmt: skip
    cursor.executemany(f"INSERT INTO {STAGING} VALUES (%s, %s, %s, %s, %s)", values)
    return len(values)


def stage_frame(frame) -> int:
    """Stage a pandas frame with columns indicator_id, area_id, period_id, value (text or
    Decimal), source: the fast way in for a large file, without a Python object per row."""
    columns = ["indicator_id", "area_id", "period_id", "value", "source"]
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            rows = (Staged(*t) for t in frame[columns].itertuples(index=False, name=None))
            return _stage(cursor, rows)
        _stage(cursor, [])
        buffer = io.StringIO()
        frame[columns].to_csv(buffer, header=False, index=False)
        _copy(cursor, buffer)
        return len(frame)


def stage(rows) -> int:
    with connection.cursor() as cursor:
        return _stage(cursor, rows)


# New figures. ON CONFLICT: a figure another writer created meanwhile is left to the revision
# step below, which then sees it, instead of failing the whole batch.
_INSERT = """
    INSERT INTO {measurement}
        (indicator_id, area_id, period_id, value, source, entered_by_id, created_at, updated_at)
    SELECT s.indicator_id, s.area_id, s.period_id, s.value, s.source, %(user)s, %(now)s, %(now)s
    FROM {staging} s
    WHERE NOT EXISTS (
        SELECT 1 FROM {measurement} m WHERE m.indicator_id = s.indicator_id
        AND m.area_id = s.area_id AND m.period_id = s.period_id)
    ON CONFLICT (indicator_id, area_id, period_id) DO NOTHING
"""
_NEW_SERIES = """
    SELECT DISTINCT s.indicator_id, s.area_id FROM {staging} s
    WHERE NOT EXISTS (
        SELECT 1 FROM {measurement} m WHERE m.indicator_id = s.indicator_id
        AND m.area_id = s.area_id AND m.period_id = s.period_id)
"""

# Changed figures on PostgreSQL, in one statement: lock the rows that differ (FOR UPDATE reads
# their latest committed values), keep the old values as revisions, write the new ones. A
# concurrent writer's figure is therefore never overwritten without its revision.
_REVISE_POSTGRES = """
    WITH changed AS (
        SELECT m.id, m.indicator_id, m.area_id, m.value AS old_value, m.source AS old_source,
               s.value AS new_value, s.source AS new_source
        FROM {measurement} m JOIN {staging} s ON m.indicator_id = s.indicator_id
            AND m.area_id = s.area_id AND m.period_id = s.period_id
        WHERE m.value <> s.value
        FOR UPDATE OF m
    ), updated AS (
        UPDATE {measurement} m
        SET value = c.new_value, source = COALESCE(NULLIF(c.new_source, ''), m.source),
            entered_by_id = %(user)s, updated_at = %(now)s
        FROM changed c WHERE m.id = c.id
    ), kept AS (
        INSERT INTO {revision}
            (measurement_id, old_value, new_value, old_source, changed_by_id, changed_at)
        SELECT c.id, c.old_value, c.new_value, c.old_source, %(user)s, %(now)s FROM changed c
        RETURNING measurement_id
    )
    SELECT c.indicator_id, c.area_id, count(*) FROM changed c GROUP BY 1, 2
"""

# The same elsewhere (SQLite: one writer at a time, so three statements are safe).
_REVISE_GENERIC = (
    """
    SELECT m.indicator_id, m.area_id, count(*)
    FROM {measurement} m JOIN {staging} s ON m.indicator_id = s.indicator_id
        AND m.area_id = s.area_id AND m.period_id = s.period_id
    WHERE m.value <> s.value GROUP BY 1, 2
    """,
    """
    INSERT INTO {revision}
        (measurement_id, old_value, new_value, old_source, changed_by_id, changed_at)
    SELECT m.id, m.value, s.value, m.source, %(user)s, %(now)s
    FROM {measurement} m JOIN {staging} s ON m.indicator_id = s.indicator_id
        AND m.area_id = s.area_id AND m.period_id = s.period_id
    WHERE m.value <> s.value
    """,
    """
    UPDATE {measurement} AS m
    SET value = s.value, source = COALESCE(NULLIF(s.source, ''), m.source),
        entered_by_id = %(user)s, updated_at = %(now)s
    FROM {staging} s
    WHERE m.indicator_id = s.indicator_id AND m.area_id = s.area_id
        AND m.period_id = s.period_id AND m.value <> s.value
    """,
)


def store_staged(*, total: int, user_id: int | None, now: datetime) -> Outcome:
    """Store what stage()/stage_frame() put in the staging table. Call inside a transaction."""
    names = _tables()
    params = {"user": user_id, "now": now}
    with connection.cursor() as cursor:
        cursor.execute(_NEW_SERIES.format(**names))
        new_series = {tuple(row) for row in cursor.fetchall()}
        cursor.execute(_INSERT.format(**names), params)
        created = cursor.rowcount
        if connection.vendor == "postgresql":
            cursor.execute(_REVISE_POSTGRES.format(**names), params)
            revised_series = cursor.fetchall()
        else:
            select, *writes = _REVISE_GENERIC
            cursor.execute(select.format(**names))
            revised_series = cursor.fetchall()
            for statement in writes:
                cursor.execute(statement.format(**names), params)
        cursor.execute(f"DROP TABLE {STAGING}")
    revised = sum(count for _indicator, _area, count in revised_series)
    series = new_series | {(indicator, area) for indicator, area, _count in revised_series}
    return Outcome(created, revised, total - created - revised, sorted(series))
