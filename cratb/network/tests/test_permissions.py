"""Pages with URL parameters, for every persona (the walk of test_access covers the others)."""

from __future__ import annotations

import pytest
from django.test import Client

from cratb.accounts.models import Role
from cratb.accounts.tests.factories import PERSONAS
from cratb.network.models import Organization
from cratb.network.tests.factories import (
    AgreementFactory,
    CptsTerritoryFactory,
    EstablishmentFactory,
    RoleFactory,
)

pytestmark = pytest.mark.django_db

DIRECTORY = {Role.COORDINATOR, Role.EMA_MEMBER, Role.ADMIN}
MANAGERS = {Role.COORDINATOR, Role.ADMIN}


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_parametrised_directory_pages(
    persona: str, client: Client, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)
    if user.is_authenticated:
        client.force_login(user)
    role = PERSONAS[persona]
    org = EstablishmentFactory.create()
    staff_role = RoleFactory.create(organization=org)
    agreement = AgreementFactory.create(establishment=org)
    territory = CptsTerritoryFactory.create()
    pages = {
        f"/reseau/organisations/{org.pk}/": DIRECTORY,
        f"/reseau/organisations/{org.pk}/modifier/": MANAGERS,
        f"/reseau/personnes/{staff_role.practitioner_id}/": DIRECTORY,
        f"/reseau/personnes/{staff_role.practitioner_id}/modifier/": MANAGERS,
        f"/reseau/roles/{staff_role.pk}/modifier/": MANAGERS,
        f"/reseau/conventions/{agreement.pk}/modifier/": MANAGERS,
        f"/reseau/territoires/{territory.pk}/modifier/": MANAGERS,
    }
    wrong = []
    for url, audience in pages.items():
        status = client.get(url).status_code
        expected = 200 if role in audience else (302 if role is None else 403)
        if status != expected:
            wrong.append(f"{url}: {status}, attendu {expected}")
    assert wrong == []


def test_regions_and_departements_are_not_edited_as_territories(
    client: Client, coordinator: object, departement: Organization
) -> None:
    client.force_login(coordinator)  # type: ignore[arg-type]
    assert client.get(f"/reseau/territoires/{departement.pk}/modifier/").status_code == 404


def test_unknown_export_kind_or_format_is_not_found(client: Client, coordinator: object) -> None:
    client.force_login(coordinator)  # type: ignore[arg-type]
    assert client.get("/reseau/export/?kind=patients").status_code == 404
    assert client.get("/reseau/export/?kind=roles&format=doc").status_code == 404
