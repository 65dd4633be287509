"""Browser journey of the annual activity report: the coordination writes a section,
validates the report and downloads it in both formats; the agency then reads it."""

from __future__ import annotations

import io

import pytest
from docx import Document as read_docx
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from pytest_django.live_server_helper import LiveServer

from cratb.accounts.models import User
from cratb.accounts.tests.factories import PASSWORD
from cratb.dashboards.tests.factories import IndicatorValueFactory, PublicationFactory
from cratb.network.models import Territory
from tests.journeys.test_login_journey import RESULTS_DIR, _log_in

pytestmark = pytest.mark.journey

TEXT = "La consommation en ville baisse depuis 2019 sans atteindre l'objectif."


def test_coordination_writes_validates_and_the_agency_reads(
    live_server: LiveServer,
    page: Page,
    coordinator: User,
    agency_viewer: User,
    departement: Territory,
) -> None:
    publication = PublicationFactory.create()
    for year, value in ((2019, 932.35), (2025, 878.73)):
        IndicatorValueFactory.create(
            publication=publication,
            indicator="community.prescriptions_per_1000",
            year=year,
            value=value,
        )
    _log_in(page, base_url=live_server.url, username=coordinator.username, password=PASSWORD)
    page.get_by_role("link", name="Rapport annuel").first.click()
    page.get_by_label("Année du rapport").fill("2025")
    page.get_by_role("button", name="Ouvrir le projet de rapport").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapport annuel d'activité 2025")
    expect(page.get_by_text("878,7").first).to_be_visible()

    section = page.locator("#section-surveillance")
    section.get_by_text("Modifier le texte").click()
    section.get_by_label("Texte de la section").fill(TEXT)
    section.get_by_role("button", name="Enregistrer le texte").click()
    expect(page.get_by_text("Texte enregistré.")).to_be_visible()
    expect(section.get_by_role("paragraph").filter(has_text=TEXT)).to_be_visible()

    page.get_by_role("button", name="Valider la version").click()
    expect(page.get_by_text("Rapport validé : son contenu est désormais figé.")).to_be_visible()
    RESULTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=RESULTS_DIR / "report-validated.png", full_page=True)

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Télécharger (PDF)").click()
    pdf = PdfReader(io.BytesIO(pdf_download.value.path().read_bytes()))
    assert TEXT in " ".join(p.extract_text() for p in pdf.pages).replace("\n", " ")
    with page.expect_download() as docx_download:
        page.get_by_role("link", name="Télécharger (Word, DOCX)").click()
    assert docx_download.value.suggested_filename == "rapport-annuel-2025.docx"
    doc = read_docx(str(docx_download.value.path()))
    assert TEXT in [p.text for p in doc.paragraphs]

    page.context.clear_cookies()
    _log_in(page, base_url=live_server.url, username=agency_viewer.username, password=PASSWORD)
    page.get_by_role("link", name="Rapport annuel").first.click()
    page.get_by_role("link", name="Rapport 2025").click()
    expect(page.get_by_text(TEXT)).to_be_visible()
    expect(page.get_by_text("Version validée le")).to_be_visible()
    expect(page.get_by_text("Modifier le texte")).to_have_count(0)
    page.screenshot(path=RESULTS_DIR / "report-agency.png", full_page=True)
