"""Accessibility journey (issue #14, point 7): axe-core over the main pages, public and
staff, at desktop and phone width; the searchable antibiotic picker used with the
keyboard alone; a failed submit leads to an error summary and an « Erreur » title.

axe-core is vendored for the tests (tests/vendor/axe-core, MPL-2.0) and run in the page
through the DevTools protocol, so the site's Content-Security-Policy stays as it is.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from cratb.accounts.models import User
from cratb.accounts.tests.factories import PASSWORD
from cratb.advice.models import AdviceRequest
from cratb.advice.tests.factories import AdviceRequestFactory
from cratb.network.models import Organization, Territory
from cratb.training.tests.factories import RegistrationFactory, SessionFactory
from tests.journeys.test_login_journey import RESULTS_DIR, _log_in

pytestmark = pytest.mark.journey

AXE = (Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js").read_text()
#: WCAG 2.1 A and AA, and axe's best practices (landmarks, headings, regions).
AXE_RUN = """async () => {
  const result = await axe.run(document, {runOnly: {type: "tag",
    values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}});
  return result.violations.map(v => ({id: v.id, impact: v.impact,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
}"""


@pytest.fixture(autouse=True)
def journey_settings(settings: Settings, tmp_path: Path, live_server: LiveServer) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = live_server.url
    settings.CRATB_REGION = "11"


def axe_violations(page: Page) -> list[dict[str, Any]]:
    page.evaluate(AXE)
    found: list[dict[str, Any]] = page.evaluate(AXE_RUN)
    return found


def check(page: Page, url: str, *, width: int) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    assert axe_violations(page) == [], url
    # No sideways scroll: the page fits the screen, wide tables scroll in their own box.
    assert page.evaluate("document.documentElement.scrollWidth") <= width, url


def shot(page: Page, name: str) -> None:
    RESULTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=RESULTS_DIR / f"a11y-{name}.png", full_page=True)


@pytest.fixture
def content(departement: Territory, ema_team: Organization) -> AdviceRequest:
    session = SessionFactory.create(departement=departement)
    RegistrationFactory.create(session=session)
    return AdviceRequestFactory.create(
        departement=departement, team=ema_team, received_at=timezone.now() - timedelta(hours=2)
    )


def test_main_pages_pass_axe_at_desktop_and_phone_width(
    live_server: LiveServer, contexts: Any, coordinator: User, content: AdviceRequest
) -> None:
    session = content.departement.training_sessions.get()
    public = [
        reverse("public:home"),
        reverse("advice:request-create"),
        reverse("training:agenda"),
        reverse("training:session", args=[session.pk]),
        reverse("network:public-directory"),
        reverse("accounts:login"),
    ]
    staff = [
        reverse("advice:inbox"),
        reverse("advice:request-detail", args=[content.pk]),
        reverse("advice:figures"),
        reverse("dashboards:home"),
        reverse("dashboards:import-list"),
        reverse("dashboards:publication-list"),
        reverse("network:map"),
        reverse("network:gaps"),
        reverse("training:home"),
        reverse("training:session-manage", args=[session.pk]),
    ]
    for width in (1280, 320):
        visitor = contexts(width)
        for url in public:
            check(visitor, live_server.url + url, width=width)
        staff_page = contexts(width)
        _log_in(
            staff_page,
            base_url=live_server.url,
            username=coordinator.username,
            password=PASSWORD,
        )
        for url in staff:
            check(staff_page, live_server.url + url, width=width)
        for url in ("/en" + reverse("network:map"), "/en" + reverse("advice:figures")):
            check(staff_page, live_server.url + url, width=width)
        shot(staff_page, f"request-{width}")


def test_the_antibiotic_picker_works_with_the_keyboard_and_a_failed_submit_is_summarised(
    live_server: LiveServer, contexts: Any, region: Territory, departement: Territory
) -> None:
    page = contexts(375)
    page.goto(live_server.url + reverse("advice:request-create"))
    # The label leads to the picker's input: type without the accent, choose with Enter.
    picker = page.get_by_role("combobox", name="Antibiotiques envisagés")
    picker.click()
    page.keyboard.type("cefa")
    options = page.locator("#id_agents_considered-ts-dropdown").get_by_role("option")
    expect(options.first).to_have_text("céfaclor (J01DC04)")
    page.keyboard.press("Enter")
    page.keyboard.type("colisti")
    expect(options.first).to_have_text("colistine (J01XB01)")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    chosen = page.eval_on_selector(
        "#id_agents_considered", "s => Array.from(s.selectedOptions).map(o => o.value)"
    )
    assert chosen == ["J01DC04", "J01XB01"]
    assert axe_violations(page) == []
    shot(page, "picker-375")
    # Send with the required fields empty: the page says so in its title, the summary takes
    # the focus and its links lead to the fields; the chosen antibiotics are kept.
    page.get_by_role("button", name="Envoyer ma demande").click()
    expect(page).to_have_title("Erreur : Demander un avis · CRAtb")
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Votre nom : Ce champ est obligatoire.").click()
    expect(page.locator("#id_requester_name")).to_be_focused()
    kept = page.eval_on_selector(
        "#id_agents_considered", "s => Array.from(s.selectedOptions).map(o => o.value)"
    )
    assert kept == ["J01DC04", "J01XB01"]
    assert axe_violations(page) == []
    shot(page, "errors-375")
