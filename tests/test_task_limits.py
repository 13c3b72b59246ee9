"""Background work has limits: imports, recomputes and syncs stop at their time limits, a file
that kills its reader is not handed to the next worker, and a batch whose worker died or timed
out is marked refused with its reason, which the import page shows."""

from datetime import timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from jobcenter.celery import app
from kpis import importers
from kpis import services as kpi_services
from kpis import tasks as kpi_tasks
from kpis.models import ImportBatch
from plans.models import Membership
from tests.builders import make_municipality

pytestmark = pytest.mark.django_db

FILE = b"indikator;omr\xc3\xa5de;periode;v\xc3\xa6rdi\n"


def test_every_task_has_soft_and_hard_time_limits():
    assert app.conf.task_soft_time_limit == settings.CELERY_TASK_SOFT_TIME_LIMIT == 600
    assert app.conf.task_time_limit == settings.CELERY_TASK_TIME_LIMIT == 660
    for task in (kpi_tasks.import_read_task, kpi_tasks.import_commit_task):
        assert (task.soft_time_limit, task.time_limit) == (900, 960)


def test_a_read_is_not_redelivered_after_its_worker_died_but_a_save_is():
    """A file that kills its worker must not kill the next; a save killed halfway rolled back
    and is done again (tests/test_crashes.py)."""
    assert kpi_tasks.import_read_task.acks_late is False
    assert kpi_tasks.import_commit_task.acks_late in (None, True) and app.conf.task_acks_late


def test_a_read_past_its_soft_time_limit_is_refused_saying_so(monkeypatch):
    def slow(*args, **kwargs):
        raise SoftTimeLimitExceeded

    monkeypatch.setattr(importers, "parse", slow)
    batch = kpi_services.import_upload(user=None, filename="tal.csv", content=FILE)
    batch = kpi_services.import_read(batch_id=batch.pk)
    assert batch.state == "refused"
    assert batch.file_error.startswith("Det tog mere end 15 minutter at læse filen")


def stuck(user, state, minutes_ago):
    batch = kpi_services.import_upload(user=user, filename="tal.csv", content=FILE)
    began = timezone.now() - timedelta(minutes=minutes_ago)
    ImportBatch.objects.filter(pk=batch.pk).update(state=state, state_since=began)
    return batch


def test_batches_whose_worker_died_are_marked_refused_and_the_page_says_why(client, member):
    analyst = member(make_municipality(), Membership.Role.ANALYST)
    reading, saving = stuck(analyst, "reading", 31), stuck(analyst, "saving", 45)
    working = stuck(analyst, "reading", 5)
    assert kpi_tasks.fail_stuck_imports() == 2
    states = dict(ImportBatch.objects.values_list("pk", "state"))
    assert (states[reading.pk], states[saving.pk], states[working.pk]) == (
        "refused", "refused", "reading"
    )  # fmt: skip
    client.force_login(analyst)
    page = client.get(reverse("plans:import", args=[reading.pk])).content.decode()
    assert "Læsningen af filen stoppede, før den var færdig" in page
    page = client.get(reverse("plans:import", args=[saving.pk])).content.decode()
    assert "Gemningen af tallene stoppede, før den var færdig" in page


def test_the_import_page_itself_finds_a_dead_reader_without_beat(client, member):
    """The embedded portal reads in the web request and has no beat: a request killed while
    reading (gunicorn's timeout) left the batch reading for ever."""
    analyst = member(make_municipality(), Membership.Role.ANALYST)
    batch = stuck(analyst, "reading", 60)
    client.force_login(analyst)
    page = client.get(reverse("plans:import", args=[batch.pk])).content.decode()
    assert "Filen blev afvist" in page and "stoppede, før den var færdig" in page


def test_beat_runs_the_check_every_five_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["fail-stuck-imports"]
    assert entry["task"] == "kpis.tasks.fail_stuck_imports"
    assert entry["schedule"].minute == set(range(0, 60, 5))
