"""The README's curl examples work as written, against a live server with the demo data."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from plans.members.services import token_create
from plans.tools.demo import demo_users_create

README = Path(__file__).parents[1] / "README.md"


def readme_example() -> str:
    block = README.read_text("utf-8").split("<!-- api-example", 1)[1]
    return re.search(r"```sh\n(.*?)```", block, re.S).group(1)


@pytest.mark.skipif(not shutil.which("curl"), reason="needs curl")
@pytest.mark.django_db(transaction=True)
def test_the_readme_curl_examples_work(live_server):
    call_command("load_demo", verbosity=0)
    demo_users_create()
    analyst = get_user_model().objects.get(username="analytiker-guldborgsund")
    _token, token = token_create(user=analyst, name="README")  # as on /account/tokens/
    script = readme_example()
    # The server is the test's, and the token is made here, as the tokens page makes it.
    script = script.replace("BASE=http://127.0.0.1:8000", f"BASE={live_server.url}")
    script = re.sub(r"^TOKEN=.*$", f"TOKEN={token}", script, flags=re.M)
    assert "curl" in script and f"TOKEN={token}" in script
    run = subprocess.run(["bash", "-ec", script], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert '"key":"guldborgsund-beu-2023"' in out
    assert '"created":0,"revised":1,"unchanged":0' in out
    assert '"status":"not_met"' in out
