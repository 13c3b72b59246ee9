"""The load test (README: Load test): gunicorn with production settings on 127.0.0.1, a
PostgreSQL database of its own filled with the demo, a Celery worker over Redis; 50 committee
readers and 5 analysts importing at once, bounded by time. Prints requests, errors, p50 and p95
per page kind, then checks in the database that every figure each analyst committed is stored
with the committed value. Exits non-zero on any error or missing figure.

    make loadtest [LOAD_DATABASE_URL=postgres://…/jobcenter_load] [LOAD_SECONDS=90]

Not a pytest module (its name does not start with test_): it starts servers.
"""

import argparse
import os
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
HOST, PORT = "127.0.0.1", 8765
BASE = f"http://{HOST}:{PORT}"
READERS, ANALYSTS = 50, 5
LARGE_ROWS = 6_000  # over kpis.services.BACKGROUND_ROWS: read and saved by the worker
SMALL_ROWS = 300  # read and saved in the request
PDF_SHARE = 0.01  # PDFs sparingly: WeasyPrint takes seconds a report


STARTED = time.monotonic()


def log(message):
    print(f"[{time.monotonic() - STARTED:5.0f} s] {message}", flush=True)


# ---------------------------------------------------------------------------- servers


def with_database(url, name):
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def recreate_database(url):
    import psycopg2

    name = urlsplit(url).path.lstrip("/")
    assert re.fullmatch(r"[a-z0-9_]+", name), name
    conn = psycopg2.connect(with_database(url, "postgres"))
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def port_free(port):
    with socket.socket() as s:
        return s.connect_ex((HOST, port)) != 0


def wait_for(check, what, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{what} did not start within {seconds} s")


class Servers:
    """Redis (when no broker is given), the Celery worker and gunicorn, stopped on exit."""

    def __init__(self, database_url, broker_url, workdir):
        self.processes = []
        self.redis_port = None
        self.workdir = workdir
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": HOST,
            # Plain HTTP on loopback: in production TLS ends at the proxy, here there is none.
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "STATIC_ROOT": str(workdir / "static"),
            "LOG_LEVEL": "WARNING",
            "DB_CONN_MAX_AGE": "60",
        }
        self.broker_url = broker_url

    def manage(self, *args, debug=False):
        env = {**self.env, **({"DEBUG": "1"} if debug else {})}
        subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip

    def start(self):
        if not self.broker_url:
            self.redis_port = 6380
            assert port_free(self.redis_port), "port 6380 is taken"
            subprocess.run(["redis-server", "--bind", HOST, "--port", str(self.redis_port),
                            "--daemonize", "yes", "--save", "", "--appendonly", "no",
                            "--pidfile", str(self.workdir / "redis.pid")],
                           check=True, stdout=subprocess.DEVNULL)  # fmt: skip
            self.broker_url = f"redis://{HOST}:{self.redis_port}/0"
            wait_for(lambda: not port_free(self.redis_port), "Redis")
        self.env["CELERY_BROKER_URL"] = self.broker_url
        worker_log = open(self.workdir / "celery.log", "w")  # noqa: SIM115
        self.processes.append(subprocess.Popen(
            [str(BIN / "celery"), "-A", "jobcenter", "worker", "--pool", "solo",
             "--without-heartbeat", "--without-mingle", "--without-gossip",
             "--loglevel", "WARNING"],
            cwd=ROOT, env=self.env, stdout=worker_log, stderr=subprocess.STDOUT,
        ))  # fmt: skip
        self.gunicorn_log = self.workdir / "gunicorn.log"
        self.processes.append(subprocess.Popen(
            [str(BIN / "gunicorn"), "jobcenter.wsgi", "--bind", f"{HOST}:{PORT}",
             "--workers", "3", "--threads", "4", "--worker-class", "gthread",
             "--timeout", "120", "--error-logfile", "-"],
            cwd=ROOT, env=self.env, stdout=open(self.gunicorn_log, "w"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        ))  # fmt: skip
        wait_for(lambda: requests.get(BASE + "/", timeout=5).status_code == 200, "gunicorn")

    def stop(self):
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        pidfile = self.workdir / "redis.pid"
        if self.redis_port and pidfile.exists():
            subprocess.run(["kill", pidfile.read_text().strip()], check=False)


# ---------------------------------------------------------------------------- what to read


def setup_django(database_url):
    os.environ.update({"DATABASE_URL": database_url, "DEBUG": "1",
                       "DJANGO_SETTINGS_MODULE": "jobcenter.settings"})  # fmt: skip
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def pages_for(user):
    """(kind, url) of the committee pages the user may see (plans.access), from the database."""
    from plans import access
    from plans.models import FocusArea, Target

    plans = access.visible_plans(user)
    pages = [("start", "/"), ("indicators", "/indicators/")]
    for plan in plans:
        pages.append(("plan", f"/plans/{plan.key}/"))
        pages.append(("pdf", f"/plans/{plan.key}/report.pdf"))
    for theme in FocusArea.objects.filter(plan__in=plans).select_related("plan"):
        pages.append(("theme", f"/plans/{theme.plan.key}/themes/{theme.key}/"))
    targets = Target.objects.filter(plan__in=plans).select_related("indicator")
    for target in targets:
        pages.append(("target", f"/targets/{target.key}/"))
        if target.indicator_id:
            pages.append(("indicator", f"/indicators/{target.indicator.key}/"))
    return sorted(set(pages))


def analyst_accounts():
    """The demo's analysts and one more, for the first municipality, so there are five; each
    writes its own municipality's figures for its own years, so no two write the same figure."""
    from django.contrib.auth import get_user_model

    from plans.models import Membership
    from plans.tools.demo import DEMO_PASSWORD

    analysts = list(
        Membership.objects.filter(
            role=Membership.Role.ANALYST, user__username__startswith="analytiker-"
        )
        .select_related("user", "municipality")
        .order_by("user__username")
    )
    first = analysts[0]
    extra, _new = get_user_model().objects.get_or_create(
        username=f"analytiker2-{first.municipality.slug}"
    )
    extra.set_password(DEMO_PASSWORD)
    extra.save()
    Membership.objects.get_or_create(user=extra, municipality=first.municipality,
                                     defaults={"role": Membership.Role.ANALYST})  # fmt: skip
    accounts = [(m.user.username, m.municipality) for m in analysts]
    accounts.append((extra.username, first.municipality))
    accounts = accounts[:ANALYSTS]
    return [(name, municipality, 2000 if name.startswith("analytiker2-") else 2010)
            for name, municipality in accounts]  # fmt: skip


def loadable(municipality):
    """(key, unit) of the indicators the municipality's analysts may load its own figures of."""
    from kpis import ownership
    from kpis.models import Indicator

    found = []
    for indicator in Indicator.objects.filter(owner__isnull=True).select_related("source__table"):
        table_id = ownership.source_table_id(indicator)
        problem = ownership.figure_problem(
            editable={municipality.pk}, indicator=indicator, area=municipality, table_id=table_id
        )
        if problem is None:
            found.append((indicator.key, indicator.unit))
    return found


PERIOD_CODES = [*(f"M{m:02d}" for m in range(1, 13)), *(f"Q{q}" for q in range(1, 5))]


def figures(indicators, municipality, first_year, count, rng):
    """count figures {(indicator key, area name, period code): value} in the template's terms."""
    chosen = {}
    year = first_year
    while len(chosen) < count:
        for key, unit in indicators:
            for suffix in PERIOD_CODES:
                value = (
                    Decimal(rng.randint(10, 990)) / 10
                    if unit == "percent"
                    else Decimal(rng.randint(0, 5000))
                )
                chosen[(key, municipality.name, f"{year}{suffix}")] = value
                if len(chosen) == count:
                    return chosen
        year += 1
    return chosen


def template_csv(rows):
    lines = ["indikator;område;periode;værdi"]
    for (key, area, period), value in rows.items():
        lines.append(f"{key};{area};{period};{str(value).replace('.', ',')}")
    return ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")


# ---------------------------------------------------------------------------- clients


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.times = defaultdict(list)
        self.errors = defaultdict(list)

    def record(self, kind, seconds, error=None):
        with self.lock:
            self.times[kind].append(seconds)
            if error:
                self.errors[kind].append(error)

    def timed(self, kind, session, method, url, expect=(200,), **kwargs):
        start = time.monotonic()
        try:
            response = session.request(method, BASE + url, timeout=120, **kwargs)
        except requests.RequestException as exc:
            self.record(kind, time.monotonic() - start, f"{url}: {exc}")
            return None
        error = None if response.status_code in expect else f"{url}: {response.status_code}"
        self.record(kind, time.monotonic() - start, error)
        return response if error is None else None


def csrf_of(html):
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return found.group(1) if found else ""


def login(stats, session, username, password):
    page = stats.timed("login", session, "GET", "/accounts/login/")
    if page is None:
        return False
    data = {"csrfmiddlewaretoken": csrf_of(page.text), "username": username,
            "password": password}  # fmt: skip
    response = stats.timed("login", session, "POST", "/accounts/login/", data=data,
                           headers={"Referer": BASE + "/accounts/login/"},
                           allow_redirects=False, expect=(302,))  # fmt: skip
    return response is not None


def reader(stats, pages, username, deadline, rng):
    session = requests.Session()
    if username and not login(stats, session, username, "demo"):
        return
    ordinary = [p for p in pages if p[0] != "pdf"]
    pdfs = [p for p in pages if p[0] == "pdf"]
    while time.monotonic() < deadline:
        kind, url = rng.choice(pdfs) if pdfs and rng.random() < PDF_SHARE else rng.choice(ordinary)
        stats.timed(kind, session, "GET", url)


def analyst(stats, username, uploads, deadline, committed):
    """Uploads each file through the import page, waits for the preview, saves it, waits for
    the save; what was saved goes into committed (later uploads overwrite earlier values)."""
    session = requests.Session()
    if not login(stats, session, username, "demo"):
        return
    for name, rows in uploads:
        if time.monotonic() > deadline:
            break
        form = stats.timed("import form", session, "GET", "/figures/import/")
        if form is None:
            continue
        response = stats.timed(
            "import upload", session, "POST", "/figures/import/",
            data={"csrfmiddlewaretoken": csrf_of(form.text)},
            files={"file": (name, template_csv(rows), "text/csv")},
            headers={"Referer": BASE + "/figures/import/"},
        )  # fmt: skip
        if response is None:
            continue
        batch = re.search(r"/figures/import/(\d+)/", response.url)
        if not batch or not wait_state(stats, session, batch.group(1), {"preview"}, name):
            continue
        page = stats.timed("import preview", session, "GET", f"/figures/import/{batch.group(1)}/")
        if page is None:
            continue
        saved = stats.timed(
            "import commit", session, "POST", f"/figures/import/{batch.group(1)}/commit/",
            data={"csrfmiddlewaretoken": csrf_of(page.text)},
            headers={"Referer": BASE + f"/figures/import/{batch.group(1)}/"},
        )  # fmt: skip
        if saved is not None and wait_state(stats, session, batch.group(1), {"committed"}, name):
            committed.update(rows)


def wait_state(stats, session, batch_id, wanted, name, seconds=240):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        response = stats.timed("import status", session, "GET",
                               f"/figures/import/{batch_id}/status/")  # fmt: skip
        state = response.json()["state"] if response is not None else None
        if state in wanted:
            return True
        if state == "refused":
            stats.record("import status", 0, f"{name}: refused")
            return False
        time.sleep(0.5)
    stats.record("import status", 0, f"{name}: still not {wanted} after {seconds} s")
    return False


# ---------------------------------------------------------------------------- the run


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(stats):
    print(f"\n{'page':<16}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}")
    for kind in sorted(stats.times):
        times = stats.times[kind]
        p50, p95 = statistics.median(times) * 1000, percentile(times, 0.95) * 1000
        print(f"{kind:<16}{len(times):>9}{len(stats.errors[kind]):>8}{p50:>9.0f}{p95:>9.0f}")
    errors = [e for kind in stats.errors for e in stats.errors[kind]]
    for error in errors[:20]:
        print("  error:", error)
    return len(errors)


def verify(committed_by):
    """Every committed figure is in the database with its value: (expected, found, wrong)."""
    from kpis.models import Measurement
    from kpis.periods import parse_period

    expected = found = 0
    wrong = []
    for username, committed in committed_by.items():
        stored = {}
        for m in Measurement.objects.filter(
            area__name__in={k[1] for k in committed}
        ).select_related("indicator", "area", "period"):
            stored[(m.indicator.key, m.area.name, m.period.code)] = m.value
        for (key, area, period), value in committed.items():
            expected += 1
            code = parse_period(period).code
            if (key, area, code) not in stored:
                wrong.append(f"{username}: {key} {area} {period} missing")
            elif stored[(key, area, code)] != value:
                wrong.append(
                    f"{username}: {key} {area} {period} {stored[(key, area, code)]} != {value}"
                )
            else:
                found += 1
    return expected, found, wrong


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    database = "postgres://jobcenter:jobcenter@127.0.0.1:5432/jobcenter_load"
    parser.add_argument("--database", default=os.environ.get("LOAD_DATABASE_URL", database))
    seconds = float(os.environ.get("LOAD_SECONDS", 90))
    parser.add_argument("--seconds", type=float, default=seconds)
    parser.add_argument(
        "--broker",
        default=os.environ.get("LOAD_BROKER_URL", ""),
        help="a Redis URL; empty: a Redis of its own on 127.0.0.1:6380",
    )
    args = parser.parse_args()
    assert urlsplit(args.database).hostname in {"127.0.0.1", "localhost"}, "only 127.0.0.1"
    assert port_free(PORT), f"port {PORT} is taken"
    workdir = Path(tempfile.mkdtemp(prefix="loadtest-"))
    log(f"database {urlsplit(args.database).path.lstrip('/')}: created, migrated, demo loaded")
    recreate_database(args.database)
    servers = Servers(args.database, args.broker, workdir)
    # The static files (compressed, with their manifest, as production serves them) meanwhile.
    static = subprocess.Popen([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"],
                              cwd=ROOT, env=servers.env)  # fmt: skip
    servers.manage("migrate", "--noinput", "-v0")
    servers.manage("load_reference", debug=True)
    servers.manage("load_demo", "--users", debug=True)
    if static.wait() != 0:
        raise SystemExit("collectstatic failed")
    setup_django(args.database)
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import AnonymousUser
    from django.db import connections

    rng = random.Random(16)
    User = get_user_model()
    committee = list(User.objects.filter(username__startswith="udvalg-").order_by("username"))
    anonymous = pages_for(AnonymousUser())
    members = [(user.username, pages_for(user)) for user in committee]
    readers = [(None, anonymous) if i % 2 == 0 else members[i // 2 % len(members)]
               for i in range(READERS)]  # fmt: skip
    plans = []
    for username, municipality, first_year in analyst_accounts():
        indicators = loadable(municipality)
        large = figures(indicators, municipality, first_year, LARGE_ROWS, rng)
        small = [figures(indicators, municipality, first_year, SMALL_ROWS, rng) for _ in range(3)]
        uploads = [("stor.csv", large), *((f"lille-{i}.csv", s) for i, s in enumerate(small))]
        plans.append((username, uploads))
    connections.close_all()
    try:
        servers.start()
        log(f"gunicorn (3 workers × 4 threads, DEBUG=0), Celery worker, broker {servers.broker_url}"
            f"")  # fmt: skip
        stats = Stats()
        deadline = time.monotonic() + args.seconds
        committed_by = {name: {} for name, _uploads in plans}
        threads = [threading.Thread(target=reader, args=(stats, pages, name, deadline,
                                                         random.Random(i)))
                   for i, (name, pages) in enumerate(readers)]  # fmt: skip
        threads += [threading.Thread(target=analyst,
                                     args=(stats, name, uploads, deadline, committed_by[name]))
                    for name, uploads in plans]  # fmt: skip
        log(f"{READERS} readers (half anonymous, half committee members) and {len(plans)} analysts"
            f" for {args.seconds:.0f} s; each analyst: one file of {LARGE_ROWS} figures (worker),"
            f" up to three of {SMALL_ROWS} (in the request)")  # fmt: skip
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=args.seconds + 600)
    finally:
        servers.stop()
    errors = report(stats)
    for line in Path(servers.gunicorn_log).read_text().splitlines():
        if "Traceback" in line or "ERROR" in line:
            print("  gunicorn:", line)
            errors += 1
    expected, found, wrong = verify(committed_by)
    uploads_done = sum(1 for c in committed_by.values() if c)
    print(f"\nfigures committed by {uploads_done} analysts: {expected}; stored with the committed "
          f"value: {found}; missing or different: {len(wrong)}")  # fmt: skip
    for line in wrong[:20]:
        print("  ", line)
    log("done")
    shutil.rmtree(workdir, ignore_errors=True)
    if errors or wrong or expected == 0 or uploads_done < len(plans):
        print("LOAD TEST FAILED")
        return 1
    print("LOAD TEST PASSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
