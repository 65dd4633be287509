"""The users admin: role, team and territories are edited there, by administrators only."""

from __future__ import annotations

from django.test import Client

from cratb.accounts.models import Role, User
from cratb.network.models import Organization, Territory


def test_user_change_form_offers_role_team_and_territories(
    client: Client, administrator: User, ema_responder: User
) -> None:
    client.force_login(administrator)
    html = client.get(f"/admin/accounts/user/{ema_responder.pk}/change/").content.decode()
    for field in ("id_role", "id_team", "id_territories", "id_is_active"):
        assert f'id="{field}"' in html
    # Rights follow the role: no separate switches that could contradict it.
    assert 'id="id_is_staff"' not in html
    assert 'id="id_is_superuser"' not in html
    assert 'id="id_groups"' not in html


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
            "team": ema_team.pk,
            "territories": [departement.pk],
        },
    )
    assert response.status_code == 302
    created = User.objects.get(username="nouvelle-ema")
    assert created.role == Role.EMA_MEMBER
    assert created.team == ema_team
    assert list(created.territories.all()) == [departement]
    assert not created.is_staff


def test_users_list_filters_by_role(client: Client, administrator: User, requester: User) -> None:
    client.force_login(administrator)
    html = client.get("/admin/accounts/user/", {"role__exact": Role.REQUESTER}).content.decode()
    assert "demandeur" in html
    assert "administration</a>" not in html


def test_network_admin_lists_territories_and_organisations(
    client: Client, administrator: User, ema_team: Organization
) -> None:
    client.force_login(administrator)
    assert "Paris" in client.get("/admin/network/territory/").content.decode()
    assert (
        "EMA du territoire de Paris" in client.get("/admin/network/organization/").content.decode()
    )
