"""Celery tasks for imports: thin, taking ids, safe to run twice (the services check state)."""

from celery import shared_task

from . import services


@shared_task
def import_read_task(batch_id):
    batch = services.import_read(batch_id=batch_id)
    return batch.state if batch else None


@shared_task
def import_commit_task(batch_id, user_id=None):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    try:
        batch = services.import_commit(batch_id=batch_id, user=user)
    except services.PreviewOutdated:
        return "outdated"  # the batch is back in preview, brought up to date
    return batch.state if batch else None
