"""The background job of the reporting campaigns (django-tasks, database backend), as
the advice desk's: :func:`run_reminders` runs :func:`reminders.process` once and enqueues
itself again ``INTERVAL`` later; :func:`schedule_reminders` starts the chain when none is
waiting (called when a campaign opens and by ``manage.py send_activity_reminders
--schedule``). Without a worker, cron runs ``manage.py send_activity_reminders``: the
job is idempotent."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django_tasks import default_task_backend, task

from cratb.activity.reminders import process

INTERVAL = timedelta(hours=6)


@task()
def run_reminders() -> dict[str, Any]:
    report = process(now=timezone.now())
    schedule_reminders()
    return report.as_dict()


def _waiting_jobs() -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=run_reminders.module_path, status="READY").count()


def schedule_reminders() -> bool:
    """Enqueue the next run unless one is already waiting; whether one was enqueued."""
    backend = default_task_backend
    if not backend.supports_defer:
        return False
    if _waiting_jobs():
        return False
    run_reminders.using(run_after=timezone.now() + INTERVAL).enqueue()
    return True
