"""Reminders: a week before the deadline to the teams not done, then to late teams, once."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from cratb.accounts.models import User
from cratb.activity import reminders
from cratb.activity.tests.helpers import form_of, report_campaign
from cratb.network.models import Organization

pytestmark = pytest.mark.django_db(transaction=True)

TZ = timezone.get_default_timezone()


def at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, 8, tzinfo=TZ)


@pytest.fixture(autouse=True)
def immediate_tasks(settings: object) -> None:
    settings.TASKS = {  # type: ignore[attr-defined]
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }


def test_before_the_deadline_then_late(
    coordinator: User, ema_responder: User, ema_team: Organization
) -> None:
    deadline = datetime.date(2026, 3, 31)
    campaign = report_campaign(coordinator, [ema_team], deadline=deadline)
    mail.outbox.clear()
    early = reminders.process(now=at(deadline - datetime.timedelta(days=20)))
    assert early.as_dict() == {"before_deadline": 0, "late": 0}
    week = reminders.process(now=at(deadline - datetime.timedelta(days=6)))
    assert week.before_deadline == 1
    assert [m.to for m in mail.outbox] == [[ema_responder.email]]
    assert "date limite" in mail.outbox[0].subject
    again = reminders.process(now=at(deadline - datetime.timedelta(days=5)))
    assert again.before_deadline == 0
    late = reminders.process(now=at(deadline + datetime.timedelta(days=1)))
    assert late.late == 1
    assert sorted(mail.outbox[-1].to) == sorted([ema_responder.email, coordinator.email])
    assert reminders.process(now=at(deadline + datetime.timedelta(days=2))).late == 0
    assert form_of(campaign, ema_team).events.filter(kind="reminded").count() == 2


def test_a_transmitted_form_is_not_reminded(
    coordinator: User, ema_responder: User, ema_team: Organization
) -> None:
    deadline = datetime.date(2026, 3, 31)
    form = form_of(report_campaign(coordinator, [ema_team], deadline=deadline), ema_team)
    form.submit(by=ema_responder, expected_version=1, now=at(datetime.date(2026, 3, 1)))
    mail.outbox.clear()
    assert reminders.process(now=at(deadline - datetime.timedelta(days=3))).before_deadline == 0
    assert reminders.process(now=at(deadline + datetime.timedelta(days=3))).late == 0
    assert mail.outbox == []


def test_the_command_runs_one_pass(coordinator: User, ema_team: Organization) -> None:
    report_campaign(coordinator, [ema_team], deadline=datetime.date(2026, 1, 31))
    from io import StringIO

    out = StringIO()
    call_command("send_activity_reminders", stdout=out)
    assert "équipes en retard relancées : 1" in out.getvalue()


def test_opening_a_campaign_starts_the_job_chain_in_the_database_queue(
    coordinator: User, ema_responder: User, ema_team: Organization, settings: object
) -> None:
    from django_tasks_db.models import DBTaskResult

    from cratb.activity.tasks import run_reminders

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # type: ignore[attr-defined]
    deadline = timezone.localdate() + datetime.timedelta(days=3)
    report_campaign(coordinator, [ema_team], deadline=deadline)
    waiting = DBTaskResult.objects.get(task_path=run_reminders.module_path, status="READY")
    DBTaskResult.objects.filter(pk=waiting.pk).update(run_after=timezone.now())
    mail.outbox.clear()
    call_command(
        "db_worker", "--batch", "--queue-name", "*", "--no-reload", "--no-startup-delay", "-v", "0"
    )
    assert DBTaskResult.objects.get(pk=waiting.pk).status == "SUCCESSFUL"
    assert [m.to for m in mail.outbox] == [[ema_responder.email]]
    assert DBTaskResult.objects.filter(task_path=run_reminders.module_path, status="READY").exists()
