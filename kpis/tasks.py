"""Celery tasks for imports and the jobindsats.dk connector: thin, taking ids, safe to run
twice (the services check state)."""

from celery import shared_task
from django.conf import settings

from . import services
from .jobindsats import sync
from .jobindsats.client import JobindsatsError
from .models import SourceTable

IMPORT_LIMITS = {
    "soft_time_limit": settings.IMPORT_SOFT_TIME_LIMIT,
    "time_limit": settings.IMPORT_TIME_LIMIT,
}


# Acknowledged when it starts, not when it ends (CELERY_TASK_ACKS_LATE): a file that kills its
# worker (memory, the hard time limit) must not be handed to the next worker, and the next.
# fail_stuck_imports marks such a batch refused.
@shared_task(acks_late=False, **IMPORT_LIMITS)
def import_read_task(batch_id):
    batch = services.import_read(batch_id=batch_id)
    return batch.state if batch else None


# Acknowledged late: a save killed halfway has rolled back, and the redelivered task saves it.
@shared_task(**IMPORT_LIMITS)
def import_commit_task(batch_id, user_id=None):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    try:
        batch = services.import_commit(batch_id=batch_id, user=user)
    except services.PreviewOutdated:
        return "outdated"  # the batch is back in preview, brought up to date
    return batch.state if batch else None


@shared_task
def sync_table_task(table_id):
    """Fetch one jobindsats.dk table ("Hent nu" on the sources page)."""
    table = SourceTable.objects.filter(pk=table_id).first()
    if table is None:
        return None
    try:
        report = sync.table_sync(table=table)
    except sync.Busy:
        return "busy"
    except JobindsatsError:
        return "failed"  # the message is on the table, for the sources page
    return sync.format_counts(report.counts)


@shared_task
def sync_due_tables():
    """Every half hour (beat): the followed tables whose update time has passed. Without a key
    there is nothing to do: the portal runs on imported and typed figures alone."""
    if not settings.JOBINDSATS_TOKEN:
        return 0
    return sync.due_sync()


@shared_task
def fail_stuck_imports():
    """Every few minutes (beat): batches whose worker died or timed out are marked refused."""
    return services.imports_fail_stuck()
