"""Who may open each page of the news and letters: anonymous, every role."""

from __future__ import annotations

import pytest
from django.test import Client

from cratb.accounts.models import Role
from cratb.accounts.tests.factories import PERSONAS
from cratb.letters import tokens
from cratb.letters.models import Audience, Letter, NewsItem

pytestmark = pytest.mark.django_db

STAFF: set[str | None] = {Role.COORDINATOR, Role.ADMIN}


def _expected(role: str | None, ok: int = 200) -> int:
    if role is None:
        return 302
    return ok if role in STAFF else 403


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_letters_pages_for_every_persona(
    persona: str, client: Client, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)
    if user.is_authenticated:
        client.force_login(user)
    role = PERSONAS[persona]
    item = NewsItem.objects.create(title="Publiée", summary="s", body="b", published=True)
    hidden = NewsItem.objects.create(title="Brouillon", summary="s", body="b", published=False)
    letter = Letter.objects.create(
        subject="L", introduction="x", audience=Audience.EMA, include_subscribers=False
    )
    confirm = tokens.confirm_token("x@exemple.fr")
    unsubscribe = tokens.unsubscribe_token("x@exemple.fr")
    pages = {
        # Public pages, for everyone.
        "/actualites/": 200,
        f"/actualites/{item.pk}/": 200,
        "/actualites/rss/": 200,
        "/actualites/lettres/inscription/": 200,
        f"/actualites/lettres/confirmer/{confirm}/": 200,
        f"/actualites/lettres/desinscription/{unsubscribe}/": 200,
        # An unpublished item: coordination only (404 for the others, signed in or not).
        f"/actualites/{hidden.pk}/": 200 if role in STAFF else 404,
        # Coordination.
        "/actualites/gestion/": _expected(role),
        "/actualites/gestion/actualites/nouvelle/": _expected(role),
        f"/actualites/gestion/actualites/{item.pk}/modifier/": _expected(role),
        "/actualites/gestion/lettres/nouvelle/": _expected(role),
        f"/actualites/gestion/lettres/{letter.pk}/": _expected(role),
        f"/actualites/gestion/lettres/{letter.pk}/modifier/": _expected(role),
    }
    wrong = []
    for url, expected in pages.items():
        status = client.get(url).status_code
        if status != expected:
            wrong.append(f"GET {url}: {status}, attendu {expected}")
    posts = {
        "/actualites/gestion/actualites/nouvelle/": _expected(role, ok=400),
        "/actualites/gestion/lettres/nouvelle/": _expected(role, ok=400),
        # No EMA member in the directory: refused (400) for coordination.
        f"/actualites/gestion/lettres/{letter.pk}/envoyer/": _expected(role, ok=400),
    }
    for url, expected in posts.items():
        status = client.post(url, {}).status_code
        if status != expected:
            wrong.append(f"POST {url}: {status}, attendu {expected}")
    assert wrong == []
    assert Letter.objects.get(pk=letter.pk).is_draft
    assert NewsItem.objects.count() == 2


def test_the_public_subscribe_form_is_rate_limited(client: Client, settings: object) -> None:
    settings.CRATB_RATE_LETTERS_SUBSCRIBE = "2/h"  # type: ignore[attr-defined]
    settings.RATELIMIT_ENABLE = True  # type: ignore[attr-defined]
    for _ in range(2):
        assert client.post("/actualites/lettres/inscription/", {}).status_code == 400
    response = client.post("/actualites/lettres/inscription/", {})
    assert response.status_code == 429
    assert response.has_header("Retry-After")
