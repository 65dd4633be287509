"""The users admin: roles are edited there, by administrators only (their team and
territories, the network's, are tested in ``cratb/network/tests/test_admin.py``)."""

from __future__ import annotations

from django.test import Client

from cratb.accounts.models import Role, User


def test_user_change_form_offers_role_and_no_rights_of_its_own(
    client: Client, administrator: User, ema_responder: User
) -> None:
    client.force_login(administrator)
    html = client.get(f"/admin/accounts/user/{ema_responder.pk}/change/").content.decode()
    for field in ("id_role", "id_is_active"):
        assert f'id="{field}"' in html
    # Rights follow the role: no separate switches that could contradict it.
    assert 'id="id_is_staff"' not in html
    assert 'id="id_is_superuser"' not in html
    assert 'id="id_groups"' not in html


def test_users_list_filters_by_role(client: Client, administrator: User, requester: User) -> None:
    client.force_login(administrator)
    html = client.get("/admin/accounts/user/", {"role__exact": Role.REQUESTER}).content.decode()
    assert "demandeur" in html
    assert "administration</a>" not in html
