"""Browser journeys of the public site's pages (issue #18, points 1 and 6): coordination
creates and publishes a page in the editor (Wagtail) and a signed-out visitor reads it; the
editor works under the site's Content-Security-Policy (every violation the browser reports
is collected); axe-core finds nothing on the public pages, the site's pages included, at
desktop and phone width. Screenshots land in test-results/ (cms-*.png)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from cratb.accounts.models import User
from cratb.accounts.tests.factories import PASSWORD
from cratb.cms.models import HomePage
from cratb.cms.tests.factories import home_page
from cratb.demo.site import build_demo
from cratb.guidelines.models import Document
from cratb.letters.models import NewsItem
from cratb.network.models import Organization, Territory
from tests.journeys.test_accessibility_journey import axe_violations
from tests.journeys.test_login_journey import RESULTS_DIR, _log_in

pytestmark = pytest.mark.journey


@pytest.fixture(autouse=True)
def journey_settings(settings: Settings, tmp_path: Path, live_server: LiveServer) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = live_server.url
    settings.WAGTAILADMIN_BASE_URL = live_server.url


def csp_violations(page: Page) -> list[str]:
    """Every Content-Security-Policy refusal the browser reports on ``page``."""
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return found


def shot(page: Page, name: str) -> None:
    RESULTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=RESULTS_DIR / f"cms-{name}.png", full_page=True)


def test_coordination_creates_and_publishes_a_page_a_visitor_reads_it(
    live_server: LiveServer, contexts: Any, coordinator: User
) -> None:
    home = home_page()
    editor = contexts(1280)
    refused = csp_violations(editor)
    _log_in(editor, base_url=live_server.url, username=coordinator.username, password=PASSWORD)

    editor.goto(live_server.url + "/edition/")
    expect(editor.get_by_role("heading", level=1).first).to_be_visible()
    shot(editor, "editor-dashboard-1280")
    editor.goto(live_server.url + f"/edition/pages/add/cms/contentpage/{home.pk}/")
    shot(editor, "editor-new-page-1280")

    editor.locator("#id_title").fill("Journée régionale 2026 du réseau")
    editor.locator("#id_lead").fill("Le programme et les inscriptions de la journée.")
    body = editor.locator(".Draftail-Editor [contenteditable=true]").first
    body.click()
    body.type("La journée régionale aura lieu le 10 décembre à la faculté de médecine.")
    # Draftail writes its content into the form's hidden field when the editor loses focus,
    # as it does when a person moves on to the next field.
    editor.locator("#id_lead").click()
    expect(editor.locator("input[name=body]")).not_to_have_value("")
    shot(editor, "editor-1280")

    editor.get_by_role("tab", name="Promotion").click()
    editor.locator("#id_search_description").fill(
        "La journée régionale 2026 du réseau des EMA : programme et inscriptions."
    )
    editor.locator("footer .w-dropdown__toggle").first.click()
    editor.get_by_role("button", name="Publier").click()
    expect(editor.locator(".messages")).to_contain_text("publiée")

    page = HomePage.objects.get().get_children().get(title="Journée régionale 2026 du réseau")
    visitor = contexts(375)
    visitor.goto(live_server.url + page.url)
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Journée régionale 2026 du réseau")
    expect(visitor.locator("main")).to_contain_text("10 décembre à la faculté de médecine")
    shot(visitor, "new-page-375")

    # The editor on a phone: the page opens for editing.
    phone = contexts(375)
    refused_on_phone = csp_violations(phone)
    _log_in(phone, base_url=live_server.url, username=coordinator.username, password=PASSWORD)
    phone.goto(live_server.url + f"/edition/pages/{page.pk}/edit/")
    expect(phone.locator("#id_title")).to_have_value("Journée régionale 2026 du réseau")
    shot(phone, "editor-375")
    assert refused_on_phone == []
    # The editor, its rich text and its publishing menu run under the site's policy.
    assert refused == []


def test_the_editor_is_refused_to_other_roles_in_the_browser(
    live_server: LiveServer, contexts: Any, requester: User
) -> None:
    home_page()
    page = contexts(1280)
    _log_in(page, base_url=live_server.url, username=requester.username, password=PASSWORD)
    response = page.goto(live_server.url + "/edition/")
    assert response is not None and response.status == 403


@pytest.fixture
def public_site(region: Territory, departement: Territory) -> dict[str, str]:
    home_page()
    Organization.objects.create(
        name="CHU de démonstration",
        kind=Organization.Kind.HOSPITAL,
        category="chu",
        departement=departement,
    )
    build_demo(region_code=region.code)
    news = NewsItem.objects.create(
        title="Journée régionale",
        summary="Le programme de la journée régionale du réseau et les inscriptions.",
        body="Texte.",
        published=True,
    )
    document = Document.objects.create(
        title="Cystite aiguë simple de la femme",
        summary="Fiche mémo de la HAS : diagnostic et traitement de la cystite aiguë simple.",
        sector="community",
        audience="all",
        source="HAS",
        published_on=date(2024, 1, 1),
        url="https://www.has-sante.fr/",
    )
    return {
        "home": "/",
        "about": "/le-centre/",
        "team": "/equipe/",
        "phone-lines": "/lignes-telephoniques/",
        "advice": "/demander-un-avis/",
        "week": "/semaine-antibiotiques/",
        "legal-notices": "/mentions-legales/",
        "guidelines": reverse("guidelines:index"),
        "document": reverse("guidelines:document", args=[document.pk]),
        "news": reverse("letters:news-list"),
        "news-item": reverse("letters:news", args=[news.pk]),
        "subscribe": reverse("letters:subscribe"),
        "agenda": reverse("training:agenda"),
        "directory": reverse("network:public-directory"),
    }


def test_public_pages_pass_axe_and_have_a_description(
    live_server: LiveServer, contexts: Any, public_site: dict[str, str]
) -> None:
    for width in (1280, 375):
        visitor = contexts(width)
        for name, path in public_site.items():
            visitor.goto(live_server.url + path)
            visitor.wait_for_load_state("networkidle")
            assert axe_violations(visitor) == [], path
            assert visitor.evaluate("document.documentElement.scrollWidth") <= width, path
            description = visitor.locator('meta[name="description"]')
            expect(description).to_have_count(1)
            assert (description.get_attribute("content") or "").strip(), path
            if name in {"home", "about", "phone-lines", "legal-notices", "team"}:
                shot(visitor, f"{name}-{width}")


def test_coordination_adds_a_phone_line_in_the_editor(
    live_server: LiveServer, contexts: Any, coordinator: User, public_site: dict[str, str]
) -> None:
    from cratb.cms.models import PhoneLinesPage

    lines_page = PhoneLinesPage.objects.get()
    before = lines_page.lines.count()
    editor = contexts(1280)
    refused = csp_violations(editor)
    _log_in(editor, base_url=live_server.url, username=coordinator.username, password=PASSWORD)
    editor.goto(live_server.url + f"/edition/pages/{lines_page.pk}/edit/")
    # The inline panel's « add » button is set up by the editor's scripts.
    editor.locator("#id_lines-ADD").click()
    new = f"#id_lines-{before}-"
    editor.locator(new + "sub_region").fill("Essonne (91)")
    editor.locator(new + "number").fill("01 99 00 14 91")
    editor.locator(new + "hours").fill("Du lundi au vendredi, de 9 h à 17 h")
    editor.locator(new + "antenna").fill("Centre hospitalier Sud-Francilien")
    shot(editor, "editor-phone-lines-1280")
    editor.locator("footer .w-dropdown__toggle").first.click()
    editor.get_by_role("button", name="Publier").click()
    expect(editor.locator(".messages")).to_contain_text("publiée")
    assert refused == []

    visitor = contexts(375)
    visitor.goto(live_server.url + "/lignes-telephoniques/")
    row = visitor.get_by_role("listitem").filter(has_text="Essonne (91)")
    expect(row).to_contain_text("01 99 00 14 91")
    expect(row).to_contain_text("Centre hospitalier Sud-Francilien")
