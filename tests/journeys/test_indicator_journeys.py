"""Browser journeys of issue #14: the indicators hub and an indicator's page (map, trend,
ranking, downloads) as the coordination and as the agency, in French and in English, on
a desktop screen and at phone width."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from cratb.accounts.models import User
from cratb.accounts.tests.factories import PASSWORD
from cratb.dashboards.models import Publication
from cratb.dashboards.tests.test_indicator_pages import published
from tests.journeys.test_login_journey import RESULTS_DIR, _log_in

pytestmark = pytest.mark.journey
__all__ = ["published"]  # a fixture used by the tests below


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport, f"page {width} px wide in a {viewport} px window"


def test_the_coordination_reads_an_indicator_page_and_downloads_its_values(
    live_server: LiveServer, page: Page, coordinator: User, published: Publication, tmp_path: Path
) -> None:
    _log_in(page, base_url=live_server.url, username=coordinator.username, password=PASSWORD)
    page.goto(live_server.url + "/surveillance/indicateurs/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Indicateurs publiés")
    card = page.locator(".indicator-card", has_text="Consommation d'antibiotiques en ville")
    expect(card).to_contain_text("21,3")
    expect(card).to_contain_text("en baisse depuis 2019")
    card.get_by_role("link").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Consommation d'antibiotiques en ville"
    )
    # The map, the trend and the ranking, each a named image with its table.
    for name in ("par département, 2025", "région, par année", "par département, 2025"):
        expect(page.get_by_role("img", name=name).first).to_be_attached()
    expect(page.get_by_role("heading", name="Carte par département")).to_be_visible()
    expect(page.get_by_role("heading", name="Évolution depuis 2019")).to_be_visible()
    ranking = page.locator("#classement")
    expect(ranking.get_by_role("heading", name="Classement par département")).to_be_visible()
    ranking.locator("summary").click()
    table = ranking.get_by_role("table")
    expect(table.get_by_role("row", name="Paris (75)")).to_contain_text("21,6")

    # Another level, kept in the URL.
    page.get_by_label("Classement par", exact=True).select_option("setting")
    page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_role("heading", name="Classement par lieu de vie")).to_be_visible()
    assert "niveau=setting" in page.url and "annee=2025" in page.url

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger les valeurs (CSV)").click()
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    assert target.name == "indicateur-community-did.csv"
    body = target.read_bytes()
    assert body.startswith(b"\xef\xbb\xbf") and b";valeur;" in body and b"21,6" in body

    page.goto(live_server.url + "/surveillance/indicateurs/community.prescriber_profile/")
    expect(page.get_by_role("heading", name="Entonnoir par prescripteur")).to_be_visible()
    RESULTS_DIR.mkdir(exist_ok=True)
    page.goto(live_server.url + "/surveillance/indicateurs/community.did/")
    page.screenshot(path=RESULTS_DIR / "indicator-page-fr-1280.png", full_page=True)


def test_the_agency_reads_the_english_page_on_a_phone(
    live_server: LiveServer,
    browser: Browser,
    agency_viewer: User,
    published: Publication,
    tmp_path: Path,
) -> None:
    context = browser.new_context(
        locale="en-GB", viewport={"width": 375, "height": 800}, accept_downloads=True
    )
    page = context.new_page()
    try:
        _log_in(page, base_url=live_server.url, username=agency_viewer.username, password=PASSWORD)
        page.goto(live_server.url + "/en/surveillance/indicateurs/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Published indicators")
        _no_sideways_scroll(page)
        page.get_by_role("link", name="Community antibiotic consumption", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Community antibiotic consumption"
        )
        expect(page.get_by_role("heading", name="Map by département")).to_be_visible()
        expect(page.get_by_role("heading", name="Trend since 2019")).to_be_visible()
        expect(page.get_by_role("heading", name="Ranking by département")).to_be_visible()
        expect(page.locator(".headline__value")).to_have_text("21.3")
        # At phone width the narrow variant of each chart is the one shown.
        narrow = page.locator("#carte svg.chart--narrow")
        expect(narrow).to_be_visible()
        expect(page.locator("#carte svg.chart--wide")).to_be_hidden()
        _no_sideways_scroll(page)
        # No prescriber's row for the agency.
        page.goto(live_server.url + "/en/surveillance/indicateurs/community.prescriber_profile/")
        expect(page.get_by_text("Funnel plot by prescriber")).to_have_count(0)
        page.goto(live_server.url + "/en/surveillance/indicateurs/community.did/")
        with page.expect_download() as download:
            page.get_by_role("link", name="Download the values (Excel)").click()
        target = tmp_path / download.value.suggested_filename
        download.value.save_as(target)
        sheet = openpyxl.load_workbook(target).active
        assert sheet is not None
        header = next(sheet.iter_rows(values_only=True))
        assert header[:3] == ("indicator code", "indicator", "unit")
        RESULTS_DIR.mkdir(exist_ok=True)
        page.screenshot(path=RESULTS_DIR / "indicator-page-en-375.png", full_page=True)
    finally:
        context.close()
