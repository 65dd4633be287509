"""The directory and training models in Django's admin, for the administrator, and the
users' memberships (team and territories) on the users' page."""

from __future__ import annotations

import pytest
from django.test import Client

from cratb.accounts.models import Role, User
from cratb.network.models import Organization, Territory
from cratb.network.tests.factories import AgreementFactory, RoleFactory
from cratb.training.tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db


def test_admin_lists_and_opens_every_new_model(client: Client, administrator: User) -> None:
    role = RoleFactory.create()
    agreement = AgreementFactory.create()
    registration = RegistrationFactory.create()
    client.force_login(administrator)
    pages = [
        "/admin/network/practitioner/",
        f"/admin/network/practitioner/{role.practitioner_id}/change/",
        "/admin/network/practitionerrole/",
        "/admin/network/coverageagreement/",
        f"/admin/network/coverageagreement/{agreement.pk}/change/",
        "/admin/network/territory/",
        "/admin/training/trainingplan/",
        "/admin/training/trainingsession/",
        f"/admin/training/trainingsession/{registration.session_id}/change/",
        "/admin/training/registration/",
        f"/admin/training/registration/{registration.pk}/change/",
        "/admin/training/satisfactionresponse/",
    ]
    assert {url: client.get(url).status_code for url in pages} == dict.fromkeys(pages, 200)


def test_user_change_form_offers_team_and_territories(
    client: Client, administrator: User, ema_responder: User
) -> None:
    client.force_login(administrator)
    html = client.get(f"/admin/accounts/user/{ema_responder.pk}/change/").content.decode()
    for field in ("id_role", "id_membership-0-team", "id_membership-0-territories"):
        assert f'id="{field}"' in html
    users = client.get("/admin/accounts/user/").content.decode()
    assert "EMA du territoire de Paris" in users


def test_administrator_creates_an_ema_member(
    client: Client, administrator: User, ema_team: Organization, departement: Territory
) -> None:
    client.force_login(administrator)
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "nouvelle-ema",
            "usable_password": "true",
            "password1": "un-mot-de-passe-robuste",
            "password2": "un-mot-de-passe-robuste",
            "role": Role.EMA_MEMBER,
            "membership-TOTAL_FORMS": "1",
            "membership-INITIAL_FORMS": "0",
            "membership-MIN_NUM_FORMS": "0",
            "membership-MAX_NUM_FORMS": "1",
            "membership-0-team": ema_team.pk,
            "membership-0-territories": [departement.pk],
        },
    )
    assert response.status_code == 302
    created = User.objects.get(username="nouvelle-ema")
    assert created.role == Role.EMA_MEMBER
    assert created.membership.team == ema_team
    assert list(created.membership.territories.all()) == [departement]
    assert not created.is_staff


def test_network_admin_lists_territories_and_organisations(
    client: Client, administrator: User, ema_team: Organization
) -> None:
    client.force_login(administrator)
    assert "Paris" in client.get("/admin/network/territory/").content.decode()
    assert (
        "EMA du territoire de Paris" in client.get("/admin/network/organization/").content.decode()
    )
