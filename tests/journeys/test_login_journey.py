"""Browser journey: a coordinator logs in and lands on the dashboard home.

Runs Playwright on the system Chromium (Debian's ``chromium`` package), never on
a browser downloaded by Playwright, so the same test runs on a closed network.
Without Chromium the test is skipped on a workstation but fails in CI (CI=true):
a journey that silently does not run is a journey nobody checks.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from cratb.accounts.models import User
from cratb.accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.journey

#: Screenshots land here (git-ignored) so a person can look at what the browser saw.
RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"


def _log_in(page: Page, *, base_url: str, username: str, password: str) -> None:
    page.goto(base_url + reverse("accounts:login"))
    page.get_by_label("Identifiant", exact=True).fill(username)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    page.get_by_role("button", name="Se connecter").click()


def test_coordinator_logs_in_and_sees_the_dashboard(
    live_server: LiveServer, page: Page, coordinator: User
) -> None:
    _log_in(page, base_url=live_server.url, username=coordinator.username, password=PASSWORD)

    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord")
    assert page.url == live_server.url + reverse("dashboards:home")
    RESULTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=RESULTS_DIR / "login-dashboard.png", full_page=True)


def test_wrong_password_keeps_the_visitor_on_the_login_page_with_an_error(
    live_server: LiveServer, page: Page, coordinator: User
) -> None:
    _log_in(page, base_url=live_server.url, username=coordinator.username, password="pas-le-bon")

    expect(page.get_by_role("alert")).to_contain_text("mot de passe incorrect")
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion")
    assert page.url == live_server.url + reverse("accounts:login")
    RESULTS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=RESULTS_DIR / "login-wrong-password.png", full_page=True)
