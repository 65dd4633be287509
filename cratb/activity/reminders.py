"""Reminders of the reporting campaigns (run by the background job in ``tasks``).

Idempotent, like the advice desk's reminders: each step marks what it handled through a
conditional update, so the job may run as often as wanted and from several places.

1. ``REMIND_DAYS_BEFORE`` days before a campaign's deadline: the members of each team
   whose form is not transmitted get a reminder (once per campaign).
2. The day after the deadline: the members of each team whose form was never
   transmitted get a late notice, and the coordinators a copy (once
   per form).
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cratb.accounts.models import Role, User
from cratb.activity.models import Campaign, State, Submission, SubmissionEvent
from cratb.advice.outbox import enqueue_email

REMIND_DAYS_BEFORE = 7


@dataclass
class ReminderReport:
    before_deadline: int = 0
    late: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def team_addresses(team_id: int) -> list[str]:
    users = User.objects.filter(
        is_active=True, role=Role.EMA_MEMBER, membership__team_id=team_id
    ).exclude(email="")
    return sorted(users.values_list("email", flat=True))


def coordinator_addresses() -> list[str]:
    users = User.objects.filter(is_active=True, role=Role.COORDINATOR).exclude(email="")
    return sorted(users.values_list("email", flat=True))


def _send(template: str, submission: Submission, to: list[str]) -> None:
    link = settings.SITE_URL.rstrip("/") + reverse("activity:submission", args=[submission.pk])
    context = {"submission": submission, "campaign": submission.campaign, "link": link}
    subject = render_to_string(f"activity/emails/{template}_subject.txt", context).strip()
    body = render_to_string(f"activity/emails/{template}_body.txt", context)
    enqueue_email(to=to, subject=subject, body=body)


def process(*, now: datetime.datetime) -> ReminderReport:
    report = ReminderReport()
    today = timezone.localtime(now).date()
    soon = today + datetime.timedelta(days=REMIND_DAYS_BEFORE)
    due = Campaign.objects.filter(
        reminded_at__isnull=True, opens_on__lte=today, deadline__gte=today, deadline__lte=soon
    )
    for campaign in due:
        with transaction.atomic():
            if not Campaign.objects.filter(pk=campaign.pk, reminded_at__isnull=True).update(
                reminded_at=now
            ):
                continue  # another run handled it
            waiting = campaign.submissions.filter(
                state__in=(State.DRAFT, State.RETURNED)
            ).select_related("team", "campaign")
            for submission in waiting:
                _send("before_deadline", submission, team_addresses(submission.team_id))
                SubmissionEvent.objects.create(
                    submission=submission,
                    kind=SubmissionEvent.Kind.REMINDED,
                    text="avant la date limite",
                )
                report.before_deadline += 1
    late = (
        Submission.objects.late(today)
        .filter(late_reminded_at__isnull=True)
        .select_related("team", "campaign")
    )
    for submission in late:
        with transaction.atomic():
            if not Submission.objects.filter(
                pk=submission.pk, late_reminded_at__isnull=True
            ).update(late_reminded_at=now):
                continue
            _send("late", submission, team_addresses(submission.team_id) + coordinator_addresses())
            SubmissionEvent.objects.create(
                submission=submission, kind=SubmissionEvent.Kind.REMINDED, text="en retard"
            )
            report.late += 1
    return report
