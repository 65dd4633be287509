"""Fixtures of the browser journeys: Playwright on the system Chromium (Debian's
``chromium`` package), never on a browser downloaded by Playwright, so the journeys run
on a closed network. Without Chromium a journey is skipped on a workstation but fails in
CI (CI=true): a journey that silently does not run is a journey nobody checks."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        reason = f"{CHROMIUM} is missing (apt-get install chromium)"
        if _in_ci():
            pytest.fail(f"{reason}: browser journeys are mandatory in CI")
        pytest.skip(reason)
    with pytest.MonkeyPatch.context() as patch:
        # Playwright's sync API keeps an event loop in this thread; without this Django
        # refuses the test's own ORM calls (creating the user, flushing the database).
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A French page at desktop width, in a context of its own."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def contexts(browser: Browser) -> Iterator[Callable[..., Page]]:
    """Makes a French page in a context of its own (one per person of a journey),
    ``width`` pixels wide (1280 by default); every context is closed at the end."""
    opened = []

    def make(width: int = 1280) -> Page:
        context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 900})
        opened.append(context)
        return context.new_page()

    yield make
    for context in opened:
        context.close()
