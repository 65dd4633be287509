"""Browser journey of the yearly cycle: an EMA member fills and submits the team's
activity report; coordination returns it with a comment, the team corrects and submits
it again, coordination validates it, and the form is locked."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cratb.accounts.models import User
from cratb.accounts.tests.factories import PASSWORD
from cratb.activity.campaigns import open_campaign
from cratb.activity.models import Kind, State, Submission
from cratb.network.models import Organization
from tests.journeys.test_login_journey import RESULTS_DIR, _log_in

pytestmark = pytest.mark.journey


def _shot(page: Page, name: str) -> None:
    RESULTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=RESULTS_DIR / f"{name}.png", full_page=True)


def _log_out(page: Page) -> None:
    page.context.clear_cookies()


def test_team_submits_coordination_returns_then_validates(
    live_server: LiveServer, page: Page, coordinator: User, ema_responder: User,
    ema_team: Organization,
) -> None:  # fmt: skip
    campaign = open_campaign(
        year=2025, kind=Kind.REPORT, opens_on=datetime.date(2026, 1, 5),
        deadline=datetime.date(2099, 3, 31), teams=[ema_team], by=coordinator,
    )  # fmt: skip
    form = Submission.objects.get(campaign=campaign)

    _log_in(page, base_url=live_server.url, username=ema_responder.username, password=PASSWORD)
    page.goto(live_server.url + reverse("activity:home"))
    page.get_by_role("link", name="Rapport d'activité 2025").click()
    expect(page.get_by_role("heading", name="Chiffres connus de cratb")).to_be_visible()
    page.get_by_label("Réunions tenues").fill("6")
    page.get_by_label("participations aux CAI/CLIN d'autres établissements").fill("2")
    page.get_by_label("CAI/CLIN : lesquels").fill("CAI du CH de Melun\nCLIN de la clinique du Parc")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_text("Rapport enregistré.")).to_be_visible()
    page.get_by_role("button", name="Transmettre à la coordination").click()
    expect(page.get_by_text("Transmis à la coordination.")).to_be_visible()
    _shot(page, "activity-report-submitted")

    _log_out(page)
    _log_in(page, base_url=live_server.url, username=coordinator.username, password=PASSWORD)
    page.goto(live_server.url + reverse("activity:campaign", args=[campaign.pk]))
    page.get_by_role("link", name=ema_team.name).click()
    page.get_by_label("Commentaire pour l'équipe (obligatoire)").fill("Ajoutez les audits.")
    page.get_by_role("button", name="Renvoyer à l'équipe").click()
    expect(page.get_by_text("Renvoyé à l'équipe avec votre commentaire.")).to_be_visible()

    _log_out(page)
    _log_in(page, base_url=live_server.url, username=ema_responder.username, password=PASSWORD)
    page.goto(live_server.url + reverse("activity:submission", args=[form.pk]))
    expect(page.get_by_text("Ajoutez les audits.").first).to_be_visible()
    # The audits are counted from the audits app; the team comments on them.
    expect(page.get_by_role("heading", name="Audits de pratiques 2025 de l'équipe")).to_be_visible()
    page.get_by_label("Audits : commentaire de l'équipe").fill(
        "Audit des ECBU en EHPAD, hors cratb."
    )
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.get_by_role("button", name="Transmettre à la coordination").click()

    _log_out(page)
    _log_in(page, base_url=live_server.url, username=coordinator.username, password=PASSWORD)
    page.goto(live_server.url + reverse("activity:submission", args=[form.pk]))
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_text("Validé : le formulaire est verrouillé.")).to_be_visible()
    _shot(page, "activity-report-validated")

    form.refresh_from_db()
    assert form.state == State.VALIDATED
    assert (form.meetings_count, form.committees_count) == (6, 2)
    assert form.audits_list == "Audit des ECBU en EHPAD, hors cratb."
    assert list(form.events.values_list("kind", flat=True)) == [
        "submitted", "returned", "submitted", "validated",
    ]  # fmt: skip
