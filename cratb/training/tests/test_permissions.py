"""Training pages with URL parameters, for every persona."""

from __future__ import annotations

import pytest
from django.test import Client

from cratb.accounts.models import Role
from cratb.accounts.tests.factories import PERSONAS
from cratb.training.tests.factories import RegistrationFactory, SessionFactory

pytestmark = pytest.mark.django_db

EVERYONE: set[str | None] = {None, *Role.values}
MANAGERS: set[str | None] = {Role.COORDINATOR, Role.ADMIN}


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_parametrised_training_pages(
    persona: str, client: Client, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)
    if user.is_authenticated:
        client.force_login(user)
    role = PERSONAS[persona]
    session = SessionFactory.create()
    registration = RegistrationFactory.create(session=session)
    pages = {
        f"/formation/agenda/{session.pk}/": EVERYONE,
        f"/formation/inscription/{registration.token}/": EVERYONE,
        f"/formation/plans/{session.plan.year}/": MANAGERS,
        f"/formation/plans/{session.plan.year}/modifier/": MANAGERS,
        f"/formation/sessions/{session.pk}/": MANAGERS,
        f"/formation/sessions/{session.pk}/modifier/": MANAGERS,
    }
    wrong = []
    for url, audience in pages.items():
        status = client.get(url).status_code
        expected = 200 if role in audience else (302 if role is None else 403)
        if status != expected:
            wrong.append(f"{url}: {status}, attendu {expected}")
    # Public, but only with the secret link, and only once present.
    assert (
        client.get(f"/formation/inscription/{registration.token}/attestation/").status_code == 404
    )
    assert (
        client.get("/formation/inscription/00000000-0000-0000-0000-000000000000/").status_code
        == 404
    )
    assert wrong == []


def test_cancel_is_post_only(client: Client, db: None) -> None:
    registration = RegistrationFactory.create()
    assert client.get(f"/formation/inscription/{registration.token}/annuler/").status_code == 405
