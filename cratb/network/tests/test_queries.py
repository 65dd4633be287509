"""List pages run a fixed number of queries, however many rows they show."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoAssertNumQueries

from cratb.accounts.models import User
from cratb.network.tests.factories import EstablishmentFactory, RoleFactory
from cratb.training.tests.factories import RegistrationFactory, SessionFactory

pytestmark = pytest.mark.django_db


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        "/reseau/organisations/",
        "/reseau/personnes/",
        "/reseau/lacunes/",
        "/reseau/carte/",
        "/formation/agenda/",
    ],
)
def test_list_queries_do_not_grow_with_rows(
    url: str,
    client: Client,
    coordinator: User,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    client.force_login(coordinator)
    RoleFactory.create()
    RoleFactory.create(
        organization=EstablishmentFactory.create(kind="cpts", finess=""), function="cpts_referent"
    )
    RegistrationFactory.create(session=SessionFactory.create())
    few = _count(client, url)
    for _ in range(5):
        RoleFactory.create(organization=EstablishmentFactory.create(kind="nursing_home"))
        cpts = EstablishmentFactory.create(kind="cpts", finess="")
        RoleFactory.create(organization=cpts, function="cpts_referent")
        RegistrationFactory.create(session=SessionFactory.create())
    with django_assert_max_num_queries(few):
        assert client.get(url).status_code == 200
