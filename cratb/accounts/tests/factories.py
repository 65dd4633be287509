# mypy: disable-error-code="no-untyped-call,untyped-decorator"
"""factory_boy factories for users (with their membership), territories and organisations.

factory_boy's declarations carry no annotations, hence the two error codes switched
off for this file only; tests get typed objects through ``Factory.create()``.

``PERSONAS`` names the people the tests talk about (STYLE.md): the fixtures of the
project's conftest.py build them, one per role plus an anonymous outsider.
"""

from __future__ import annotations

from typing import Any

from factory.declarations import LazyAttribute, Sequence, SubFactory
from factory.django import DjangoModelFactory, Password
from factory.helpers import post_generation

from cratb.accounts.models import Role, User
from cratb.network.models import Membership, Organization, Territory

#: The password every factory-made user has.
PASSWORD = "mot-de-passe-de-test-42"

#: Persona fixture name → role (None: an anonymous visitor).
PERSONAS: dict[str, Role | None] = {
    "outsider": None,
    "coordinator": Role.COORDINATOR,
    "ema_responder": Role.EMA_MEMBER,
    "requester": Role.REQUESTER,
    "agency_viewer": Role.AGENCY_VIEWER,
    "insurance_viewer": Role.INSURANCE_VIEWER,
    "lab_client": Role.LAB,
    "administrator": Role.ADMIN,
}


class RegionFactory(DjangoModelFactory[Territory]):
    class Meta:
        model = Territory
        django_get_or_create = ("kind", "code")

    kind = Territory.Kind.REGION
    code = "11"
    name = "Île-de-France"


class DepartementFactory(DjangoModelFactory[Territory]):
    class Meta:
        model = Territory
        django_get_or_create = ("kind", "code")

    kind = Territory.Kind.DEPARTEMENT
    code = "75"
    name = "Paris"
    parent = SubFactory(RegionFactory)


class OrganizationFactory(DjangoModelFactory[Organization]):
    class Meta:
        model = Organization

    name = Sequence(lambda n: f"Organisation {n}")
    kind = Organization.Kind.HOSPITAL


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = Sequence(lambda n: f"utilisateur{n}")
    email = LazyAttribute(lambda user: f"{user.username}@exemple.fr")
    first_name = "Claude"
    last_name = Sequence(lambda n: f"Test{n}")
    role = Role.REQUESTER
    password = Password(PASSWORD)

    # A user's team and territories are their membership in the network (cratb.network).
    @post_generation
    def team(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted is not None:
            Membership.objects.update_or_create(user=self, defaults={"team": extracted})

    @post_generation
    def territories(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            Membership.objects.get_or_create(user=self)[0].territories.set(extracted)
