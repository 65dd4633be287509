"""Browser journey of the guidelines (issue #18, « Done when »): coordination publishes a
guideline, then a new version of it (the first stays reachable, marked superseded); a GP
finds it by searching from the public site's home page, signed out; the EMA responder
answering an advice request attaches it, and the answer's page links to it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from cratb.accounts.models import User
from cratb.accounts.tests.factories import PASSWORD
from cratb.advice.tests.factories import AdviceRequestFactory
from cratb.cms.tests.factories import home_page
from cratb.guidelines.models import Document
from cratb.network.models import Organization, Territory
from tests.journeys.test_login_journey import RESULTS_DIR, _log_in

pytestmark = pytest.mark.journey

TITLE = "Pyélonéphrite aiguë de l'adulte — protocole régional"


@pytest.fixture(autouse=True)
def journey_settings(settings: Settings, tmp_path: Path, live_server: LiveServer) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = live_server.url


def shot(page: Page, name: str) -> None:
    RESULTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=RESULTS_DIR / f"guidelines-{name}.png", full_page=True)


def fill_document(page: Page, *, summary: str, published_on: str, url: str) -> None:
    page.get_by_label("Résumé").fill(summary)
    page.get_by_label("Secteur").select_option("community")
    page.get_by_label("Public visé").select_option("all")
    page.get_by_label("Source (auteur, éditeur)").fill("CRAtb, groupe régional")
    page.get_by_label("Date de publication").fill(published_on)
    page.get_by_label("Lien externe").fill(url)


def test_a_guideline_published_versioned_found_and_cited(
    live_server: LiveServer,
    contexts: Any,
    coordinator: User,
    ema_responder: User,
    departement: Territory,
    ema_team: Organization,
) -> None:
    home_page()
    # 1. Coordination publishes the guideline, then its second version.
    editor = contexts(1280)
    _log_in(editor, base_url=live_server.url, username=coordinator.username, password=PASSWORD)
    editor.goto(live_server.url + reverse("guidelines:manage"))
    editor.get_by_role("link", name="Nouveau document").click()
    editor.get_by_label("Titre").fill(TITLE)
    fill_document(
        editor,
        summary="Traitement probabiliste et relais oral de la pyélonéphrite aiguë simple.",
        published_on="2024-03-01",
        url="https://cratb.exemple.fr/protocoles/pna-2024",
    )
    editor.get_by_role("button", name="Enregistrer").click()
    expect(editor.get_by_role("heading", level=1)).to_have_text(TITLE)
    first = Document.objects.get(title=TITLE)

    editor.get_by_role("link", name="Publier une nouvelle version").click()
    fill_document(
        editor,
        summary="Durées raccourcies à 7 jours sous fluoroquinolone ; relais oral précoce.",
        published_on="2025-10-06",
        url="https://cratb.exemple.fr/protocoles/pna-2025",
    )
    editor.get_by_role("button", name="Enregistrer").click()
    expect(editor.get_by_text("en vigueur").first).to_be_visible()
    second = Document.objects.get(previous=first)
    assert second.version == 2
    editor.goto(live_server.url + reverse("guidelines:document", args=[first.pk]))
    expect(editor.get_by_text("remplacée : elle reste consultable")).to_be_visible()
    shot(editor, "1-superseded")

    # 2. A GP, signed out, finds it from the site's home page by searching.
    gp = contexts(375)
    gp.goto(live_server.url + "/")
    gp.get_by_role("link", name="Recommandations et documents").first.click()
    gp.get_by_label("Rechercher").fill("pyelonephrite fluoroquinolone")
    gp.get_by_role("button", name="Chercher").click()
    results = gp.get_by_role("link", name=TITLE)
    expect(results).to_have_count(1)
    results.click()
    expect(gp.get_by_text("Durées raccourcies à 7 jours")).to_be_visible()
    assert gp.url.endswith(reverse("guidelines:document", args=[second.pk]))
    shot(gp, "2-found-375")

    # 3. The EMA responder attaches it to an answer; the answer links to it.
    request = AdviceRequestFactory.create(
        departement=departement, team=ema_team, assignee=ema_responder
    )
    responder = contexts(1280)
    _log_in(responder, base_url=live_server.url, username=ema_responder.username, password=PASSWORD)
    responder.goto(live_server.url + reverse("advice:request-detail", args=[request.pk]))
    responder.get_by_label("Recommandation", exact=True).select_option("change")
    responder.get_by_label("Antibiotique recommandé 1").select_option("J01EE01")
    responder.get_by_label("Voie 1").select_option("O")
    responder.get_by_label("Durée de traitement recommandée (jours)").fill("7")
    responder.get_by_label("Avis", exact=True).fill(
        "Relais par cotrimoxazole per os si sensible, 7 jours au total."
    )
    responder.get_by_label("Recommandations citées").select_option(value=str(second.pk))
    responder.get_by_role("button", name="Enregistrer et envoyer l'avis").click()
    expect(responder.get_by_text("Votre avis est enregistré")).to_be_visible()
    cited = responder.get_by_role("link", name=TITLE)
    expect(cited.first).to_be_visible()
    assert reverse("guidelines:document", args=[second.pk]) in (
        cited.first.get_attribute("href") or ""
    )
    shot(responder, "3-cited")
