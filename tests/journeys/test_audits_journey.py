"""Browser journey: an EMA member enters a case of a practice audit; coordination reads the
results and the team's feedback page."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cratb.accounts.models import User
from cratb.accounts.tests.factories import PASSWORD
from cratb.audits.models import AuditCampaign, AuditCase, AuditGrid
from cratb.network.models import Organization
from tests.journeys.test_login_journey import RESULTS_DIR, _log_in

pytestmark = [pytest.mark.journey, pytest.mark.django_db(transaction=True)]

GRID = (
    Path(__file__).resolve().parents[2] / "cratb" / "audits" / "grid_files" / "cystite-ville.yaml"
)


def test_a_participant_enters_a_case_and_coordination_reads_the_results(
    live_server: LiveServer,
    page: Page,
    ema_responder: User,
    ema_team: Organization,
    coordinator: User,
) -> None:
    version = AuditGrid.save_version(GRID.read_text(encoding="utf-8"))
    campaign = AuditCampaign.launch(
        title="Cystites, audit de printemps",
        grid_version=version,
        period_start=datetime.date(2025, 3, 1),
        period_end=datetime.date(2025, 4, 30),
        organizations=[ema_team],
        practitioners=[],
        user=coordinator,
    )
    _log_in(page, base_url=live_server.url, username=ema_responder.username, password=PASSWORD)
    page.goto(live_server.url + "/audits/")
    page.get_by_role("link", name="saisir un cas").click()
    expect(page.get_by_role("heading", name="Saisir un cas")).to_be_visible()
    page.get_by_label("Situation clinique").select_option("cystite_simple")
    page.get_by_label("Bandelette urinaire réalisée").select_option("oui")
    page.get_by_label("Antibiotique prescrit (cystite simple)").select_option("pivmecillinam")
    page.get_by_label("Durée prescrite (cystite simple) (jours)").fill("5")
    page.get_by_label("Pas de fluoroquinolone prescrite").select_option("oui")
    page.get_by_role("button", name="Enregistrer le cas").click()
    expect(page.get_by_text("Cas n° 1 enregistré")).to_be_visible()
    assert AuditCase.objects.filter(campaign=campaign).count() == 1
    page.context.clear_cookies()

    _log_in(page, base_url=live_server.url, username=coordinator.username, password=PASSWORD)
    page.goto(live_server.url + f"/audits/campagnes/{campaign.pk}/")
    expect(page.get_by_text("Cas saisis : 1 ; participants : 1.")).to_be_visible()
    # The duration of 5 days is not within 1 to 3: 0 of 1 for this criterion.
    row = page.get_by_role("row", name="Durée prescrite (cystite simple) entre 1 et 3 jours")
    expect(row).to_contain_text("0 / 1")
    page.get_by_role("link", name=str(ema_team)).click()
    expect(page.get_by_role("link", name="Fiche de retour (PDF)")).to_be_visible()
    RESULTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS_DIR / "audits-journey.png"), full_page=True)
