"""Celery tasks: thin, idempotent, taking ids and re-reading the rows.

Without a broker (the embedded default) they run in-process when queued.
"""

import logging

from celery import shared_task
from django.db import transaction
from kombu.exceptions import OperationalError

from plans import services
from plans.selectors.stale import targets_with_stale_status
from plans.selectors.targets import targets_touched_by, targets_with_definitions

log = logging.getLogger(__name__)


# A refresh is one transaction (services.statuses_refresh): a worker killed halfway leaves every
# status as it was, and the redelivered task (CELERY_TASK_ACKS_LATE) does the whole batch again.


@shared_task
def recompute_statuses_for_series(series):
    """Refresh the statuses of the targets that these (indicator_id, area_id) series touch."""
    count = services.statuses_refresh(targets_touched_by(series))
    log.info("Refreshed %s target statuses for %s changed series", count, len(series))
    return count


@shared_task
def recompute_target_statuses(target_ids):
    return services.statuses_refresh(targets_with_definitions().filter(pk__in=target_ids))


@shared_task
def recompute_stale_statuses():
    """Every few minutes (beat): catch up on refreshes that were never queued because the
    broker was down when the figures or targets changed (plans.stale)."""
    ids = list(targets_with_stale_status().values_list("pk", flat=True))
    if not ids:
        return 0
    count = services.statuses_refresh(targets_with_definitions().filter(pk__in=ids))
    log.warning("Caught up on %s stale target statuses", count)
    return count


@shared_task
def recompute_all_statuses():
    """Nightly: statuses depend on the date too (deadlines pass, forecasts become verdicts)."""
    return services.all_statuses_refresh()


def queue_status_refresh(sender, series, **kwargs):
    """Receiver of kpis.signals.measurements_changed: queue the refresh once the figures are
    committed, so a worker never reads figures that may still roll back."""
    pairs = [list(pair) for pair in series]  # JSON-friendly for a real broker
    transaction.on_commit(lambda: enqueue(recompute_statuses_for_series, pairs))


def enqueue(task, *args) -> bool:
    """Queue a task; False if the broker is down. Figures are saved all the same, and the
    nightly recompute brings the statuses up to date."""
    try:
        task.delay(*args)
    except OperationalError:
        log.exception("Broker unreachable; %s not queued", task.name)
        return False
    return True


@shared_task
def send_round_reminders():
    """Daily (beat): the analysts' reminders before a round's deadline and on the day."""
    from plans import notices

    return notices.reminders_send()


@shared_task
def send_round_notice(round_id, kind):
    """A notice that a round was submitted or approved; nothing if the round is gone or the
    notice was sent already."""
    from plans import notices
    from plans.models import ReportingRound

    reporting_round = (
        ReportingRound.objects.select_related("plan__municipality").filter(pk=round_id).first()
    )
    if reporting_round is None:
        return None
    return notices.notice_send(reporting_round=reporting_round, kind=kind)
