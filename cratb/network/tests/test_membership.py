"""Memberships: a user's team and territories, owned by the network, read with the user."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from cratb.accounts.models import Role, User
from cratb.accounts.tests.factories import UserFactory
from cratb.network.auth import MembershipBackend
from cratb.network.models import Membership, Organization, Territory

pytestmark = pytest.mark.django_db


def test_a_user_without_membership_has_no_team_and_no_territory(
    administrator: User, ema_responder: User, ema_team: Organization, departement: Territory
) -> None:
    assert not Membership.objects.filter(user=administrator).exists()
    empty = Membership.of(administrator)
    assert empty.team is None
    assert list(empty.territories.all()) == []
    assert Membership.of(AnonymousUser()).team is None
    member = Membership.of(User.objects.get(pk=ema_responder.pk))
    assert member.team == ema_team
    assert list(member.territories.all()) == [departement]


def test_the_user_of_a_session_comes_with_their_membership(
    ema_responder: User,
    ema_team: Organization,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    backend = MembershipBackend()
    with django_assert_num_queries(1):
        user = backend.get_user(ema_responder.pk)
        assert Membership.of(user).team_id == ema_team.pk
    inactive = UserFactory.create(role=Role.EMA_MEMBER, is_active=False)
    assert backend.get_user(inactive.pk) is None


def test_the_account_page_shows_the_team_and_the_territories(
    client: Client, ema_responder: User, administrator: User
) -> None:
    client.force_login(ema_responder)
    html = client.get("/comptes/mon-compte/").content.decode()
    assert "EMA du territoire de Paris" in html and "Paris" in html
    client.force_login(administrator)
    html = client.get("/comptes/mon-compte/").content.decode()
    assert "Équipe ou structure" not in html
    assert "aucun territoire attribué" in html
