"""Demo users (interfaces C2): one per role, idempotent, attached to the demo region."""

from __future__ import annotations

import pytest
from django.test import Client

from cratb.accounts.models import Role, User
from cratb.accounts.tests.factories import DepartementFactory, RegionFactory
from cratb.demo.accounts import DemoSetupError, ensure_demo_users
from cratb.network.models import Organization, Territory
from cratb.network.territories import sync_territories


@pytest.fixture
def occitanie(db: None) -> Territory:
    region = RegionFactory.create(code="76", name="Occitanie")
    # Created out of order on purpose: the EMA goes to the first département by code.
    DepartementFactory.create(code="34", name="Hérault", parent=region)
    DepartementFactory.create(code="09", name="Ariège", parent=region)
    return region


def test_one_user_per_role_with_a_working_password(occitanie: Territory, client: Client) -> None:
    logins = ensure_demo_users(region_code="76")
    users = {user.username: user for user in User.objects.all()}
    assert sorted(users[login.username].role for login in logins) == sorted(Role.values)
    assert len(users) == len(Role.values)
    for login in logins:
        assert len(login.password) >= 10
        assert login.role_label == users[login.username].get_role_display()
        response = client.post(
            "/comptes/connexion/", {"username": login.username, "password": login.password}
        )
        assert response.status_code == 302, login.username
        client.logout()


def test_the_ema_member_covers_the_first_departement_of_the_region(occitanie: Territory) -> None:
    ensure_demo_users(region_code="76")
    member = User.objects.get(role=Role.EMA_MEMBER).membership
    assert member.team is not None
    assert member.team.kind == Organization.Kind.EMA
    assert member.team.departement is not None
    assert member.team.departement.code == "09"
    assert [t.code for t in member.territories.all()] == ["09"]
    coordinator = User.objects.get(role=Role.COORDINATOR).membership
    assert [t.code for t in coordinator.territories.all()] == ["76"]


def test_running_twice_keeps_one_user_each_and_resets_passwords(occitanie: Territory) -> None:
    first = ensure_demo_users(region_code="76")
    coordinator = User.objects.get(role=Role.COORDINATOR)
    coordinator.set_password("changé-pendant-la-démo")
    coordinator.role = Role.REQUESTER
    coordinator.save()

    second = ensure_demo_users(region_code="76")

    assert second == first
    assert User.objects.count() == len(Role.values)
    assert Organization.objects.filter(kind=Organization.Kind.EMA).count() == 1
    coordinator.refresh_from_db()
    assert coordinator.role == Role.COORDINATOR
    login = next(login for login in second if login.username == coordinator.username)
    assert coordinator.check_password(login.password)


def test_a_locked_out_demo_user_is_unlocked(occitanie: Territory, client: Client) -> None:
    logins = ensure_demo_users(region_code="76")
    admin_login = next(login for login in logins if login.role_label == str(Role.ADMIN.label))
    for _attempt in range(5):
        client.post(
            "/comptes/connexion/", {"username": admin_login.username, "password": "mauvais"}
        )
    ensure_demo_users(region_code="76")
    response = client.post(
        "/comptes/connexion/",
        {"username": admin_login.username, "password": admin_login.password},
    )
    assert response.status_code == 302


def test_unknown_region_is_refused_in_french(db: None) -> None:
    with pytest.raises(DemoSetupError, match="Région '99' absente"):
        ensure_demo_users(region_code="99")


def test_region_without_departement_is_refused(db: None) -> None:
    RegionFactory.create(code="94", name="Corse")
    with pytest.raises(DemoSetupError, match="aucun département"):
        ensure_demo_users(region_code="94")


def test_works_on_the_synchronised_territories(db: None) -> None:
    sync_territories()
    ensure_demo_users(region_code="11")
    member = User.objects.get(role=Role.EMA_MEMBER).membership
    assert [t.code for t in member.territories.all()] == ["75"]
    assert member.team is not None
    assert member.team.name == "EMA de démonstration — Paris"
