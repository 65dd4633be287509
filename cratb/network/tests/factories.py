# mypy: disable-error-code="no-untyped-call,untyped-decorator"
"""factory_boy factories for the directory: territories, organisations, people, roles."""

from __future__ import annotations

import datetime
from decimal import Decimal

from factory.declarations import LazyAttribute, Sequence, SubFactory
from factory.django import DjangoModelFactory

from cratb.accounts.tests.factories import DepartementFactory, RegionFactory
from cratb.engine.demo.codes import finess
from cratb.engine.identifiers import rpps
from cratb.network.models import (
    CoverageAgreement,
    Organization,
    Practitioner,
    PractitionerRole,
    Profession,
    Territory,
)


class GhtFactory(DjangoModelFactory[Territory]):
    class Meta:
        model = Territory
        django_get_or_create = ("kind", "code")

    kind = Territory.Kind.GHT
    code = Sequence(lambda n: f"GHT-{n}")
    name = Sequence(lambda n: f"GHT {n}")
    parent = SubFactory(RegionFactory)


class CptsTerritoryFactory(DjangoModelFactory[Territory]):
    class Meta:
        model = Territory
        django_get_or_create = ("kind", "code")

    kind = Territory.Kind.CPTS
    code = Sequence(lambda n: f"CPTS-{n}")
    name = Sequence(lambda n: f"CPTS {n}")
    parent = SubFactory(DepartementFactory)


class EstablishmentFactory(DjangoModelFactory[Organization]):
    class Meta:
        model = Organization

    name = Sequence(lambda n: f"Centre hospitalier {n}")
    kind = Organization.Kind.HOSPITAL
    category = Organization.Category.CH
    finess = Sequence(lambda n: finess("75", 100 + n))
    departement = SubFactory(DepartementFactory)
    beds = 300
    acute_beds = 200


class PractitionerFactory(DjangoModelFactory[Practitioner]):
    class Meta:
        model = Practitioner

    rpps = Sequence(lambda n: rpps(f"10{n:08d}"))
    last_name = Sequence(lambda n: f"Nom{n}")
    first_name = "Dominique"
    profession = Profession.PHYSICIAN
    email = LazyAttribute(lambda p: f"{p.last_name.lower()}@exemple.fr")
    phone = "01 23 45 67 89"


class RoleFactory(DjangoModelFactory[PractitionerRole]):
    class Meta:
        model = PractitionerRole

    practitioner = SubFactory(PractitionerFactory)
    function = PractitionerRole.Function.REFERENT
    organization = SubFactory(EstablishmentFactory)
    start = datetime.date(2024, 1, 1)
    fte = Decimal("0.5")


class AgreementFactory(DjangoModelFactory[CoverageAgreement]):
    class Meta:
        model = CoverageAgreement

    ema = SubFactory(EstablishmentFactory, kind=Organization.Kind.EMA, finess="", category="")
    establishment = SubFactory(EstablishmentFactory)
    level = CoverageAgreement.Level.ADVICE
    start = datetime.date(2024, 1, 1)
