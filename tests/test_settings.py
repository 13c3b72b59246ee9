"""Production settings, as the README's Production section sets them, pass Django's own
deployment checks; without a secret key they refuse to start."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
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
