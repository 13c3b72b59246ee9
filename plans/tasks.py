"""Celery tasks: thin, idempotent, taking ids and re-reading the rows.

Without a broker (the embedded default) they run in-process when queued.
"""

import logging

from celery import shared_task
from django.db import transaction
from kombu.exceptions import OperationalError

from . import services
from .selectors import targets_touched_by, targets_with_definitions

log = logging.getLogger(__name__)


@shared_task
def recompute_statuses_for_measurements(measurement_ids):
    """Refresh the statuses of the targets these measurements touch. Measurements deleted
    meanwhile are simply not found."""
    count = services.statuses_refresh(targets_touched_by(measurement_ids))
    log.info("Refreshed %s target statuses for %s measurements", count, len(measurement_ids))
    return count


@shared_task
def recompute_target_statuses(target_ids):
    return services.statuses_refresh(targets_with_definitions().filter(pk__in=target_ids))


@shared_task
def recompute_all_statuses():
    """Nightly: statuses depend on the date too (deadlines pass, forecasts become verdicts)."""
    return services.all_statuses_refresh()


def queue_status_refresh(sender, measurement_ids, **kwargs):
    """Receiver of kpis.signals.measurements_changed: queue the refresh once the figures are
    committed, so a worker never reads figures that may still roll back."""
    ids = list(measurement_ids)
    transaction.on_commit(lambda: enqueue(recompute_statuses_for_measurements, ids))


def enqueue(task, *args):
    """Queue a task; with the broker down the figures are saved all the same, and the nightly
    recompute brings the statuses up to date."""
    try:
        task.delay(*args)
    except OperationalError:
        log.exception("Broker unreachable; %s left to the nightly recompute", task.name)
