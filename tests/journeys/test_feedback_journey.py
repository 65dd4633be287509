"""Browser journeys of the feedback reports: the coordination sends a batch of
establishment reports and reads the log; a requester whose directory entry carries an
RPPS reads their own report; an expired link gets a clear message."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from pytest_django.fixtures import Settings as SettingsWrapper
from pytest_django.live_server_helper import LiveServer

from cratb.accounts.models import User
from cratb.accounts.tests.factories import PASSWORD
from cratb.feedback.models import Delivery, Kind, SentReport
from cratb.feedback.sending import make_token
from cratb.feedback.tests.conftest import RPPS, World, world
from cratb.network.models import Practitioner
from tests.journeys.test_login_journey import RESULTS_DIR, _log_in

pytestmark = pytest.mark.journey
__all__ = ["world"]  # a fixture used by the tests below

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_coordination_sends_a_batch_and_reads_the_log(
    live_server: LiveServer, page: Page, world: World, coordinator: User, settings: SettingsWrapper
) -> None:
    settings.TASKS = IMMEDIATE
    _log_in(page, base_url=live_server.url, username=coordinator.username, password=PASSWORD)
    page.get_by_role("link", name="Retours d'information").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapports de retour d'information")
    RESULTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=RESULTS_DIR / "feedback-index.png", full_page=True)
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path=RESULTS_DIR / "feedback-index-375.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label("Rapports", exact=True).select_option("establishment")
    page.get_by_label("Année", exact=True).last.fill("2025")
    page.get_by_label("Envoi", exact=True).select_option("email")
    page.get_by_role("button", name="Lancer l'envoi").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Envoi de rapports")
    expect(page.get_by_text("3 rapport(s) envoyé(s), 1 non envoyé(s)")).to_be_visible()
    expect(page.get_by_text("aucune adresse dans l'annuaire")).to_be_visible()
    page.screenshot(path=RESULTS_DIR / "feedback-batch.png", full_page=True)
    assert sorted(a for m in mail.outbox for a in m.to) == [
        "direction1@ch.example",
        "direction2@ch.example",
        "direction3@ch.example",
    ]
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path=RESULTS_DIR / "feedback-batch-375.png", full_page=True)


def test_requester_reads_their_own_report(
    live_server: LiveServer, page: Page, world: World, requester: User
) -> None:
    Practitioner.objects.filter(rpps=RPPS[0]).update(user=requester)
    _log_in(page, base_url=live_server.url, username=requester.username, password=PASSWORD)
    page.get_by_role("link", name="Mon rapport").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon rapport de prescription")
    RESULTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=RESULTS_DIR / "feedback-mine.png", full_page=True)
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path=RESULTS_DIR / "feedback-mine-375.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    with page.expect_download() as download:
        page.get_by_role("link", name="Rapport 2025 (PDF)").click()
    pdf = PdfReader(io.BytesIO(download.value.path().read_bytes()))
    text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert "Anne Martin" in text
    assert "30,0 %" in text  # 120 of 400 lines

    # Another's report: refused with a message.
    page.goto(live_server.url + f"/retours/prescripteurs/{RPPS[1]}/2025.pdf")
    expect(page.get_by_text("Vous ne pouvez lire que votre propre rapport.")).to_be_visible()


def test_an_expired_link(live_server: LiveServer, page: Page, world: World) -> None:
    entry = SentReport.objects.create(
        kind=Kind.CPTS,
        key="CPTS-01",
        label="CPTS Paris Centre",
        year=2025,
        delivery=Delivery.LINK,
        recipient="paul.durand@cpts.example",
        sent=True,
        expires_at=timezone.now() - timedelta(days=2),
    )
    page.goto(live_server.url + f"/retours/lien/{make_token(entry)}/")
    expect(page.get_by_text("Ce lien a expiré")).to_be_visible()
