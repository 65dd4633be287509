"""The demo advice desk: two years of requests, answers, rota and surveys, deterministic
and safe to run twice."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from cratb.accounts.tests.factories import DepartementFactory
from cratb.advice.figures import year_figures
from cratb.advice.models import AdviceEvent, AdviceRequest, OnCallShift, Survey
from cratb.demo import advice as demo
from cratb.demo.accounts import ensure_demo_users
from cratb.demo.advice import build_demo
from cratb.network.models import Territory

pytestmark = pytest.mark.django_db

JAN_2026 = date(2026, 1, 1)


@pytest.fixture
def small(monkeypatch: pytest.MonkeyPatch, region: Territory, departement: Territory) -> None:
    DepartementFactory.create(code="92", name="Hauts-de-Seine", parent=region, population=1_600_000)
    monkeypatch.setattr(demo, "REQUESTS_PER_YEAR", 150)
    ensure_demo_users(region_code=region.code)


def snapshot() -> list[tuple[object, ...]]:
    return list(
        AdviceRequest.objects.order_by("received_at", "requester_email", "pk").values_list(
            "received_at", "channel", "syndrome", "departement__code", "first_answer_at", "version"
        )
    )


def test_two_years_of_requests_answers_rota_and_surveys_then_nothing_new(small: None) -> None:
    report = build_demo(region_code="11", seed=1, year=2025, today=JAN_2026)
    assert report.requests == 300 and report.shifts > 1000
    received = AdviceRequest.objects.values_list("received_at", flat=True)
    assert {r.year for r in received if r is not None} == {2024, 2025}
    assert Survey.objects.exists()
    figures = year_figures(2025, dimension="channel")
    assert figures.summary.total > 100 and figures.summary.median_hours is not None
    events = AdviceEvent.objects.count()
    # Each request's version is the number of its events (one change, one event).
    for request in AdviceRequest.objects.all()[:50]:
        assert request.version == request.events.count()
    again = build_demo(region_code="11", seed=1, year=2025, today=JAN_2026)
    assert again.already_there
    assert AdviceRequest.objects.count() == 300
    assert AdviceEvent.objects.count() == events
    assert OnCallShift.objects.count() == report.shifts


def test_deterministic_for_region_and_seed(small: None) -> None:
    build_demo(region_code="11", seed=1, year=2025, today=JAN_2026)
    first = snapshot()
    AdviceEvent.objects.all()._raw_delete(AdviceEvent.objects.db)
    for model in (Survey,):
        model.objects.all().delete()
    from cratb.advice.models import AdviceMessage, Answer, Attachment, RecommendedAgent

    RecommendedAgent.objects.all().delete()
    Answer.objects.all().delete()
    AdviceMessage.objects.all().delete()
    Attachment.objects.all().delete()
    AdviceRequest.objects.all().delete()
    OnCallShift.objects.all().delete()
    build_demo(region_code="11", seed=1, year=2025, today=JAN_2026)
    assert snapshot() == first
    build_demo(region_code="11", seed=2, year=2025, today=JAN_2026)
    seed_two = [row for row in snapshot() if row not in first]
    assert len(seed_two) == 300


def test_the_demo_ends_on_the_day_it_runs(small: None) -> None:
    """The inbox opens on requests of the last days, not on year-old overdue ones."""
    today = timezone.localdate()
    build_demo(region_code="11", seed=1, year=2025)
    open_ones = AdviceRequest.objects.filter(status="open")
    assert open_ones.exists()
    for received in open_ones.values_list("received_at", flat=True):
        # The last days' requests, and the few whose answer would come after now.
        assert today - timedelta(days=10) <= timezone.localdate(received) < today
    last = AdviceRequest.objects.latest("received_at").received_at
    assert timezone.localdate(last) <= today
    latest_shift = OnCallShift.objects.latest("ends_at").ends_at
    assert timezone.localdate(latest_shift) >= today + timedelta(weeks=5)


def test_every_demo_ema_team_can_be_reached(small: None) -> None:
    """« Qui contacter ? » lists the EMA teams: each has a phone and an e-mail."""
    from cratb.network.models import Organization

    build_demo(region_code="11", seed=1, year=2025, today=JAN_2026)
    teams = Organization.objects.filter(kind=Organization.Kind.EMA)
    assert teams.count() >= 2
    for team in teams:
        assert team.phone and team.email, team.name


def test_nothing_is_dated_after_now(small: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Answers, closings, reminders, surveys and events all lie in the past, even for
    the requests of the last days (an answer dated tomorrow would also freeze the pages'
    change stamp, which holds the latest ``updated_at``); a request's status agrees with
    its dates."""
    monkeypatch.setattr(demo, "REQUESTS_PER_YEAR", 3000)  # many requests in the last days
    before = timezone.now()
    build_demo(region_code="11", seed=1, year=2025)
    after = timezone.now()
    requests = AdviceRequest.objects.all()
    for field in ("updated_at", "first_answer_at", "closed_at", "reminded_at"):
        latest = requests.exclude(**{f"{field}__isnull": True}).order_by(f"-{field}").first()
        assert latest is None or getattr(latest, field) <= after, field
    asked = requests.exclude(survey_requested_at__isnull=True)
    assert not asked.filter(survey_requested_at__gt=after - timedelta(days=1)).exists()
    assert AdviceEvent.objects.filter(at__gt=after).count() == 0
    assert Survey.objects.filter(answered_at__gt=after).count() == 0
    assert not requests.filter(first_answer_at__isnull=True, status__in=("answered", "closed"))
    assert not requests.filter(closed_at__isnull=True, status="closed")
    assert not requests.filter(first_answer_at__isnull=False, status="open")
    # Some requests were answered too recently to be closed, and the check above ran on
    # requests of the last days.
    assert requests.filter(received_at__gte=before - timedelta(days=3)).exists()
    assert requests.filter(status="answered").exists()
