"""The sending job of a letter (run by ``manage.py db_worker``): one run sends at most
``CRATB_LETTERS_PER_MINUTE`` messages, then enqueues the next run a minute later while
addresses are left."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import default_task_backend, task

from cratb.letters.models import Letter
from cratb.letters.sending import send_some
from cratb.security import without_paths


@task()
def send_letter(letter_id: int) -> int:
    """One run of a letter's sending; returns the number of addresses left."""
    letter = Letter.objects.get(pk=letter_id)
    if letter.is_draft or not letter.in_progress:
        return 0
    try:
        left = send_some(letter, limit=settings.CRATB_LETTERS_PER_MINUTE)
    except Exception as exc:
        letter.fail(without_paths(f"erreur inattendue : {type(exc).__name__}: {exc}"))
        raise
    if left:
        schedule(letter_id, delay=timedelta(minutes=1))
    return left


def schedule(letter_id: int, *, delay: timedelta | None = None) -> None:
    """Queue a run of the letter's sending (``delay`` later when the backend can defer)."""
    if delay and default_task_backend.supports_defer:
        send_letter.using(run_after=timezone.now() + delay).enqueue(letter_id)
    else:
        send_letter.enqueue(letter_id)
