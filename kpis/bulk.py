"""Set-based storing of figures: one typed cell or a million-row file, the same few statements.

The rows go into a staging table of the transaction's own (COPY on PostgreSQL, a batched
INSERT elsewhere); then one statement inserts the new figures, and one revises the changed
ones, keeping each old value as a MeasurementRevision. kpis.services is the only caller (typed
figures, imports and the jobindsats.dk connector): it holds the transaction, so a failure
anywhere stores nothing.

Figures fetched by the connector carry their provenance in two more staged columns (origin_id:
the binding, origin_period: the period code as jobindsats.dk wrote it) and one parameter
(fetched_at); typed and imported figures leave them empty, and their COPY does not write them.

Why SQL rather than the ORM: a row-by-row loop costs a few queries per figure, and a file of a
million figures would take the better part of an hour (the benchmark command prints both).
"""

import csv
import io
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
from django.db import IntegrityError, connection, transaction

from .models import Measurement, MeasurementRevision

STAGING = "kpis_staged_measurement"  # on PostgreSQL with the connection's backend id: _staging()
CLASSIFIED = "kpis_classified_measurement"
CSV_CHUNK = 100_000  # rows written as CSV at a time for COPY


@dataclass(frozen=True)
class Staged:
    """One figure to store, by ids; value is the Decimal already rounded to the stored quantum."""

    indicator_id: int
    area_id: int
    period_id: int
    value: object
    source: str = ""


# The staged columns: every figure's, and the provenance of a fetched one.
COLUMNS = ["indicator_id", "area_id", "period_id", "value", "source"]
PROVENANCE = ["origin_id", "origin_period"]


@dataclass
class Outcome:
    created: int
    revised: int
    unchanged: int
    series: list[tuple[int, int]]  # (indicator_id, area_id) whose figures were created or revised


# From this many staged figures on, PostgreSQL stages in an unlogged table (_staging).
PARALLEL_ROWS = 100_000


def _staging() -> str:
    """The staging table. On PostgreSQL, for a large file, an unlogged table rather than a
    temporary one: PostgreSQL reads a temporary table in its own backend only, while it
    classifies the figures staged in a regular table (a lookup each, a million for a national
    file) in parallel workers, in half the time on two cores. Below PARALLEL_ROWS, too few for
    parallel workers, a temporary one: creating an unlogged table (its files on disk) took a
    tenth of the time of storing one typed figure. Created inside the store's transaction,
    either is never committed: no other session sees it, and a failed store takes it with its
    rollback. It is named after the connection's backend, so concurrent stores never wait for
    each other's table name."""
    if connection.vendor != "postgresql":
        return STAGING
    connection.ensure_connection()
    return f"{STAGING}_{connection.connection.info.backend_pid}"


def _tables():
    quote = connection.ops.quote_name
    return {
        "staging": _staging(),
        "classified": CLASSIFIED,
        "measurement": quote(Measurement._meta.db_table),
        "revision": quote(MeasurementRevision._meta.db_table),
    }


def _copy(cursor, buffer, columns):
    # In CSV an empty field is NULL; an empty source (or source period) is the empty text.
    texts = ", ".join(c for c in columns if c in ("source", "origin_period"))
    staging = _staging()
    # Not analysed: PostgreSQL estimates a table without statistics from its size on disk,
    # which is enough for it to classify a large file in parallel workers; an ANALYZE cost a
    # tenth of a second for a national file and changed no plan.
    cursor.copy_expert(
        f"COPY {staging} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, "
        f"FORCE_NOT_NULL ({texts}))",
        buffer,
    )


def _create_staging(cursor, rows: int) -> None:
    staging = _staging()
    postgres = connection.vendor == "postgresql"
    if postgres and not connection.in_atomic_block:
        # An unlogged table outside a transaction would outlive a crash before its DROP.
        raise RuntimeError("Figures are staged inside the transaction that stores them.")
    cursor.execute(f"DROP TABLE IF EXISTS {staging}")
    cursor.execute(
        f"CREATE {'UNLOGGED' if postgres and rows >= PARALLEL_ROWS else 'TEMPORARY'} TABLE "
        f"{staging} (indicator_id integer NOT NULL, area_id integer "
        "NOT NULL, period_id integer NOT NULL, value numeric(18, 6) NOT NULL, "
        "source text NOT NULL, origin_id integer NULL, "
        "origin_period text NOT NULL DEFAULT '')"
    )


def _stage(cursor, rows, columns=COLUMNS) -> int:
    """Stage rows, tuples in the order of columns; columns left out keep their empty
    defaults (an import's rows have no provenance)."""
    if connection.vendor == "postgresql":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        count = 0
        for row in rows:
            writer.writerow(row)
            count += 1
        buffer.seek(0)
        _create_staging(cursor, count)
        _copy(cursor, buffer, columns)
        return count
    # Decimals bound as text, as Django stores them on SQLite, so equal values compare equal
    # (the value is the fourth column).
    values = [(r[0], r[1], r[2], str(r[3]), *r[4:]) for r in rows]
    _create_staging(cursor, len(values))
    marks = ", ".join(["%s"] * len(columns))
    cursor.executemany(f"INSERT INTO {_staging()} ({', '.join(columns)}) VALUES ({marks})", values)
    return len(values)


def stage_frame(frame) -> int:
    """Stage a pandas frame with columns indicator_id, area_id, period_id, value (text or
    Decimal), source, and for fetched figures origin_id and origin_period: the fast way in
    for a large file, without a Python object per row."""
    columns = COLUMNS + (PROVENANCE if "origin_id" in frame.columns else [])
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            return _stage(cursor, frame[columns].itertuples(index=False, name=None), columns)
        _create_staging(cursor, len(frame))
        _copy(cursor, _csv(frame[columns]), columns)
        return len(frame)


def _texts(values) -> np.ndarray:
    """Decimals as their exact text, each distinct value once: Arrow's own conversion to its
    decimal type inspects every value's precision, which took longer than the COPY."""
    codes, distinct = pd.factorize(values)
    texts = np.empty(len(distinct), dtype=object)
    texts[:] = [str(value) for value in distinct]
    return texts[codes]


def _csv(frame) -> "_Chunks":
    """The frame as CSV for COPY, written by Arrow's writer (C++): pandas' to_csv formats a
    million rows in Python, which took longer than the COPY itself. An empty cell is NULL,
    a quoted empty one the empty text, as COPY reads them."""
    if frame["value"].dtype == object and len(frame) and not isinstance(frame["value"].iat[0], str):
        frame = frame.assign(value=_texts(frame["value"]))
    table = pa.Table.from_pandas(frame, preserve_index=False)
    return _Chunks(_csv_chunk(batch) for batch in table.to_batches(max_chunksize=CSV_CHUNK))


def _csv_chunk(batch) -> bytes:
    sink = pa.BufferOutputStream()
    pa_csv.write_csv(batch, sink, pa_csv.WriteOptions(include_header=False))
    return sink.getvalue().to_pybytes()


class _Chunks:
    """What COPY reads from: the chunks one after another, each written as COPY asks for it
    (psycopg2 sends whatever read() returns), so a million rows' CSV is never held at once."""

    def __init__(self, chunks):
        self._chunks = iter(chunks)

    def read(self, _size=-1) -> bytes:
        return next(self._chunks, b"")


def stage(rows) -> int:
    """Stage Staged rows (typed figures: no provenance)."""
    with connection.cursor() as cursor:
        return _stage(
            cursor, ((r.indicator_id, r.area_id, r.period_id, r.value, r.source) for r in rows)
        )


# The staged figures that would change anything, each with the stored figure it would
# replace, if any: one join, after which every step reads this table alone. An unchanged figure
# is never written (nor copied here), unless it is a fetched one whose provenance is new
# (_ADOPT); the unchanged are counted as what is left of the staged.
_CLASSIFY = """
    CREATE TEMPORARY TABLE {classified} AS
    SELECT s.indicator_id, s.area_id, s.period_id, s.value,
           SUBSTR(%(note_before)s || s.source || %(note_after)s, 1, 300) AS source,
           s.origin_id, s.origin_period,
           m.id AS measurement_id, (m.id IS NOT NULL AND m.value <> s.value) AS differs,
           m.value AS stored_value, m.source AS stored_source
    FROM {staging} s LEFT JOIN {measurement} m ON m.indicator_id = s.indicator_id
        AND m.area_id = s.area_id AND m.period_id = s.period_id
    WHERE m.id IS NULL OR m.value <> s.value
        OR (s.origin_id IS NOT NULL AND (m.origin_id IS NULL OR m.origin_id <> s.origin_id
                                         OR m.origin_period <> s.origin_period))
"""
# Per series, how many figures are new and how many stored ones differ: the counts tell a
# concurrent writer's figures apart (fewer created than new, fewer revised than differed).
_COUNTED = """
    SELECT indicator_id, area_id, count(*) FILTER (WHERE measurement_id IS NULL),
           count(*) FILTER (WHERE differs)
    FROM {classified} GROUP BY indicator_id, area_id
"""
_INSERT = """
    INSERT INTO {measurement}
        (indicator_id, area_id, period_id, value, source, entered_by_id, created_at, updated_at,
         origin_id, origin_period, fetched_at)
    SELECT indicator_id, area_id, period_id, value, source, %(user)s, %(now)s, %(now)s,
           origin_id, origin_period, %(fetched)s
    FROM {classified} WHERE measurement_id IS NULL
"""
# If another writer created one of the new figures after the classification, the plain insert
# fails on the unique index (a savepoint undoes just that statement); then this one skips the
# figures that exist by now, and _CAUGHT_UP makes them candidates for revision. The plain
# insert goes first because ON CONFLICT costs a fifth more on every row.
_INSERT_SKIPPING_CONFLICTS = _INSERT + " ON CONFLICT (indicator_id, area_id, period_id) DO NOTHING"
_CAUGHT_UP = """
    UPDATE {classified} SET measurement_id = (
        SELECT m.id FROM {measurement} m WHERE m.indicator_id = {classified}.indicator_id
        AND m.area_id = {classified}.area_id AND m.period_id = {classified}.period_id),
        differs = TRUE
    WHERE measurement_id IS NULL
"""
# The stored figures to revise: candidates (an old value that differed, or one not known,
# caught up above: a column of its own, so the planner's statistics know how few they usually
# are) whose value still differs from the staged one.
_CHANGED = "c.differs AND c.measurement_id IS NOT NULL AND m.value <> c.value"
# How a revised figure m takes on its new version c (a row with the classified table's
# value, source, origin_id and origin_period), and the revision that keeps the old one: the
# same in each revising statement below.
_REVISED = """
    SET value = c.value, source = COALESCE(NULLIF(c.source, ''), m.source),
        entered_by_id = %(user)s, updated_at = %(now)s, origin_id = c.origin_id,
        origin_period = c.origin_period, fetched_at = %(fetched)s
"""
_KEEP_REVISION = """
    INSERT INTO {revision}
        (measurement_id, old_value, new_value, old_source, changed_by_id, changed_at)
"""

# Changed figures on PostgreSQL, where no one else has written them since the classification
# (the usual case): each is written where it still holds the value and source classified, and
# the old ones are kept as revisions, without locking the rows first. A figure another writer
# changed meanwhile fails that condition (PostgreSQL checks it again on the row's latest
# version once the other writer commits) and is left to _REVISE_POSTGRES.
_REVISE_UNCHANGED_SINCE = (
    """
    WITH updated AS (
        UPDATE {measurement} m"""
    + _REVISED
    + """
        FROM {classified} c
        WHERE m.id = c.measurement_id AND c.differs
            AND m.value = c.stored_value AND m.source = c.stored_source
        RETURNING m.id, m.indicator_id, m.area_id, c.stored_value, c.value, c.stored_source
    ), kept AS ("""
    + _KEEP_REVISION
    + """
        SELECT id, stored_value, value, stored_source, %(user)s, %(now)s FROM updated
    )
    SELECT indicator_id, area_id, count(*) FROM updated GROUP BY 1, 2
"""
)

# The rest of the changed figures on PostgreSQL, in one statement: lock the candidates and
# compare their latest committed values (FOR UPDATE reads those), keep the old values as
# revisions, write the new ones. A concurrent writer's figure is never overwritten without its
# revision.
_REVISE_POSTGRES = (
    """
    WITH changed AS (
        SELECT m.id, m.indicator_id, m.area_id, m.value AS old_value, m.source AS old_source,
               c.value, c.source, c.origin_id, c.origin_period
        FROM {measurement} m JOIN {classified} c ON m.id = c.measurement_id
        WHERE """
    + _CHANGED
    + """
        FOR UPDATE OF m
    ), updated AS (
        UPDATE {measurement} m"""
    + _REVISED
    + """
        FROM changed c WHERE m.id = c.id
    ), kept AS ("""
    + _KEEP_REVISION
    + """
        SELECT c.id, c.old_value, c.value, c.old_source, %(user)s, %(now)s FROM changed c
        RETURNING measurement_id
    )
    SELECT c.indicator_id, c.area_id, count(*) FROM changed c GROUP BY 1, 2
"""
)

# The same elsewhere (SQLite: one writer at a time, so three statements are safe).
_REVISE_GENERIC = (
    """
    SELECT m.indicator_id, m.area_id, count(*)
    FROM {measurement} m JOIN {classified} c ON m.id = c.measurement_id
    WHERE """
    + _CHANGED
    + """ GROUP BY 1, 2
    """,
    _KEEP_REVISION
    + """
    SELECT m.id, m.value, c.value, m.source, %(user)s, %(now)s
    FROM {measurement} m JOIN {classified} c ON m.id = c.measurement_id
    WHERE """
    + _CHANGED
    + """
    """,
    """
    UPDATE {measurement} AS m"""
    + _REVISED
    + """
    FROM {classified} c
    WHERE m.id = c.measurement_id AND """
    + _CHANGED
    + """
    """,
)


# A fetched figure whose value is the one already stored (typed or imported before the table
# was bound) takes on its provenance: no new value, so no revision and no status refresh.
_ADOPT = """
    UPDATE {measurement} AS m
    SET origin_id = c.origin_id, origin_period = c.origin_period, fetched_at = %(fetched)s
    FROM {classified} c
    WHERE m.id = c.measurement_id AND NOT c.differs AND c.origin_id IS NOT NULL
        AND (m.origin_id IS NULL OR m.origin_id <> c.origin_id
             OR m.origin_period <> c.origin_period)
"""


# On PostgreSQL, for the few statements of a store: each staged figure looked up by the
# measurement table's unique index (a nested loop), never by a hash or a merge of every stored
# figure. The planner prefers hashing the stored figures for a large file, but that reads and
# hashes all of them (3,4 million in the national data set: 2,1 s against the lookups' 1,4 s
# for a file of a million), and a small file paid that fixed cost too; the lookups cost the
# same per staged figure whatever the size of the table. No JIT compilation either: it costs
# more than it saves for statements this simple. Only this transaction's statements get them.
_SETTINGS = {"enable_hashjoin": "off", "enable_mergejoin": "off", "jit": "off"}


@contextmanager
def _planner_settings(cursor):
    if connection.vendor != "postgresql":
        yield
        return
    # Each way in one round trip (a typed figure's store takes a few milliseconds in all): the
    # settings as they were, read before (OFFSET 0 keeps the subquery apart) each is set.
    change = (
        "SELECT name, was, set_config(name, value, true) FROM (SELECT name, value, "
        "current_setting(name) AS was FROM unnest(%s::text[], %s::text[]) AS s(name, value) "
        "OFFSET 0) AS settings"
    )
    cursor.execute(change, [list(_SETTINGS), list(_SETTINGS.values())])
    before = cursor.fetchall()
    yield
    # Back to what the transaction had, for what follows in it.
    cursor.execute(change, [[name for name, *_ in before], [was for _, was, _ in before]])


def preview_staged() -> list[tuple]:
    """What storing the staged figures would do, storing nothing: (indicator_id, area_id,
    period_id, staged value, stored value or None) per staged figure. Drops the staging
    table."""
    names = _tables()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.indicator_id, s.area_id, s.period_id, s.value, m.value "
            "FROM {staging} s LEFT JOIN {measurement} m ON m.indicator_id = s.indicator_id "
            "AND m.area_id = s.area_id AND m.period_id = s.period_id".format(**names)
        )
        rows = cursor.fetchall()
        cursor.execute("DROP TABLE {staging}".format(**names))
    return rows


def store_staged(
    *,
    total: int,
    user_id: int | None,
    now: datetime,
    note: tuple[str, str] = ("", ""),
    fetched_at: datetime | None = None,
) -> Outcome:
    """Store what stage()/stage_frame() put in the staging table. Call inside a transaction.

    note: text put before and after each staged source, so a file's rows can be staged with
    just their line numbers ("Indlæsning: fil.csv, linje " + "17"): a million notes are not
    written out in Python and copied over. fetched_at: when the connector fetched the staged
    figures (None for typed and imported ones)."""
    names = _tables()
    params = {"user": user_id, "now": now, "fetched": fetched_at}
    with connection.cursor() as cursor, _planner_settings(cursor):
        cursor.execute(f"DROP TABLE IF EXISTS {CLASSIFIED}")
        # Not analysed either: every statement below reads it whole, and
        # _SETTINGS leaves the planner one way to join it to the stored figures.
        cursor.execute(_CLASSIFY.format(**names), {"note_before": note[0], "note_after": note[1]})
        cursor.execute(_COUNTED.format(**names))
        counted = cursor.fetchall()
        new_series = {(indicator, area) for indicator, area, new, _differ in counted if new}
        new = sum(new for _indicator, _area, new, _differ in counted)
        differ = sum(differ for _indicator, _area, _new, differ in counted)
        try:
            with transaction.atomic():
                cursor.execute(_INSERT.format(**names), params)
        except IntegrityError:
            cursor.execute(_INSERT_SKIPPING_CONFLICTS.format(**names), params)
        created = cursor.rowcount
        if created < new:
            cursor.execute(_CAUGHT_UP.format(**names))
        if connection.vendor == "postgresql":
            cursor.execute(_REVISE_UNCHANGED_SINCE.format(**names), params)
            revised_series = cursor.fetchall()
            # Candidates left: figures another writer changed, or created, meanwhile.
            if sum(count for *_series, count in revised_series) < differ + (new - created):
                cursor.execute(_REVISE_POSTGRES.format(**names), params)
                revised_series += cursor.fetchall()
        else:
            select, *writes = _REVISE_GENERIC
            cursor.execute(select.format(**names))
            revised_series = cursor.fetchall()
            for statement in writes:
                cursor.execute(statement.format(**names), params)
        if fetched_at is not None:
            cursor.execute(_ADOPT.format(**names), params)
        cursor.execute("DROP TABLE {staging}".format(**names))
        cursor.execute(f"DROP TABLE {CLASSIFIED}")
    revised = sum(count for _indicator, _area, count in revised_series)
    series = new_series | {(indicator, area) for indicator, area, _count in revised_series}
    return Outcome(created, revised, total - created - revised, sorted(series))
