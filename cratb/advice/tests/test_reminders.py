"""The periodic job: reminders, escalation, surveys; its self-scheduling task; commands."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pytest_django.fixtures import Settings

from cratb.accounts.models import User
from cratb.advice.models import AdviceRequest, EventKind, Status
from cratb.advice.reminders import process
from cratb.advice.tasks import run_reminders, schedule_reminders
from cratb.advice.tests.factories import AdviceRequestFactory
from cratb.cli import main
from cratb.network.models import Organization, Territory

pytestmark = pytest.mark.django_db


@pytest.fixture
def late(departement: Territory, ema_team: Organization, ema_responder: User) -> AdviceRequest:
    received = timezone.now() - timedelta(days=5)
    return AdviceRequestFactory.create(
        departement=departement,
        team=ema_team,
        assignee=ema_responder,
        received_at=received,
        due_at=timezone.now() - timedelta(hours=1),
    )


def run(capture: Callable[..., Any]) -> Any:
    with capture(execute=True):
        return process(now=timezone.now())


def test_overdue_request_reminds_the_assignee_once(
    late: AdviceRequest,
    ema_responder: User,
    coordinator: User,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    report = run(django_capture_on_commit_callbacks)
    assert report.reminded == 1 and report.escalated == 0
    assert [m.to for m in mail.outbox] == [[ema_responder.email]]
    assert "sans réponse" in mail.outbox[0].subject
    late.refresh_from_db()
    assert late.reminded_at is not None
    assert late.events.filter(kind=EventKind.REMINDED).count() == 1
    mail.outbox.clear()
    assert run(django_capture_on_commit_callbacks).reminded == 0
    assert mail.outbox == []


def test_still_unanswered_hours_later_alerts_the_coordinators(
    late: AdviceRequest,
    coordinator: User,
    settings: Settings,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    settings.CRATB_ADVICE_ESCALATION_HOURS = 0
    report = run(django_capture_on_commit_callbacks)
    assert report.reminded == 1 and report.escalated == 1
    escalation = next(m for m in mail.outbox if "Alerte" in m.subject)
    assert escalation.to == [coordinator.email]
    late.refresh_from_db()
    assert late.escalated_at is not None
    assert run(django_capture_on_commit_callbacks).escalated == 0


def test_answered_or_waiting_requests_are_not_reminded(
    late: AdviceRequest, ema_responder: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    late.ask(by=ema_responder, text="Poids ?", expected_version=late.version)
    assert run(django_capture_on_commit_callbacks).reminded == 0


def test_survey_is_sent_a_week_after_the_answer(
    late: AdviceRequest, ema_responder: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    late.answer(
        by=ema_responder,
        recommendation="stop",
        agents=[],
        duration_days=None,
        text="Arrêt",
        expected_version=late.version,
        at=timezone.now() - timedelta(days=8),
    )
    mail.outbox.clear()
    report = run(django_capture_on_commit_callbacks)
    assert report.surveys == 1
    assert mail.outbox[0].to == [late.requester_email]
    assert "/conseil/suivi/" in mail.outbox[0].body
    assert run(django_capture_on_commit_callbacks).surveys == 0


@pytest.mark.django_db(transaction=True)  # the worker closes its connection when done
def test_the_job_runs_in_the_database_queue_and_schedules_its_next_run(
    late: AdviceRequest, settings: Settings
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert schedule_reminders() is True
    assert schedule_reminders() is False  # one chain only
    waiting = DBTaskResult.objects.get(task_path=run_reminders.module_path, status="READY")
    assert waiting.run_after > timezone.now()
    # Make it due, then let a worker run what is queued, as `make run`'s worker does.
    DBTaskResult.objects.filter(pk=waiting.pk).update(run_after=timezone.now())
    call_command(
        "db_worker", "--batch", "--queue-name", "*", "--no-reload", "--no-startup-delay", "-v", "0"
    )
    late.refresh_from_db()
    assert late.reminded_at is not None
    done = DBTaskResult.objects.get(pk=waiting.pk)
    assert done.status == "SUCCESSFUL"
    next_run = DBTaskResult.objects.get(task_path=run_reminders.module_path, status="READY")
    assert next_run.run_after > timezone.now() + timedelta(minutes=10)


def test_the_immediate_backend_cannot_defer_so_cron_is_needed() -> None:
    assert schedule_reminders() is False


def test_command_for_cron_and_cratb_cli(
    late: AdviceRequest, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("send_advice_reminders")
    assert "Relances : 1" in capsys.readouterr().out
    assert main(["advice", "remind"]) == 0
    assert "Relances : 0" in capsys.readouterr().out
    late.refresh_from_db()
    assert late.status == Status.OPEN
