"""Browser journeys of issue #4: an EMA member reads the cumulative antibiogram of the
community and downloads it as PDF; a lab user creates an API token."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from cratb.accounts.models import User
from cratb.accounts.tests.factories import PASSWORD
from cratb.engine.sources import import_file
from cratb.resistance.models import ApiToken, LabAccount
from cratb.resistance.tests.factories import LabAccountFactory
from tests.journeys.test_login_journey import RESULTS_DIR, _log_in

pytestmark = pytest.mark.journey

HEADER = (
    "isolate_id,patient_id,sampled_on,specimen,setting,departement,lab_id,organism,antibiotic,sir"
)


@pytest.fixture
def warehouse(settings: Settings, tmp_path: Path) -> Path:
    rows = [
        f"A{i},P{i},2025-03-01,urine,community,75,L1,E. coli,{ab},{'R' if i % 5 == 0 else 'S'}"
        for i in range(40)
        for ab in ("AMX", "FOS")
    ]
    path = tmp_path / "i.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    warehouse = tmp_path / "w.duckdb"
    import_file("isolates", path, warehouse=warehouse)
    settings.CRATB_WAREHOUSE = warehouse
    return warehouse


def test_an_ema_member_reads_and_downloads_the_antibiogram(
    live_server: LiveServer, page: Page, ema_responder: User, warehouse: Path
) -> None:
    _log_in(page, base_url=live_server.url, username=ema_responder.username, password=PASSWORD)
    page.get_by_role("link", name="Résistances").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Antibiogramme cumulé")
    page.get_by_label("Du", exact=True).fill("2025-01-01")
    page.get_by_label("Au", exact=True).fill("2025-12-31")
    page.get_by_role("button", name="Afficher").click()
    table = page.get_by_role("table")
    expect(table).to_contain_text("Escherichia coli")
    # 32 of 40 susceptible: 80 %, with its Wilson 95 % interval in the same cell.
    expect(table.get_by_role("cell", name=re.compile(r"^80\b")).first).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF à imprimer").click()
    assert download.value.suggested_filename.endswith(".pdf")
    RESULTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=RESULTS_DIR / "resistance-antibiogram.png", full_page=True)


def test_a_lab_user_creates_an_api_token(
    live_server: LiveServer, page: Page, lab_client: User
) -> None:
    account: LabAccount = LabAccountFactory.create(user=lab_client, lab_id="LBM-75-01")
    _log_in(page, base_url=live_server.url, username=lab_client.username, password=PASSWORD)
    assert page.url == live_server.url + reverse("resistance:tokens")
    page.get_by_label("Libellé").fill("logiciel du laboratoire")
    page.get_by_role("button", name="Créer le jeton").click()
    key = page.locator("code.secret").inner_text()
    assert ApiToken.authenticate(key) is not None
    assert ApiToken.objects.get().user == account.user
    page.get_by_role("button", name="Révoquer").click()
    expect(page.get_by_role("status").first).to_contain_text("révoqué")
    assert ApiToken.authenticate(key) is None
