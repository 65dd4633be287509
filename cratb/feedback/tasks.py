"""Background job of the feedback app (run by ``manage.py db_worker``)."""

from __future__ import annotations

from django_tasks import task

from cratb.feedback.models import FeedbackBatch
from cratb.feedback.sending import run_batch
from cratb.security import without_paths


@task()
def send_batch(batch_id: int) -> int:
    """Send a batch queued from the web; returns the number of reports sent."""
    batch = FeedbackBatch.objects.get(pk=batch_id)
    try:
        run_batch(batch)
    except Exception as exc:
        batch.fail(without_paths(f"erreur inattendue : {type(exc).__name__}: {exc}"))
        raise
    return batch.sent
