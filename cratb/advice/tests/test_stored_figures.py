"""The figures kept per year (``cratb.advice.stored_figures``) equal the figures computed
from the requests, for every breakdown and period, and after every kind of change."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import psycopg
import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cratb.accounts.models import User
from cratb.accounts.tests.factories import DepartementFactory
from cratb.advice import figures, stored_figures
from cratb.advice.figures import PERIODS, Figures, dimensions, year_figures
from cratb.advice.models import (
    AdviceRequest,
    AgentChoice,
    FigureGroup,
    FigureState,
    Status,
)
from cratb.advice.stored_figures import stored_year_figures
from cratb.advice.tests.factories import AdviceRequestFactory
from cratb.demo import advice as demo
from cratb.demo.accounts import ensure_demo_users
from cratb.demo.advice import build_demo
from cratb.network.models import Organization, Territory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 2)


def content(found: Figures) -> dict[str, Any]:
    """Everything the page and the exports show (not the moment of computing)."""
    return {
        "year": found.year,
        "period": found.period,
        "dimension": found.dimension.key,
        "summary": found.summary,
        "breakdown": found.breakdown,
        "series": found.series,
        "aware": found.aware,
    }


def assert_same(year: int, *, every: bool = False) -> None:
    shown = list(dimensions(detailed=True)) if every else ["setting", "team", "territory"]
    for dimension in shown:
        for period in PERIODS if every else ["month"]:
            stored = stored_year_figures(year, dimension=dimension, period=period)
            computed = year_figures(year, dimension=dimension, period=period)
            assert content(stored) == content(computed), (year, dimension, period)


@pytest.fixture
def region_with_demo(
    monkeypatch: pytest.MonkeyPatch, region: Territory, departement: Territory
) -> None:
    DepartementFactory.create(code="92", name="Hauts-de-Seine", parent=region, population=1_600_000)
    monkeypatch.setattr(demo, "REQUESTS_PER_YEAR", 200)
    ensure_demo_users(region_code=region.code)
    build_demo(region_code=region.code, seed=3, year=2025, today=TODAY)


def test_stored_figures_equal_the_computed_ones_for_every_breakdown(region_with_demo: None) -> None:
    assert AdviceRequest.objects.confirmed().count() > 350
    for year in (2024, 2025, 2026):
        assert_same(year, every=True)
    assert FigureGroup.objects.filter(year=2025, dimension="").get().total > 150


def test_the_demo_marks_its_years_and_a_view_builds_them_once(region_with_demo: None) -> None:
    state = FigureState.objects.get(year=2025)
    assert state.built < state.changes
    stored_year_figures(2025)
    state.refresh_from_db()
    assert state.built == state.changes
    groups = set(FigureGroup.objects.filter(year=2025).values_list("pk", flat=True))
    stored_year_figures(2025, dimension="syndrome")
    assert set(FigureGroup.objects.filter(year=2025).values_list("pk", flat=True)) == groups


def late_request(departement: Territory) -> int:
    """An open request received three days ago and past its target time; its year."""
    received = timezone.now() - timedelta(days=3)
    AdviceRequestFactory.create(
        departement=departement, status=Status.OPEN, received_at=received, due_at=received
    )
    return received.astimezone(timezone.get_default_timezone()).year


def open_request_of(year: int) -> AdviceRequest:
    return AdviceRequest.objects.filter(
        status=Status.OPEN, received_at__year=year, first_answer_at__isnull=True
    ).earliest("received_at")


def test_every_change_is_in_the_figures_at_the_next_view(
    region_with_demo: None, ema_responder: User, coordinator: User, departement: Territory
) -> None:
    assert_same(2026)
    request = open_request_of(2026)

    request.answer(
        by=ema_responder,
        recommendation="change",
        agents=[AgentChoice("J01CA04", "O")],
        duration_days=5,
        text="Amoxicilline.",
        expected_version=request.version,
    )
    assert_same(2026, every=True)

    request.record_survey(followed="yes", outcome="cured", comment="", by=None)
    assert_same(2026)

    request.refresh_from_db()
    other = "nursing_home" if request.setting != "nursing_home" else "hospital"
    request.edit_coding(
        by=coordinator, changes={"setting": other}, expected_version=request.version
    )
    assert_same(2026)

    new = AdviceRequestFactory.create(
        departement=departement, status=Status.UNCONFIRMED, received_at=None, due_at=None
    )
    new.confirm(at=timezone.now() - timedelta(days=1))
    assert_same(2026)

    team = Organization.objects.filter(pk__in=AdviceRequest.objects.values("team")).first()
    assert team is not None
    team.name = "Équipe renommée"
    team.save()
    assert_same(2026)
    assert "Équipe renommée" in [
        row.label for row in stored_year_figures(2026, dimension="team").breakdown
    ]


def test_a_request_moved_to_another_year_changes_both(
    region_with_demo: None, departement: Territory
) -> None:
    assert_same(2025)
    assert_same(2026)
    request = AdviceRequest.objects.filter(received_at__year=2025).confirmed().first()
    assert request is not None
    received = request.received_at
    assert received is not None
    request.received_at = received + timedelta(days=400)
    request.save()
    assert_same(2025)
    assert_same(2026)


def test_time_alone_makes_a_request_late(departement: Territory) -> None:
    received = timezone.now() - timedelta(hours=2)
    AdviceRequestFactory.create(
        departement=departement,
        status=Status.OPEN,
        received_at=received,
        due_at=received + timedelta(hours=4),
    )
    year = received.astimezone(timezone.get_default_timezone()).year
    before = stored_year_figures(year, now=received + timedelta(hours=3))
    after = stored_year_figures(year, now=received + timedelta(hours=5))
    assert before.summary.within_target.denominator == 0
    assert after.summary.within_target.denominator == 1
    assert after.summary.within_target.numerator == 0


def test_the_page_does_not_read_every_request_once_built(
    region_with_demo: None, client: Client, coordinator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored_figures.ensure_built(2025)

    def refused(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("computed from the requests")

    monkeypatch.setattr(figures, "_breakdown_and_summary", refused)
    client.force_login(coordinator)
    response = client.get(reverse("advice:figures") + "?annee=2025&par=syndrome")
    assert response.status_code == 200
    assert "Demandes par mois et syndrome, 2025" in response.content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's advisory locks")
@pytest.mark.django_db(transaction=True)  # each build commits and releases its lock
def test_a_view_reads_the_last_build_while_another_process_builds(
    departement: Territory,
) -> None:
    year = late_request(departement)
    assert stored_year_figures(year).summary.total == 1
    late_request(departement)
    settings = connection.settings_dict
    other = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        password=settings["PASSWORD"] or None,
        autocommit=True,
    )
    try:  # another process is building the year
        other.execute("SELECT pg_advisory_lock(%s, %s)", [stored_figures.LOCK_KEY, year])
        assert stored_year_figures(year).summary.total == 1  # the last build
        assert stored_figures.build(year, wait=False) is False
    finally:
        other.close()
    assert stored_year_figures(year).summary.total == 2


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's locked database")
def test_on_sqlite_a_build_another_thread_blocks_leaves_the_last_one(
    departement: Territory, monkeypatch: pytest.MonkeyPatch
) -> None:
    year = late_request(departement)
    assert stored_year_figures(year).summary.total == 1
    late_request(departement)

    def locked(year: int, *, wait: bool = True) -> bool:
        raise OperationalError("database is locked")

    monkeypatch.setattr(stored_figures, "build", locked)
    assert stored_year_figures(year).summary.total == 1  # the last build
    FigureState.objects.filter(year=year).delete()  # never built: nothing to show instead
    with pytest.raises(OperationalError):
        stored_year_figures(year)


def test_the_summary_writes_large_counts_as_the_tables_do(
    departement: Territory, client: Client, coordinator: User
) -> None:
    year = late_request(departement)
    stored_figures.ensure_built(year)
    FigureGroup.objects.filter(year=year, dimension="").update(
        total=12_345, answered=12_000, surveys=4_567, critical_context=3_210
    )
    client.force_login(coordinator)
    page = client.get(reverse("advice:figures") + f"?annee={year}").content.decode()
    assert "<strong>12\u00a0345</strong>" in page
    assert "<strong>12\u00a0000</strong>" in page
    assert "(4\u00a0567 questionnaires)" in page
    assert "(3\u00a0210 demandes concernées)" in page


def test_hostile_choices_fall_back_to_the_defaults(
    departement: Territory, client: Client, coordinator: User, agency_viewer: User
) -> None:
    year = late_request(departement)
    client.force_login(coordinator)
    for query in (
        "?annee=abc&par=<script>&periode=1e9",
        "?annee=99999&par=__class__&periode=",
        "?annee=-1&par=team%00&periode=week'--",
    ):
        for name in ("advice:figures", "advice:figures-csv", "advice:figures-xlsx"):
            response = client.get(reverse(name) + query)
            assert response.status_code == 200, (name, query)
        page = client.get(reverse("advice:figures") + query).content.decode()
        assert f"Chiffres du conseil — {year}" in page
        assert "<script>" not in page
    # The agency sees no team breakdown, even when it asks for it.
    client.force_login(agency_viewer)
    page = client.get(reverse("advice:figures") + "?par=team").content.decode()
    assert 'value="team"' not in page


def test_an_answer_deleted_is_in_the_figures_at_the_next_view(
    region_with_demo: None, ema_responder: User
) -> None:
    request = open_request_of(2026)
    answer = request.answer(
        by=ema_responder,
        recommendation="change",
        agents=[AgentChoice("J01CA04", "O"), AgentChoice("J01MA02", "O")],
        duration_days=5,
        text="Deux antibiotiques.",
        expected_version=request.version,
    )
    assert_same(2026)
    answer.delete()  # its agents go with it (CASCADE)
    assert_same(2026)
