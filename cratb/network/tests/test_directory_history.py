"""Directory edits keep a history (who, what, when, before and after), shown to the
coordination on the organisation and person pages; two people editing one record do not
silently lose a change: the second sees the first's change and keeps their own input."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cratb.accounts.models import User
from cratb.network.models import Organization, Practitioner, PractitionerRole
from cratb.network.tests.factories import EstablishmentFactory, PractitionerFactory

pytestmark = pytest.mark.django_db


def org_data(org: Organization, **changes: Any) -> dict[str, Any]:
    data = {
        "name": org.name,
        "kind": org.kind,
        "finess": org.finess,
        "category": org.category,
        "departement": org.departement_id or "",
        "commune_code": org.commune_code,
        "beds": org.beds or "",
        "acute_beds": org.acute_beds or "",
        "ght": "",
        "served_territory": "",
        "host": "",
        "address": org.address,
        "phone": org.phone,
        "email": org.email,
        "version": org.version,
    }
    data.update(changes)
    return data


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def test_an_edit_is_kept_in_the_history_with_who_and_before_after(
    client: Client, coordinator: User, ema_responder: User
) -> None:
    org = EstablishmentFactory.create(name="Hôpital Nord", beds=100, acute_beds=50)
    client.force_login(coordinator)
    url = reverse("network:organization-edit", args=[org.pk])
    assert client.post(url, org_data(org, name="Hôpital du Nord", beds=120)).status_code == 302
    org.refresh_from_db()
    assert (org.name, org.beds, org.version) == ("Hôpital du Nord", 120, 2)
    record = org.history.first()
    assert record.history_user == coordinator
    page = text(client.get(reverse("network:organization-detail", args=[org.pk])))
    assert "Historique des modifications" in page
    assert "Hôpital Nord → Hôpital du Nord" in page
    assert "100 → 120" in page
    assert coordinator.get_full_name() in page or coordinator.username in page
    client.force_login(ema_responder)
    page = text(client.get(reverse("network:organization-detail", args=[org.pk])))
    assert "Historique des modifications" not in page


def test_a_second_editor_gets_a_conflict_page_not_a_lost_change(
    client: Client, coordinator: User, administrator: User
) -> None:
    org = EstablishmentFactory.create(name="Hôpital Sud", beds=100, acute_beds=50)
    seen = org_data(org)
    client.force_login(administrator)
    url = reverse("network:organization-edit", args=[org.pk])
    assert client.post(url, {**seen, "beds": "150"}).status_code == 302
    client.force_login(coordinator)
    response = client.post(url, {**seen, "phone": "01 02 03 04 05"})
    assert response.status_code == 409
    page = text(response)
    assert "Quelqu'un a modifié cette fiche pendant votre saisie" in page
    assert "100 → 150" in page
    assert 'value="01 02 03 04 05"' in page
    org.refresh_from_db()
    assert (org.beds, org.phone, org.version) == (150, "", 2)
    # Sent again from the conflict page, on top of the version it showed.
    again = client.post(url, {**seen, "beds": "150", "phone": "01 02 03 04 05", "version": 2})
    assert again.status_code == 302
    org.refresh_from_db()
    assert (org.beds, org.phone, org.version) == (150, "01 02 03 04 05", 3)


def test_people_and_roles_are_locked_and_kept_too(client: Client, coordinator: User) -> None:
    person = PractitionerFactory.create(last_name="Durand", first_name="Alice")
    org = EstablishmentFactory.create()
    role = PractitionerRole.objects.create(
        practitioner=person, function="infectiologist", organization=org
    )
    client.force_login(coordinator)
    person_url = reverse("network:practitioner-edit", args=[person.pk])
    person_data = {
        "last_name": "Durand", "first_name": "Alice", "rpps": "", "profession": person.profession,
        "specialty": "", "email": person.email, "phone": "", "listed": "on", "version": 1,
    }  # fmt: skip
    assert client.post(person_url, {**person_data, "specialty": "infectiologie"}).status_code == 302
    assert client.post(person_url, {**person_data, "phone": "0102030405"}).status_code == 409
    role_url = reverse("network:role-edit", args=[role.pk])
    role_data = {
        "practitioner": person.pk, "function": "infectiologist", "organization": org.pk,
        "territory": "", "start": role.start.isoformat(), "end": "", "fte": "0.5",
        "trained_on": "", "version": 1,
    }  # fmt: skip
    assert client.post(role_url, role_data).status_code == 302
    assert client.post(role_url, {**role_data, "fte": "0.8"}).status_code == 409
    role.refresh_from_db()
    assert str(role.fte) == "0.50"
    page = text(client.get(reverse("network:practitioner-detail", args=[person.pk])))
    assert "Historique des modifications" in page
    assert "infectiologie" in page
    assert Practitioner.history.count() >= 2
