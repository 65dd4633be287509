"""The periodic job: reminders, escalation, close-out surveys, stale uploads.

Idempotent, so it may run as often as wanted and from several places at once (the
self-scheduling task, cron): each step marks the request it handled (``reminded_at``,
``escalated_at``, ``survey_requested_at``) through a version-checked change, and a
request another run already handled is skipped.

1. An open request past its target time (``due_at``) and not yet reminded: its
   assignee (else its team, else the coordinators) gets a reminder.
2. ``CRATB_ADVICE_ESCALATION_HOURS`` later, still unanswered: the coordinators of
   its territory get an alert.
3. ``CRATB_ADVICE_SURVEY_DAYS`` after the first answer: the requester gets the link to
   the close-out survey (once).
4. Files kept for a form that was never sent are deleted after a day.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from cratb.advice import emails, uploads
from cratb.advice.models import AdviceRequest, Status, Survey, VersionConflict

BATCH = 500


@dataclass
class ReminderReport:
    reminded: int = 0
    escalated: int = 0
    surveys: int = 0
    stale_files: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def process(*, now: datetime) -> ReminderReport:
    report = ReminderReport()
    base = AdviceRequest.objects.select_related("departement", "assignee", "team")

    for request in base.overdue(now).filter(reminded_at__isnull=True)[:BATCH]:
        try:
            with transaction.atomic():
                recipients = emails.to_responders("reminder", request)
                request.mark_reminded(
                    at=now, recipients=recipients, expected_version=request.version
                )
            report.reminded += 1
        except VersionConflict:
            continue

    escalate_before = now - timedelta(hours=settings.CRATB_ADVICE_ESCALATION_HOURS)
    for request in base.overdue(escalate_before).filter(escalated_at__isnull=True)[:BATCH]:
        try:
            with transaction.atomic():
                assignee = request.assignee
                label = (assignee.get_full_name() or assignee.username) if assignee else "—"
                recipients = emails.to_responders(
                    "escalation", request, users=emails.coordinators_for(request), assignee=label
                )
                request.mark_escalated(
                    at=now, recipients=recipients, expected_version=request.version
                )
            report.escalated += 1
        except VersionConflict:
            continue

    survey_before = now - timedelta(days=settings.CRATB_ADVICE_SURVEY_DAYS)
    due_surveys = (
        base.filter(
            first_answer_at__lt=survey_before,
            survey_requested_at__isnull=True,
            status__in=(Status.ANSWERED, Status.CLOSED),
        )
        .exclude(requester_email="")
        .exclude(pk__in=Survey.objects.values("request_id"))
    )
    for request in due_surveys[:BATCH]:
        try:
            with transaction.atomic():
                request.mark_survey_requested(at=now, expected_version=request.version)
                emails.to_requester("survey", request)
            report.surveys += 1
        except VersionConflict:
            continue

    report.stale_files = uploads.delete_stale_pending()
    return report
