"""Browser journeys of the news and letters: a visitor reads the news, subscribes,
confirms by the link in the mail and unsubscribes; coordination writes a letter, previews
it, sends it and reads its delivery log."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect
from pytest_django.fixtures import Settings as SettingsWrapper
from pytest_django.live_server_helper import LiveServer

from cratb.accounts.models import User
from cratb.accounts.tests.factories import PASSWORD
from cratb.letters.models import Consent, Delivery
from cratb.letters.tests.conftest import Directory, directory, subscribe
from tests.journeys.test_accessibility_journey import axe_violations
from tests.journeys.test_login_journey import RESULTS_DIR, _log_in

pytestmark = pytest.mark.journey
__all__ = ["directory"]  # a fixture used by the tests below

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _path(body: str, part: str) -> str:
    match = re.search(r"https?://[^/\s]+(" + part + r"\S+)", body)
    assert match, body
    return match.group(1)


def _shots(page: Page, name: str) -> None:
    """Screenshots at 1280 and 375 px; at each width, axe finds nothing and the page needs
    no sideways scroll."""
    RESULTS_DIR.mkdir(exist_ok=True)
    for width, suffix in ((1280, ""), (375, "-375")):
        page.set_viewport_size({"width": width, "height": 900})
        assert axe_violations(page) == [], (name, width)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
        page.screenshot(path=RESULTS_DIR / f"{name}{suffix}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_visitor_subscribes_confirms_and_unsubscribes(
    live_server: LiveServer, page: Page, directory: Directory
) -> None:
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Actualités", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Actualités")
    _shots(page, "letters-news")
    page.get_by_role("link", name="Semaine de sensibilisation").click()
    expect(page.get_by_text("Second paragraphe.")).to_be_visible()
    _shots(page, "letters-news-item")
    page.get_by_role("link", name="Recevoir les lettres par courriel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recevoir les lettres du CRAtb")
    _shots(page, "letters-subscribe")
    page.get_by_label("Votre adresse électronique").fill("lea@exemple.fr")
    page.get_by_label(re.compile("J'accepte de recevoir")).check()
    page.get_by_role("button", name="M'inscrire").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifiez votre messagerie")
    assert Consent.subscribed() == []
    assert [m.to for m in mail.outbox] == [["lea@exemple.fr"]]
    page.goto(live_server.url + _path(str(mail.outbox[0].body), "/actualites/lettres/confirmer/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Inscription confirmée")
    assert Consent.subscribed() == ["lea@exemple.fr"]
    # A tampered unsubscribe link: a clear message, nothing changed.
    page.goto(live_server.url + "/actualites/lettres/desinscription/lea@exemple.fr:faux/")
    expect(page.get_by_text("Lien de désinscription invalide")).to_be_visible()
    assert Consent.subscribed() == ["lea@exemple.fr"]


def test_coordination_sends_a_letter_and_reads_its_log(
    live_server: LiveServer,
    page: Page,
    directory: Directory,
    coordinator: User,
    settings: SettingsWrapper,
) -> None:
    settings.TASKS = IMMEDIATE
    subscribe("abonne@exemple.fr")
    _log_in(page, base_url=live_server.url, username=coordinator.username, password=PASSWORD)
    page.get_by_role("link", name="Actualités et lettres").first.click()
    _shots(page, "letters-manage")
    page.get_by_role("link", name="Nouvelle lettre").click()
    page.get_by_label("Objet").fill("Lettre aux biologistes 2025")
    page.get_by_label("Introduction").fill("Bonjour,\n\nVoici les nouvelles de l'année.")
    page.get_by_label("Destinataires").select_option("biologists")
    page.get_by_label("Semaine de sensibilisation").check()
    page.get_by_label("Cystite de la femme").check()
    _shots(page, "letters-form")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lettre aux biologistes 2025")
    expect(page.get_by_text("2 destinataires aujourd'hui")).to_be_visible()
    expect(page.locator("pre")).to_contain_text("Cystite de la femme")
    _shots(page, "letters-preview")
    page.get_by_role("button", name="Envoyer la lettre").click()
    expect(page.get_by_text("2 envoyée(s), 0 en échec")).to_be_visible()
    expect(page.get_by_role("cell", name="bio@lab.example")).to_be_visible()
    expect(page.get_by_role("cell", name="abonne@exemple.fr")).to_be_visible()
    _shots(page, "letters-log")
    assert sorted(m.to[0] for m in mail.outbox) == ["abonne@exemple.fr", "bio@lab.example"]
    assert Delivery.objects.filter(sent=True).count() == 2
    # The mail's one-click link unsubscribes its recipient.
    message = next(m for m in mail.outbox if m.to == ["abonne@exemple.fr"])
    page.goto(live_server.url + _path(str(message.body), "/actualites/lettres/desinscription/"))
    page.get_by_role("button", name="Me désinscrire").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Désinscription faite")
    assert Consent.subscribed() == []
