"""The periodic job of the advice desk (django-tasks, database backend).

- :func:`run_reminders`: the periodic reminder job. It runs :func:`reminders.process`
  once, then enqueues itself again ``CRATB_ADVICE_REMINDER_MINUTES`` later
  (``run_after``), so one worker keeps it going on SQLite as on PostgreSQL with no
  scheduler. :func:`schedule_reminders` starts the chain when none is waiting; it is
  called whenever a request is confirmed, and by ``manage.py send_advice_reminders
  --schedule``. Without a worker (or with the immediate backend, which cannot defer),
  cron runs ``manage.py send_advice_reminders`` instead: the job is idempotent.

E-mails have their own job, in ``outbox``, below the modules that write them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import default_task_backend, task

from cratb.advice.reminders import process


@task()
def run_reminders() -> dict[str, Any]:
    report = process(now=timezone.now())
    schedule_reminders()
    return report.as_dict()


def _waiting_reminder_jobs() -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=run_reminders.module_path, status="READY").count()


def schedule_reminders() -> bool:
    """Enqueue the next run of the reminder job unless one is already waiting.

    Returns whether a run was enqueued. Only a backend that can defer a job (the
    database backend) keeps the chain; elsewhere cron runs the command.
    """
    backend = default_task_backend
    if not backend.supports_defer:
        return False
    if _waiting_reminder_jobs():
        return False
    run_after = timezone.now() + timedelta(minutes=settings.CRATB_ADVICE_REMINDER_MINUTES)
    run_reminders.using(run_after=run_after).enqueue()
    return True
