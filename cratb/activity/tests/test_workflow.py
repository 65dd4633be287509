"""The form's states: draft → submitted → returned → validated, the lock, reopening with
a reason, late submissions, and two people editing at once."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from cratb.accounts.append_only import AppendOnlyError
from cratb.accounts.models import User
from cratb.activity.models import StaleEdit, State, SubmissionEvent, WorkflowError
from cratb.activity.tests.helpers import form_of, report_campaign
from cratb.network.models import Organization

pytestmark = pytest.mark.django_db


def test_a_campaign_opens_one_draft_per_team(coordinator: User, ema_team: Organization) -> None:
    campaign = report_campaign(coordinator, [ema_team])
    form = form_of(campaign, ema_team)
    assert form.state == State.DRAFT
    assert form.version == 1


def test_submit_return_validate_reopen(
    coordinator: User, ema_responder: User, ema_team: Organization
) -> None:
    form = form_of(report_campaign(coordinator, [ema_team]), ema_team)
    form.submit(by=ema_responder, expected_version=1)
    assert (form.state, form.late) == (State.SUBMITTED, False)
    with pytest.raises(WorkflowError):
        form.send_back(by=coordinator, comment="   ", expected_version=form.version)
    form.send_back(by=coordinator, comment="Ajoutez les CAI/CLIN.", expected_version=form.version)
    assert form.state == State.RETURNED
    form.submit(by=ema_responder, expected_version=form.version)
    form.validate(by=coordinator, expected_version=form.version)
    assert form.state == State.VALIDATED
    kinds = list(form.events.values_list("kind", "text"))
    assert kinds == [
        ("submitted", ""),
        ("returned", "Ajoutez les CAI/CLIN."),
        ("submitted", ""),
        ("validated", ""),
    ]


def test_a_validated_form_is_locked(
    coordinator: User, ema_responder: User, ema_team: Organization
) -> None:
    form = form_of(report_campaign(coordinator, [ema_team]), ema_team)
    form.submit(by=ema_responder, expected_version=1)
    form.validate(by=coordinator, expected_version=form.version)
    form.meetings_count = 99
    with pytest.raises(WorkflowError, match="verrouillé"):
        form.save_edit(expected_version=form.version, fields=["meetings_count"])
    form.refresh_from_db()
    assert form.meetings_count == 0


def test_reopening_needs_a_reason_which_is_kept(
    coordinator: User, ema_responder: User, ema_team: Organization
) -> None:
    form = form_of(report_campaign(coordinator, [ema_team]), ema_team)
    form.submit(by=ema_responder, expected_version=1)
    form.validate(by=coordinator, expected_version=form.version)
    with pytest.raises(WorkflowError, match="Motif"):
        form.reopen(by=coordinator, reason="", expected_version=form.version)
    assert form.state == State.VALIDATED
    form.reopen(by=coordinator, reason="Erreur sur les ETP.", expected_version=form.version)
    assert form.state == State.RETURNED
    event = form.events.get(kind=SubmissionEvent.Kind.REOPENED)
    assert event.text == "Erreur sur les ETP."
    with pytest.raises(AppendOnlyError):
        event.delete()


def test_a_late_submission_is_accepted_and_flagged(
    coordinator: User, ema_responder: User, ema_team: Organization
) -> None:
    campaign = report_campaign(coordinator, [ema_team], deadline=datetime.date(2026, 3, 31))
    form = form_of(campaign, ema_team)
    assert form.is_late(datetime.date(2026, 4, 2))
    after = datetime.datetime(2026, 4, 2, 9, tzinfo=timezone.get_default_timezone())
    form.submit(by=ema_responder, expected_version=1, now=after)
    assert form.state == State.SUBMITTED
    assert form.late
    assert form.events.get().late
    on_time = form_of(
        report_campaign(coordinator, [ema_team], year=2024, deadline=datetime.date(2026, 3, 31)),
        ema_team,
    )
    before = datetime.datetime(2026, 3, 31, 23, tzinfo=timezone.get_default_timezone())
    on_time.submit(by=ema_responder, expected_version=1, now=before)
    assert not on_time.late


def test_two_editors_at_once_the_second_is_told(coordinator: User, ema_team: Organization) -> None:
    campaign = report_campaign(coordinator, [ema_team])
    first = form_of(campaign, ema_team)
    second = form_of(campaign, ema_team)
    first.meetings_count = 4
    first.save_edit(expected_version=1, fields=["meetings_count"])
    second.meetings_count = 7
    with pytest.raises(StaleEdit) as raised:
        second.save_edit(expected_version=1, fields=["meetings_count"])
    assert raised.value.current.version == 2
    first.refresh_from_db()
    assert first.meetings_count == 4


def test_timeliness_is_that_of_the_first_transmission(
    coordinator: User, ema_responder: User, ema_team: Organization
) -> None:
    campaign = report_campaign(coordinator, [ema_team], deadline=datetime.date(2026, 3, 31))
    form = form_of(campaign, ema_team)
    tz = timezone.get_default_timezone()
    form.submit(by=ema_responder, expected_version=1, now=datetime.datetime(2026, 3, 30, tzinfo=tz))
    form.send_back(by=coordinator, comment="Complétez.", expected_version=form.version)
    assert not form.is_late(datetime.date(2026, 4, 10))
    form.submit(
        by=ema_responder,
        expected_version=form.version,
        now=datetime.datetime(2026, 4, 10, tzinfo=tz),
    )
    assert not form.late
