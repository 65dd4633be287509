"""Bad input in the directory's forms: a clear message, and nothing lost."""

from __future__ import annotations

import pytest
from django.test import Client

from cratb.accounts.models import User
from cratb.engine.identifiers import rpps
from cratb.network.models import Organization, Practitioner, Territory
from cratb.network.tests.factories import EstablishmentFactory, PractitionerFactory

pytestmark = pytest.mark.django_db


def _organization(departement: Territory, finess: str) -> dict[str, str]:
    return {
        "name": "Clinique du Parc",
        "kind": "clinic",
        "finess": finess,
        "departement": str(departement.pk),
    }


def test_finess_of_the_wrong_length_is_refused_and_nothing_is_saved(
    client: Client, coordinator: User, departement: Territory
) -> None:
    client.force_login(coordinator)
    response = client.post("/reseau/organisations/nouvelle/", _organization(departement, "7500001"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "9 caractères attendus, 7 reçus" in html
    # What was typed is still there to correct.
    assert 'value="Clinique du Parc"' in html
    assert not Organization.objects.filter(name="Clinique du Parc").exists()


def test_finess_with_a_wrong_key_or_already_used_is_refused(
    client: Client, coordinator: User, departement: Territory
) -> None:
    existing = EstablishmentFactory.create(name="Hôpital Nord", departement=departement)
    client.force_login(coordinator)
    bad_key = existing.finess[:8] + str((int(existing.finess[8]) + 1) % 10)
    html = client.post(
        "/reseau/organisations/nouvelle/", _organization(departement, bad_key)
    ).content.decode()
    assert "clé de contrôle incorrecte" in html
    html = client.post(
        "/reseau/organisations/nouvelle/", _organization(departement, existing.finess)
    ).content.decode()
    assert "déjà celui de « Hôpital Nord »" in html
    assert Organization.objects.count() == 1


def test_valid_organization_is_created(
    client: Client, coordinator: User, departement: Territory
) -> None:
    client.force_login(coordinator)
    response = client.post(
        "/reseau/organisations/nouvelle/", _organization(departement, "75 000 001 0")
    )
    org = Organization.objects.get()
    assert response["Location"] == f"/reseau/organisations/{org.pk}/"
    assert org.finess == "750000010"


def _person(number: str, **extra: str) -> dict[str, str]:
    return {
        "last_name": "Durand",
        "first_name": "Alex",
        "rpps": number,
        "profession": "physician",
        "email": "alex.durand@exemple.fr",
        "listed": "on",
        **extra,
    }


def test_rpps_with_a_wrong_key_is_refused(client: Client, coordinator: User) -> None:
    number = rpps("1000012345")
    wrong = number[:10] + str((int(number[10]) + 3) % 10)
    client.force_login(coordinator)
    html = client.post("/reseau/personnes/nouvelle/", _person(wrong)).content.decode()
    assert f"numéro RPPS « {wrong} » : clé de contrôle incorrecte" in html
    assert 'value="Durand"' in html
    assert not Practitioner.objects.exists()


def test_duplicate_person_is_refused_and_the_existing_one_kept(
    client: Client, coordinator: User
) -> None:
    existing = PractitionerFactory.create(
        last_name="Durand", first_name="Alex", email="alex.durand@exemple.fr", phone="0102"
    )
    client.force_login(coordinator)
    # Same RPPS.
    html = client.post("/reseau/personnes/nouvelle/", _person(existing.rpps)).content.decode()
    assert (
        f"Cette personne est déjà dans l&#x27;annuaire : Alex Durand (RPPS {existing.rpps})" in html
    )
    # No RPPS, but the same name and e-mail.
    html = client.post("/reseau/personnes/nouvelle/", _person("")).content.decode()
    assert "Cette personne est déjà dans l&#x27;annuaire" in html
    assert Practitioner.objects.count() == 1
    existing.refresh_from_db()
    assert existing.phone == "0102"


def test_role_end_before_start_is_refused(client: Client, coordinator: User) -> None:
    person = PractitionerFactory.create()
    org = EstablishmentFactory.create()
    client.force_login(coordinator)
    html = client.post(
        "/reseau/roles/nouveau/",
        {
            "practitioner": person.pk,
            "function": "antibiotic_referent",
            "organization": org.pk,
            "start": "2025-05-01",
            "end": "2025-01-01",
            "fte": "0,3",
        },
    ).content.decode()
    assert "La fin précède le début." in html
    assert not person.roles.exists()
