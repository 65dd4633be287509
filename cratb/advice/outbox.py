"""The advice desk's outbox: e-mails are sent by the background worker (django-tasks).

An e-mail is queued once the transaction that decided it has committed, so a slow mail
server never slows a page and a rolled-back change sends nothing. The lowest module of
the e-mail path: ``emails`` renders the messages and queues them here.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django_tasks import task


@task()
def send_email(*, to: list[str], subject: str, body: str) -> int:
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)


def enqueue_email(*, to: list[str], subject: str, body: str) -> None:
    """Send once the current transaction commits (at once outside a transaction)."""
    recipients = sorted({address for address in to if address})
    if not recipients:
        return
    transaction.on_commit(lambda: send_email.enqueue(to=recipients, subject=subject, body=body))
