"""A real Celery worker over a real broker refreshes statuses after commit.

Runs where CI provides CELERY_BROKER_URL and a worker on the test database (.ci/run starts it).
"""

import os
import time

import pytest

from jobcenter.celery import app
from plans.models import TargetStatus
from tests.builders import make_indicator, make_municipality, make_plan, make_target, record

pytestmark = [
    pytest.mark.broker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("CELERY_BROKER_URL"), reason="needs CELERY_BROKER_URL and a worker"
    ),
]


@pytest.fixture
def real_broker(settings):
    app.conf.task_always_eager = False
    app.conf.broker_url = os.environ["CELERY_BROKER_URL"]
    yield
    app.conf.task_always_eager = True


def wait_for(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_worker_refreshes_the_status_of_a_committed_figure(real_broker):
    municipality = make_municipality()
    indicator = make_indicator("unge-offentlig-forsorgelse")
    target = make_target(make_plan(municipality), indicator, key="unge-worker")
    record(indicator, municipality, "2022M11-2023M11", "969")
    assert wait_for(
        lambda: TargetStatus.objects.filter(target=target, current_value=969).exists()
    ), "no worker computed the status within 30 s"
    assert TargetStatus.objects.get(target=target).status == "met"
