"""The benchmark: how fast the portal does its heavy work at national scale, each figure beside
the naive way of doing the same work and the ratio between them.

Runs on the synthetic national data set (plans.national) and leaves it as it found it: the
import and the single-figure changes are timed inside a transaction that is rolled back.
`manage.py benchmark` prints the table; the README says how to run it on PostgreSQL.
"""

import io
import json
import logging
import random
import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from kpis import periods
from kpis.danish import format_number, parse_number
from kpis.models import Area, Indicator, Measurement, MeasurementRevision, Period
from kpis.services import figures_import, measurement_record, period_get_or_create
from plans import services
from plans.models import FocusArea, Target
from plans.presenters.cards import CARD_CACHE
from plans.selectors.indicators import with_municipalities_measured
from plans.selectors.targets import evaluate_targets, targets_touched_by, targets_with_definitions
from plans.tasks import recompute_statuses_for_series
from plans.tools.national import PREFIX

BENCHMARK_USER = "benchmark"


class Rollback(Exception):
    """Raised to undo a timed change, so the benchmark can run again on the same data."""


@dataclass
class Line:
    what: str
    goal: str
    fast: str
    naive: str = ""
    ratio: float | None = None
    verdict: str = ""
    notes: list[str] = field(default_factory=list)
    rate: float | None = None  # rows per second, where the line times rows


def timed(function: Callable) -> tuple[float, object]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def median_ms(function: Callable, repeat: int) -> float:
    function()  # warm caches and connections, as a server that has run a while has them
    return statistics.median(timed(function)[0] for _ in range(repeat)) * 1000


def rolled_back(function: Callable):
    """Run function in a transaction that is undone afterwards; returns its result."""
    box = {}
    try:
        with transaction.atomic():
            box["result"] = function()
            raise Rollback
    except Rollback:
        pass
    return box["result"]


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine_speed() -> str:
    """How fast this machine runs Python, so that runs on different machines can be read side
    by side: the same code took twice as long on one as on another."""
    loop = min(timed(_additions)[0] for _ in range(3))
    return (
        f"reference: {_n(REFERENCE_ADDITIONS)} additions in a Python loop in {loop * 1000:.0f} ms"
    )


REFERENCE_ADDITIONS = 5_000_000


def _additions() -> int:
    total = 0
    for number in range(REFERENCE_ADDITIONS):
        total += number
    return total


def _n(number) -> str:
    """A whole number the Danish way: 1.000.000."""
    return f"{number:,.0f}".replace(",", ".")


def _rate(rows: int, seconds: float) -> str:
    return f"{_n(rows / seconds)} rows/s"


# -- 1. import ------------------------------------------------------------------------------


def import_file(rows: int) -> tuple[bytes, dict]:
    """A file in the portal's template layout: a new year of monthly figures for every
    series (new rows), then existing figures again, one in twenty revised (as jobindsats.dk
    revises back in time), up to `rows`."""
    indicators = {i.pk: i for i in Indicator.objects.filter(key__startswith=PREFIX)}
    areas = dict(Area.objects.values_list("pk", "name"))
    lines = ["indikator;område;periode;værdi"]
    new_months = [periods.month(2026, m).code for m in range(1, 13)]
    for indicator in indicators.values():
        for area_name in areas.values():
            for code in new_months:
                value = format_number(Decimal(len(lines) % 90))  # fits shares and counts
                lines.append(f"{indicator.key};{area_name};{code};{value}")
                if len(lines) > rows:
                    break
    codes = {p.pk: p.code for p in Period.objects.all()}
    existing = Measurement.objects.filter(
        indicator__in=indicators, period__end__lt=date(2026, 1, 1)
    ).values_list("indicator_id", "area_id", "period_id", "value")
    revised = 0
    for n, (indicator_id, area_id, period_id, value) in enumerate(
        existing.order_by("indicator_id", "area_id", "period_id")[: max(0, rows + 1 - len(lines))]
    ):
        indicator = indicators[indicator_id]
        if n % 20 == 0:
            value += 1 if value < 99 else -1  # within a share's 0-100
            revised += 1
        text = format_number(value, indicator.decimals)
        lines.append(f"{indicator.key};{areas[area_id]};{codes[period_id]};{text}")
    content = ("\n".join(lines[: rows + 1]) + "\n").encode("utf-8")
    return content, {"rows": len(lines[: rows + 1]) - 1, "revised": revised}


def naive_import(content: bytes, sample: int) -> float:
    """Seconds per row for a row-by-row ORM loop: look each name up, parse each cell, fetch or
    create each figure, keep a revision, save."""
    text = content.decode("utf-8").splitlines()[1 : sample + 1]

    def loop():
        for line in text:
            key, area_name, period_text, value_text = line.split(";")
            indicator = Indicator.objects.get(key=key)
            area = Area.objects.get(name=area_name)
            period = period_get_or_create(period_text)
            value = parse_number(value_text).quantize(Decimal("0.000001"))
            figure, created = Measurement.objects.get_or_create(
                indicator=indicator, area=area, period=period, defaults={"value": value}
            )
            if not created and figure.value != value:
                MeasurementRevision.objects.create(
                    measurement=figure, old_value=figure.value, new_value=value
                )
                figure.value = value
                figure.save()

    seconds, _ = timed(lambda: rolled_back(loop))
    return seconds / len(text)


def _timed_import(content: bytes) -> tuple[float, float, dict]:
    """One import of the file, rolled back: (seconds for figures_import, seconds more for the
    foreign-key checks PostgreSQL would run at commit, counts). The checks are deferred to the
    commit, which a rolled-back transaction never reaches, so SET CONSTRAINTS ALL IMMEDIATE
    runs them inside the timed transaction. Each turn starts from a vacuumed table, as an
    import finds it after the last one committed: the turn before was rolled back, and its
    dead rows would cost this one a visit to each (its new figures' keys are theirs)."""
    vacuum()

    def work():
        seconds, counts = timed(lambda: figures_import(content=content, filename="benchmark.csv"))
        checks = 0.0
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                checks, _ = timed(lambda: cursor.execute("SET CONSTRAINTS ALL IMMEDIATE"))
        return seconds, checks, counts

    return rolled_back(work)


def _id_rows(content: bytes) -> bytes:
    """The file's rows as the measurement table keys them (indicator, area, period ids and the
    value), as CSV: what a raw COPY would load."""
    from kpis.importers import parse

    frame = parse(content, "benchmark.csv").frame
    # A period the data set does not have yet gets a stand-in id (the scratch table has no
    # foreign keys): creating it here would leave it behind, committed, after the benchmark.
    known = {(p.kind, p.start, p.end): p.pk for p in Period.objects.all()}
    ids = {spec: known.get((spec.kind, spec.start, spec.end), -n)
           for n, spec in enumerate(frame["period"].unique(), start=1)}  # fmt: skip
    frame = frame.assign(period_id=frame["period"].map(ids))
    columns = ["indicator_id", "area_id", "period_id", "value"]
    return frame[columns].to_csv(header=False, index=False).encode()


def _timed_copy(id_rows: bytes) -> float:
    """The limit: a raw COPY of the same rows into a scratch table with the measurement
    table's unique index (logged, like the measurement table), rolled back."""

    def work():
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TABLE benchmark_copy_limit (indicator_id bigint NOT NULL, area_id bigint "
                "NOT NULL, period_id bigint NOT NULL, value numeric(18, 6) NOT NULL, "
                "UNIQUE (indicator_id, area_id, period_id))"
            )
            seconds, _ = timed(lambda: cursor.copy_expert(
                "COPY benchmark_copy_limit FROM STDIN WITH (FORMAT csv)", io.BytesIO(id_rows)
            ))  # fmt: skip
        return seconds

    return rolled_back(work)


def _share(content: bytes, every: int) -> bytes:
    """One row in n of the file, drawn at random (the same draw every run): a smaller file
    with the same mix of new, revised and unchanged figures. Every n-th row would not do: the
    file revises every 20th existing figure, so every 4th row took all of the revisions."""
    header, *rows = content.decode("utf-8").splitlines()
    chosen = sorted(random.Random(every).sample(range(len(rows)), len(rows) // every))
    return ("\n".join([header, *(rows[i] for i in chosen)]) + "\n").encode("utf-8")


def _spread(values) -> str:
    return f"{min(values):.2f}–{max(values):.2f} s" if len(values) > 1 else ""


def bench_import(rows: int, naive_sample: int, repeat: int = 3) -> tuple[list[Line], dict]:
    """The import beside its limit, a raw COPY of the same rows, timed in turns in the same
    run (repeat times each, medians compared); and the import's own memory."""
    content, made = import_file(rows)
    rows = made["rows"]
    limit_lines = []
    if connection.vendor == "postgresql":
        id_rows = _id_rows(content)
    imports, checks, copies = [], [], []
    for _ in range(repeat):
        seconds, check_seconds, counts = _timed_import(content)
        imports.append(seconds)
        checks.append(check_seconds)
        if connection.vendor == "postgresql":
            copies.append(_timed_copy(id_rows))
    seconds, check_seconds = statistics.median(imports), statistics.median(checks)
    per_row_naive = naive_import(content, naive_sample)
    fast_rate, naive_rate = rows / seconds, 1 / per_row_naive
    ratio = fast_rate / naive_rate
    notes = [
        f"{_n(counts['created'])} new, {_n(counts['revised'])} revised, "
        f"{_n(counts['unchanged'])} unchanged; {len(content) / 1e6:.0f} MB; read, check, "
        "stage (COPY), insert and revise, in one transaction, rolled back after timing; "
        f"median of {repeat} ({_spread(imports)})",
    ]
    if connection.vendor == "postgresql":
        notes.append(
            f"the foreign-key checks PostgreSQL runs at commit (area, indicator, period of each "
            f"new figure, the figure of each revision): {check_seconds:.1f} s more "
            f"({_spread(checks)}); with them {_rate(rows, seconds + check_seconds)}"
        )
    lines = [
        Line(
            f"import {_n(rows)} rows from CSV",
            "≥ 100.000 rows/s, ≥ 30× naive",
            f"{seconds:.1f} s, {_rate(rows, seconds)}",
            f"{_rate(1, per_row_naive)} ({naive_sample} rows; {rows * per_row_naive / 60:.0f} min "
            "for the file)",
            ratio,
            "met" if fast_rate >= 100_000 and ratio >= 30 else "MISSED",
            rate=fast_rate,
            notes=notes,
        )
    ]
    if copies:
        copy = statistics.median(copies)
        share = copy / seconds
        lines.append(
            Line(
                f"import {_n(rows)} rows beside the limit, a raw COPY of the same rows",
                "≥ 50 % of the raw COPY's rate",
                f"{seconds:.1f} s, {_rate(rows, seconds)}: {share:.0%} of the limit "
                f"({copy / (seconds + check_seconds):.0%} with the commit's foreign-key checks)",
                f"{copy:.2f} s, {_rate(rows, copy)} (raw COPY of the rows as ids into a scratch "
                f"table with the unique index; median of {repeat}, {_spread(copies)})",
                None,
                "met" if share >= 0.5 else "MISSED",
                notes=["the COPY and the import timed in turns, so both see the same load"],
            )
        )
        limit_lines = lines[1:]
    return lines[:1] + limit_lines, {"content": content, "seconds": seconds}


def import_memory(content: bytes) -> tuple[float, float]:
    """The import's own memory: a child process that reads the file and imports it (rolled
    back), nothing else. Returns its peak resident memory and its resident memory before the
    import began (Python, Django, pandas and the file), both in MB."""
    import os
    import subprocess
    import sys
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".csv", delete=False) as file:
        file.write(content)
    try:
        manage = os.path.join(settings.BASE_DIR, "manage.py")
        done = subprocess.run(
            [sys.executable, manage, "benchmark", "--import-memory", file.name,
             "--database-name", connection.settings_dict["NAME"]],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    finally:
        os.unlink(file.name)
    before, peak = json.loads(done.stdout.strip().splitlines()[-1])
    return peak, before


def _own_peak_mb() -> float:
    """This process's own peak resident memory. Linux keeps ru_maxrss across exec, so a child
    would report its parent's peak; VmHWM is the high-water mark of this program alone."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return peak_memory_mb()


def import_memory_child(path: str) -> tuple[float, float]:
    """In the child: (MB resident before the import, peak MB) for one rolled-back import."""
    with open(path, "rb") as file:
        content = file.read()
    before = _own_peak_mb()
    rolled_back(lambda: figures_import(content=content, filename="benchmark.csv"))
    return before, _own_peak_mb()


def bench_memory(content: bytes) -> Line:
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        # Another process cannot see an in-memory database or uncommitted data (a test's).
        return Line("memory of the import alone", "peak < 500 MB",
                    "not measured here (another process cannot see this database's data)", "",
                    None, "not measured")  # fmt: skip
    peak, before = import_memory(content)
    return Line(
        "memory of the import alone",
        "peak < 500 MB",
        f"{peak:.0f} MB peak resident memory of a process that only imports the file",
        f"{before:.0f} MB of it before the import began (Python, Django, pandas, the file)",
        None,
        "met" if peak < 500 else "MISSED",
        notes=[
            "VmHWM of a child process (its own peak resident memory): every byte it held "
            "at its peak, not an estimate"
        ],  # fmt: skip
    )


def bench_growth(content: bytes, full_import: float, full_recompute: float) -> list[tuple]:
    """Import and recompute at ¼, ½ and the whole: one row in 4, one in 2 and every row of
    the file; the targets of a quarter, half and all of the municipalities. Rows: (share,
    rows, import seconds, targets, recompute seconds)."""
    municipalities = list(
        Target.objects.order_by("plan__municipality_id")
        .values_list("plan__municipality_id", flat=True)
        .distinct()
    )
    out = []
    for every, share in ((4, "¼"), (2, "½"), (1, "1")):
        part = _share(content, every)
        rows = part.count(b"\n") - 1
        if every == 1:
            seconds, recompute = full_import, full_recompute
            targets = Target.objects.count()
        else:
            seconds = statistics.median(_timed_import(part)[0] for _ in range(2))
            chosen = municipalities[: len(municipalities) // every]
            batch = targets_with_definitions().filter(plan__municipality_id__in=chosen)
            targets = batch.count()
            recompute = statistics.median(
                rolled_back(lambda b=batch: timed(lambda: services.statuses_refresh(b)))[0]
                for _ in range(2)
            )
        out.append((share, rows, seconds, targets, recompute))
    return out


def growth_table(rows: list[tuple]) -> str:
    out = ["\nhow the cost grows (the stored data set stays the whole; the work is a share of it)"]
    out.append(f"  {'share':<6}{'rows':>11}{'import':>9}{'rows/s':>11}{'targets':>9}"
               f"{'recompute':>11}{'targets/s':>11}")  # fmt: skip
    for share, rows_, seconds, targets, recompute in rows:
        out.append(
            f"  {share:<6}{_n(rows_):>11}{seconds:>8.2f}s{_n(rows_ / seconds):>11}"
            f"{_n(targets):>9}{recompute:>10.2f}s{_n(targets / recompute):>11}"
        )
    return "\n".join(out) + "\n"


# -- 1b. the jobindsats.dk connector ------------------------------------------------------

SYNC_MEASURES = 10  # indicators bound to the stub table: a table with several measures


def _danish(value: Decimal) -> str:
    """A value as jobindsats.dk may write it: "1.075", "58,8" (every stored digit kept)."""
    return format_number(value, max(0, -value.normalize().as_tuple().exponent))


# The figures jobindsats.dk revises (of every twenty figures, those at these places) in the
# answers the stub serves: first as the table is bound, then at the next daily sync, which
# finds the first round's revisions again and one more figure in twenty revised.
SYNC_ROUNDS = ((0,), (0, 10))


def _sync_stub(indicators, measures):
    """The metadata and, per round of SYNC_ROUNDS, one data answer per area hierarchy of a
    national table: every synthetic municipality, the RAR areas and hele landet, the months of
    the data set, every bound measure; one figure in twenty revised in each round, as
    jobindsats.dk revises back in time. Returns the metadata, the bodies of each round and how
    many figures each round serves revised since the round before."""
    areas = {a.pk: a for a in Area.objects.all()}
    hierarchy_of = {Area.Kind.MUNICIPALITY: "_nykom", Area.Kind.RAR: "_reko",
                    Area.Kind.COUNTRY: "_hele_landet"}  # fmt: skip
    cells = [{} for _round in SYNC_ROUNDS]
    revised = [0 for _round in SYNC_ROUNDS]
    figures = Measurement.objects.filter(
        indicator__in=indicators, period__kind=periods.MONTH
    ).values_list("indicator_id", "area_id", "period__start", "value")
    for n, (indicator_id, area_id, start, value) in enumerate(figures.order_by("pk").iterator()):
        code = periods.month(start.year, start.month).code
        for number, places in enumerate(SYNC_ROUNDS):
            served = value
            if n % 20 in places:
                served += 1 if value < 99 else -1  # within a share's 0-100
                before = SYNC_ROUNDS[number - 1] if number else ()
                revised[number] += n % 20 not in before
            cells[number].setdefault((area_id, code), {})[measures[indicator_id]] = _danish(served)
    columns = ["Periode", "Område", *measures.values()]
    bodies = []
    for round_cells in cells:
        answers = {h: [] for h in hierarchy_of.values()}
        for (area_id, code), values in sorted(round_cells.items()):
            area = areas[area_id]
            row = [code, area.name, *(values.get(m, "..") for m in measures.values())]
            answers[hierarchy_of[area.kind]].append(row)
        bodies.append({h: json.dumps({"columns": columns, "rows": rows}).encode()
                       for h, rows in answers.items()})  # fmt: skip
    hierarchies = [
        {"hierarchy_id": h, "levels": [{"level_id": "1", "values": [
            {"value_id": a.code or str(a.pk), "value_name": a.name}
            for a in areas.values() if hierarchy_of.get(a.kind) == h]}]}
        for h in hierarchy_of.values()
    ]  # fmt: skip
    area = {"dimension_id": "omraade", "dimension_name": "Område", "hierarchies": hierarchies}
    meta = {"table_name": "Benchmark", "dimensions": [area]}
    return meta, bodies, revised


def bench_sync(import_rate: float | None) -> Line:
    """A national table's daily sync from a local stand-in for jobindsats.dk (pytest-httpserver
    on 127.0.0.1): fetch, check and store, rolled back after timing. The table is bound and
    synced first (timed too, and told in a note): that sync records the provenance of every
    figure imported before the table was bound, once."""
    from pytest_httpserver import HTTPServer
    from werkzeug import Response

    from kpis.jobindsats import sync
    from kpis.models import IndicatorSource, SourceTable

    indicators = list(
        Indicator.objects.filter(key__startswith=PREFIX).order_by("pk")[:SYNC_MEASURES]
    )
    measures = {i.pk: f"Mål {n:02d}" for n, i in enumerate(indicators, start=1)}
    meta, rounds, revised = _sync_stub(indicators, measures)
    serving = {"round": 0}

    def data(request):
        hierarchy = next(k[len("hierarchy.") :] for k in request.args if k.startswith("hierarchy."))
        body = rounds[serving["round"]][hierarchy]
        return Response(body, content_type="application/json")

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the stub's request log
    server = HTTPServer(host="127.0.0.1", port=0)
    server.expect_request("/v3/table/benchmark").respond_with_json(meta)
    server.expect_request("/v3/data/benchmark").respond_with_handler(data)
    server.start()
    try:
        with override_settings(JOBINDSATS_URL=server.url_for("/v3"),
                               JOBINDSATS_TOKEN="benchmark"):  # fmt: skip

            def work():
                table = SourceTable.objects.create(table_id="benchmark")
                IndicatorSource.objects.bulk_create(
                    IndicatorSource(indicator=i, table=table, measure=measures[i.pk],
                                    period_kind=periods.MONTH) for i in indicators
                )  # fmt: skip
                bound = timed(lambda: sync.table_sync(table=table))
                serving["round"] = 1  # the next day: jobindsats.dk revised more figures
                return bound, timed(lambda: sync.table_sync(table=table))

            (first, first_report), (seconds, report) = rolled_back(work)
    finally:
        server.stop()
    rows = report.figures
    rate = rows / seconds
    naive = f"{_rate(import_rate, 1)} (the CSV import above)" if import_rate else ""
    return Line(
        f"daily sync of one national table from jobindsats.dk ({_n(rows)} figures)",
        "≥ 100.000 rows/s (network aside)",
        f"{seconds:.2f} s, {_rate(rows, seconds)}",
        naive,
        rate / import_rate if import_rate else None,
        "met" if rate >= 100_000 else "MISSED",
        notes=[
            f"{len(indicators)} measures × {len(rounds[1])} area hierarchies (one request each) "
            f"from a local stub on 127.0.0.1; {_n(report.counts.get('created', 0))} new, "
            f"{_n(report.counts.get('revised', 0))} revised ({_n(revised[1])} served revised "
            f"since the sync before), {_n(report.counts.get('unchanged', 0))} unchanged; "
            "rolled back after timing",
            f"the first sync, as the table is bound to figures imported before (once per "
            f"table): {first:.2f} s, {_rate(first_report.figures, first)}; "
            f"{_n(first_report.counts.get('revised', 0))} revised, and the provenance of the "
            f"{_n(first_report.counts.get('unchanged', 0))} it finds unchanged recorded (an "
            "update of each)",
        ],
        rate=rate,
    )


# -- 2. statuses ----------------------------------------------------------------------------


def bench_all_statuses(naive_sample: int, repeat: int = 3) -> tuple[Line, float]:
    total = Target.objects.count()
    times = []
    for _ in range(repeat):
        one, count = rolled_back(lambda: timed(services.all_statuses_refresh))
        times.append(one)
    seconds = statistics.median(times)
    sample = list(targets_with_definitions().order_by("?")[:naive_sample])
    naive_seconds, _ = rolled_back(
        lambda: timed(lambda: [services.statuses_refresh([t]) for t in sample])
    )
    naive_total = naive_seconds / len(sample) * total
    return Line(
        f"recompute every status ({_n(count)} targets)",
        "< 1 s",
        f"{seconds:.2f} s (median of {repeat}, {_spread(times)})",
        f"{naive_total:.0f} s (one target at a time, {naive_sample} timed)",
        naive_total / seconds,
        "met" if seconds < 1 else "MISSED",
    ), seconds


def _a_figure(kind: str):
    """The latest figure of a municipality's target series, or for `kind` "country" of hele
    landet's series that a relative target compares with."""
    targets = Target.objects.filter(indicator__isnull=False, plan__key__startswith=PREFIX)
    if kind == "country":
        targets = targets.filter(comparison_area__kind=Area.Kind.COUNTRY)
    target = targets.select_related("indicator", "plan__municipality").order_by("pk").first()
    area = target.plan.municipality
    if kind == "country":
        area = Area.objects.get(kind=Area.Kind.COUNTRY)
    figure = (
        Measurement.objects.filter(indicator=target.indicator, area=area)
        .select_related("period")
        .latest("period__end")
    )
    return target.indicator, area, figure


def bench_one_change(kind: str, repeat: int, all_seconds: float) -> Line:
    indicator, area, figure = _a_figure(kind)
    touched = targets_touched_by([(indicator.pk, area.pk)]).count()

    def change():
        def work():
            measurement_record(
                indicator=indicator, area=area, period=figure.period, value=figure.value + 1
            )
            return recompute_statuses_for_series([(indicator.pk, area.pk)])

        return rolled_back(work)

    ms = median_ms(change, repeat)
    where = "a municipality's" if kind == "municipality" else "hele landet's"
    return Line(
        f"one changed figure ({where}): store it, recompute the {touched} statuses it touches",
        "< 15 ms",
        f"{ms:.1f} ms (median of {repeat})",
        f"{_n(all_seconds * 1000)} ms (recompute every status)",
        all_seconds * 1000 / ms,
        "met" if ms < 15 else "MISSED",
    )


# -- 3. pages and the API ----------------------------------------------------------------


class _Client(Client):
    """A logged-in superuser's browser, over HTTPS as in production, to an allowed host."""

    def __init__(self):
        host = next((h for h in settings.ALLOWED_HOSTS if "*" not in h), "localhost")
        super().__init__(HTTP_HOST=host.lstrip("."))
        user, _created = get_user_model().objects.get_or_create(
            username=BENCHMARK_USER, defaults={"is_superuser": True, "is_staff": True}
        )
        self.force_login(user)

    def get(self, path, *args, **kwargs):
        return super().get(path, *args, secure=True, **kwargs)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    return len(queries)


def _drawn_anew_ms(client, url, repeat: int) -> float:
    """A page's median with its cards drawn anew each time: the first request after every
    card on it changed (a new day's statuses), as no cache helps."""
    cards = caches[CARD_CACHE]
    times = []
    client.get(url)
    for _ in range(repeat):
        cards.clear()
        times.append(timed(lambda: client.get(url))[0])
    return statistics.median(times) * 1000


def bench_page(name: str, urls: list[str], naive: Callable, repeat: int, sizes: list[str],
               goal_ms: float):  # fmt: skip
    client = _Client()
    ms = median_ms(lambda: client.get(urls[0]), repeat)
    naive_ms = median_ms(lambda: (client.get(urls[0]), naive()), repeat)
    counts = [_queries(client, url) for url in urls]
    same = len(set(counts)) == 1
    anew = _drawn_anew_ms(client, urls[0], repeat)
    return Line(
        name,
        f"median < {goal_ms:.0f} ms, constant queries",
        f"{ms:.1f} ms (median of {repeat}); queries {' / '.join(map(str, counts))} for "
        f"{' / '.join(sizes)}",
        f"{naive_ms:.1f} ms (statuses computed per card on each request)",
        naive_ms / ms,
        "met" if ms < goal_ms and same else "MISSED",
        notes=[
            f"with its cards drawn anew on each request (their cache emptied first, as after "
            f"a change to every card on it): {anew:.1f} ms (median of {repeat})"
        ],
    )


def bench_theme_page(repeat: int) -> Line:
    plan_key = Target.objects.filter(plan__key__startswith=PREFIX).values_list(
        "plan__key", flat=True
    )[0]
    themes = list(FocusArea.objects.filter(plan__key=plan_key).order_by("order")[:2])
    urls = [reverse("plans:theme", args=[plan_key, t.key]) for t in themes]
    targets = list(targets_with_definitions().filter(focus_areas=themes[0]))
    sizes = [f"{t.targets.count()} cards" for t in themes]

    def naive():
        for target in targets:
            evaluate_targets([target], as_of=date.today())

    return bench_page("theme page", urls, naive, repeat, sizes, goal_ms=15)


def bench_target_page(repeat: int) -> Line:
    def a_target(period_kind):
        # A relative target where there is one: its chart has the most series.
        return (
            Target.objects.filter(
                plan__key__startswith=PREFIX, indicator__isnull=False, period_kind=period_kind
            )
            .order_by("-kind")
            .first()
        )

    monthly, quarterly = a_target(periods.MONTH), a_target(periods.QUARTER)
    urls = [reverse("plans:target", args=[t.key]) for t in (monthly, quarterly)]
    target = targets_with_definitions().get(pk=monthly.pk)

    def naive():
        evaluate_targets([target], as_of=date.today())

    return bench_page(
        "target page (chart with hele landet/RAR)", urls, naive, repeat,
        ["a monthly", "a quarterly series"], goal_ms=25,
    )  # fmt: skip


def bench_api(repeat: int) -> Line:
    client = _Client()
    # The last indicator loaded: the worst case for a list that scans figures in id order.
    indicator = Indicator.objects.filter(key__startswith=PREFIX).order_by("pk").last()
    url = f"/api/measurements/?indicator={indicator.key}&page_size=1000"
    response = client.get(url)
    listed = len(response.json()["results"])
    ms = median_ms(lambda: client.get(url), repeat)
    queries = _queries(client, url)

    def naive():
        # Model instances, related rows fetched one by one, serialised by hand.
        rows = Measurement.objects.filter(indicator=indicator).order_by(
            "indicator_id", "area_id", "period_id"
        )[:1000]
        return json.dumps([
            {"indicator": m.indicator.key, "area": m.area.slug, "period": m.period.code,
             "period_label": m.period.label, "value": str(m.value)}
            for m in rows
        ])  # fmt: skip

    naive_ms = median_ms(naive, repeat)
    return Line(
        f"API: list {_n(listed)} measurements",
        "median < 150 ms",
        f"{ms:.1f} ms (median of {repeat}); {queries} queries",
        f"{naive_ms:.1f} ms (related rows fetched per figure)",
        naive_ms / ms,
        "met" if ms < 150 else "MISSED",
    )


# -- 4. query plans -------------------------------------------------------------------------


def _indexes(plan) -> set[str]:
    found = set()
    if isinstance(plan, dict):
        if "Index Name" in plan:
            found.add(f"{plan['Node Type']} on {plan['Index Name']}")
        for value in plan.values():
            found |= _indexes(value)
    elif isinstance(plan, list):
        for value in plan:
            found |= _indexes(value)
    return found


def query_plans() -> list[tuple[str, set[str]]]:
    """The indexes PostgreSQL uses for the queries that matter at scale."""
    if connection.vendor != "postgresql":
        return []
    target = Target.objects.filter(indicator__isnull=False).select_related("plan").first()
    municipality = target.plan.municipality_id
    queries = {
        "a target's figures (evaluate_targets)": Measurement.objects.filter(
            indicator_id__in=[target.indicator_id], area_id__in=[municipality]
        ).values_list("indicator_id", "area_id", "period_id", "value"),
        "targets a changed series touches": targets_touched_by(
            [(target.indicator_id, municipality)]
        ),
        "a stored figure by indicator, area and period": Measurement.objects.filter(
            indicator_id=target.indicator_id, area_id=municipality, period_id=1
        ),
        "API: measurements of an indicator": Measurement.objects.filter(
            indicator_id=target.indicator_id
        ).order_by("indicator_id", "area_id", "period_id")[:1000],
        "the indicator list's municipalities measuring each": with_municipalities_measured(
            Indicator.objects.all(), Area.objects.all()
        ),
    }
    found = []
    for name, queryset in queries.items():
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        found.append((name, _indexes(plan if not isinstance(plan, str) else json.loads(plan))))
    return found


# -- the report -----------------------------------------------------------------------------


def vacuum():
    """Start from a tidy table: a timed import that was rolled back leaves dead rows behind,
    which would slow the next run's import down."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            for model in (Measurement, MeasurementRevision):
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")


def run(*, rows: int, repeat: int, naive_rows: int, naive_targets: int, log=print):
    """Every line of the report, and the growth table."""
    lines = []
    vacuum()
    # Each timed change refreshes its statuses, and says so at INFO: sixty lines in the report.
    logging.getLogger("plans.tasks").setLevel(logging.WARNING)

    def step(*done):
        for line in done:
            lines.append(line)
            log(f"  done: {line.what}")

    import_lines, imported = bench_import(rows, naive_rows)
    step(*import_lines)
    step(bench_memory(imported["content"]))
    step(bench_sync(import_lines[0].rate))
    all_line, all_seconds = bench_all_statuses(naive_targets)
    step(all_line)
    step(bench_one_change("municipality", repeat, all_seconds))
    step(bench_one_change("country", repeat, all_seconds))
    step(bench_theme_page(repeat))
    step(bench_target_page(repeat))
    step(bench_api(repeat))
    growth = bench_growth(imported["content"], imported["seconds"], all_seconds)
    log("  done: how the cost grows")
    return lines, growth


def table(lines: list[Line], growth=()) -> str:
    out = io.StringIO()
    for line in lines:
        ratio = f"{_n(line.ratio)}×" if line.ratio else ""
        out.write(f"\n{line.what}\n")
        out.write(f"  goal:   {line.goal}  → {line.verdict}\n")
        out.write(f"  portal: {line.fast}\n")
        out.write(f"  naive:  {line.naive}\n")
        out.write(f"  ratio:  {ratio}\n")
        for note in line.notes:
            out.write(f"  note:   {note}\n")
    if growth:
        out.write(growth_table(growth))
    return out.getvalue()
