"""A small directory for the letters: two GPs of the département, a GP elsewhere, a
biologist of a lab, an EMA member; news and a guideline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from cratb.guidelines.models import Audience as DocAudience
from cratb.guidelines.models import Document, Sector
from cratb.letters.models import Consent, NewsItem
from cratb.network.models import (
    Organization,
    Practitioner,
    PractitionerRole,
    Profession,
    Territory,
)


@dataclass
class Directory:
    departement: Territory
    other: Territory
    news: NewsItem
    document: Document


def _person(email: str, profession: str, function: str, org: Organization) -> Practitioner:
    person = Practitioner.objects.create(
        last_name=email.split("@")[0], first_name="X", profession=profession, email=email
    )
    PractitionerRole.objects.create(
        practitioner=person, function=function, organization=org, start=date(2020, 1, 1)
    )
    return person


@pytest.fixture
def directory(departement: Territory, region: Territory) -> Directory:
    other = Territory.objects.create(
        kind=Territory.Kind.DEPARTEMENT, code="77", name="Seine-et-Marne", parent=region
    )
    cabinet = Organization.objects.create(
        name="Maison de santé", kind=Organization.Kind.OTHER, departement=departement
    )
    far = Organization.objects.create(
        name="Cabinet de Meaux", kind=Organization.Kind.OTHER, departement=other
    )
    lab = Organization.objects.create(
        name="Laboratoire Biopôle", kind=Organization.Kind.LAB, departement=departement
    )
    ema = Organization.objects.create(
        name="EMA Paris", kind=Organization.Kind.EMA, departement=departement
    )
    f = PractitionerRole.Function
    _person("gp1@cabinet.example", Profession.PHYSICIAN, f.REFERENT, cabinet)
    _person("gp2@cabinet.example", Profession.PHYSICIAN, f.GP_AMBASSADOR, cabinet)
    _person("gp3@meaux.example", Profession.PHYSICIAN, f.REFERENT, far)
    _person("bio@lab.example", Profession.BIOLOGIST, f.MICROBIOLOGIST, lab)
    _person("ema@ema.example", Profession.PHARMACIST, f.EMA_MEMBER, ema)
    news = NewsItem.objects.create(
        title="Semaine de sensibilisation",
        summary="Du 18 au 24 novembre.",
        body="Premier paragraphe.\n\nSecond paragraphe.",
        date=date(2025, 11, 1),
        published=True,
    )
    document = Document.objects.create(
        title="Cystite de la femme",
        summary="Fiche mémo.",
        sector=Sector.values[0],
        audience=DocAudience.values[0],
        source="HAS",
        published_on=date(2024, 1, 1),
    )
    return Directory(departement, other, news, document)


def subscribe(email: str) -> None:
    Consent.objects.create(email=email, action=Consent.Action.REQUESTED)
    Consent.objects.create(email=email, action=Consent.Action.CONFIRMED)
