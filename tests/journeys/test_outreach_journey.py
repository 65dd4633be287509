"""Browser journey: the health insurance reads a campaign's target list, downloads it and
records its delegate's visit; a visit dated before the campaign is refused."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cratb.accounts.models import User
from cratb.accounts.tests.factories import PASSWORD
from cratb.outreach.models import Campaign, Target, Visit
from tests.journeys.test_login_journey import RESULTS_DIR, _log_in

pytestmark = [pytest.mark.journey, pytest.mark.django_db(transaction=True)]


def test_the_health_insurance_reads_a_campaigns_list_and_records_a_visit(
    live_server: LiveServer, page: Page, insurance_viewer: User
) -> None:
    campaign = Campaign.objects.create(
        title="Gros prescripteurs 2025",
        reference_year=2024,
        rule=Campaign.Rule.ABOVE_998,
        start_date=datetime.date(2025, 7, 1),
    )
    for n, excess in enumerate((42.5, 30.0)):
        Target.objects.create(
            campaign=campaign,
            prescriber_id=f"9911000000{n}",
            specialty="general_practice",
            prescriptions=1500,
            share=36.0,
            peer_share=33.9,
            limit_998_high=35.0,
            excess_lines=excess,
        )
    _log_in(page, base_url=live_server.url, username=insurance_viewer.username, password=PASSWORD)
    page.get_by_role("link", name="Campagnes").first.click()
    page.get_by_role("link", name="Gros prescripteurs 2025").click()
    expect(page.get_by_role("row", name="99110000000")).to_contain_text("Médecine générale")
    with page.expect_download() as download:
        page.get_by_role("link", name="Liste des cibles (CSV)").click()
    assert download.value.suggested_filename.endswith(".csv")

    page.get_by_role("link", name="99110000001").click()
    page.get_by_label("Visiteur", exact=True).select_option(Visit.Visitor.DELEGATE)
    page.get_by_label("Nom du visiteur").fill("Mme Delphine Roux")
    page.get_by_label("Date de la visite").fill("2025-06-30")
    page.get_by_label("Résultat").select_option(Visit.Outcome.DONE)
    page.get_by_role("button", name="Enregistrer").click()
    # Said twice: in the error summary (a link to the field) and beside the field.
    expect(
        page.get_by_text("elle précède le début de la campagne (01/07/2025)").first
    ).to_be_visible()
    page.get_by_label("Date de la visite").fill("2025-07-15")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Visite enregistrée pour 99110000001.")).to_be_visible()
    expect(page.get_by_role("row", name="99110000001")).to_contain_text("Mme Delphine Roux")
    assert Visit.objects.get().visited
    RESULTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS_DIR / "outreach-journey.png"), full_page=True)
