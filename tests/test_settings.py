"""Production settings, as the README's Production section sets them, pass Django's own
deployment checks; without a secret key they refuse to start."""

import multiprocessing
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from jobcenter.settings import development_secret_key

ROOT = Path(__file__).parents[1]


def manage(*args, unset=(), **env):
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k not in unset
    }
    environment.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def test_production_settings_pass_check_deploy_without_warnings():
    run = manage("check", "--deploy", "--fail-level", "WARNING", DEBUG="0",
                 SECRET_KEY=secrets.token_urlsafe(60), ALLOWED_HOSTS="kpi.example.dk")  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "no issues" in run.stdout


def test_production_refuses_to_start_without_a_secret_key():
    run = manage("check", DEBUG="0", SECRET_KEY="", ALLOWED_HOSTS="kpi.example.dk")
    assert run.returncode != 0
    assert "SECRET_KEY must be set" in run.stderr


def test_the_settings_default_to_production_and_refuse_to_start_without_a_key():
    """A deployment that forgets DEBUG=0 gets production, not tracebacks under a known key."""
    run = manage("check", unset=("DEBUG", "SECRET_KEY"))
    assert run.returncode != 0 and "SECRET_KEY must be set" in run.stderr
    code = "from django.conf import settings; print(settings.DEBUG)"
    shown = manage("shell", "-c", code, unset=("DEBUG",), SECRET_KEY=secrets.token_urlsafe(60))
    assert shown.stdout.strip().splitlines()[-1] == "False", shown.stdout + shown.stderr


def test_no_secret_key_is_in_the_repository():
    """Development makes its own key per checkout, in a git-ignored file."""
    settings_text = (ROOT / "jobcenter/settings.py").read_text()
    assert 'SECRET_KEY = env("SECRET_KEY") or (' in settings_text
    assert not re.search(r"SECRET_KEY\s*=\s*[\"'][^\"']", settings_text)
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout
    assert ".secret_key" not in tracked.split()
    assert "/.secret_key" in (ROOT / ".gitignore").read_text().split()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_production_serves_pages_and_hashed_static_files_through_gunicorn(tmp_path):
    """The README's production commands: collectstatic, then gunicorn with WhiteNoise serving
    the static files under content-hashed names that browsers may cache for ever."""
    env = {"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(60), "ALLOWED_HOSTS": "127.0.0.1",
           "BEHIND_TLS_PROXY": "1", "STATIC_ROOT": str(tmp_path / "static"),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}  # fmt: skip
    for command in (["collectstatic", "--noinput"], ["migrate", "--noinput"]):
        run = manage(*command, **env)
        assert run.returncode == 0, run.stderr
    port = _free_port()
    environment = {**{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}, **env}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "jobcenter.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "1"], cwd=ROOT, env=environment,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip

    def get(path):
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}", headers={"X-Forwarded-Proto": "https"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.headers, response.read().decode()

    try:
        for _ in range(100):
            try:
                headers, page = get("/")
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("gunicorn did not answer")
        stylesheet = re.search(r'href="(/static/css/portal\.[0-9a-f]{12}\.css)"', page)
        assert stylesheet, "the page links the stylesheet under its hashed name"
        headers, css = get(stylesheet.group(1))
        assert "max-age=315360000" in headers["Cache-Control"]
        assert ".card" in css or "body" in css
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/api/docs/", "/nowhere/"])
def test_every_response_allows_only_the_portals_own_scripts(client, url):
    header = client.get(url)["Content-Security-Policy"]
    policy = dict(part.strip().split(" ", 1) for part in header.split(";"))
    assert policy["script-src"] == "'self'"  # no inline script, no eval, nothing from elsewhere
    assert policy["default-src"] == "'self'" and policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'" and policy["base-uri"] == "'self'"


def _key_when_all_start(barrier, path, keys):
    barrier.wait()
    keys.put(development_secret_key(path))


def test_processes_starting_together_on_a_fresh_checkout_share_one_whole_key(tmp_path):
    """The first processes on a fresh checkout (the test suite beside a Celery worker, gunicorn's
    workers) make the development key together: each gets the same whole key, none reads the
    file another created but has not yet written as no key and refuses to start."""
    context = multiprocessing.get_context("fork")
    for attempt in range(30):
        path = tmp_path / f"secret_key_{attempt}"
        barrier, keys = context.Barrier(4), context.Queue()
        starting = [
            context.Process(target=_key_when_all_start, args=(barrier, path, keys))
            for _ in range(4)
        ]
        for process in starting:
            process.start()
        got = [keys.get(timeout=30) for _ in starting]
        for process in starting:
            process.join(timeout=30)
        assert len(got[0]) > 40 and set(got) == {got[0]}, got
        assert path.read_text().strip() == got[0]
