"""A small published world: four hospitals of one category, four prescribers (three
identified by their RPPS, one hashed), a CPTS with a referent and an action."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from cratb.accounts.models import User
from cratb.activity.models import NetworkAction
from cratb.dashboards.models import IndicatorValue, Publication
from cratb.engine import identifiers
from cratb.network.models import Organization, Practitioner, PractitionerRole, Territory

FINESS = ("750000010", "750000028", "750000036", "750000044")
VALUES_2025 = (10.0, 20.0, 30.0, 40.0)
RPPS = tuple(identifiers.rpps(f"100000000{i}") for i in range(1, 4))
HASHED = hashlib.sha256(b"sel10000000049").hexdigest()


@dataclass
class World:
    hospitals: list[Organization]
    cpts: Territory
    publication: Publication


def _value(pub: Publication, indicator: str, grouping: str, year: int, **kw: Any) -> None:
    IndicatorValue.objects.create(
        publication=pub,
        indicator=indicator,
        grouping=grouping,
        period_start=date(year, 1, 1),
        period_end=date(year, 12, 31),
        year=year,
        **kw,
    )


def _profile(pub: Publication, pid: str, lines: float, critical: float) -> None:
    share = 100.0 * critical / lines
    _value(
        pub,
        "community.prescriber_profile",
        "prescriber_id,prescriber_specialty",
        2025,
        dimensions={"prescriber_id": pid, "prescriber_specialty": "general_practice"},
        individual=True,
        numerator=critical,
        denominator=lines,
        value=share,
        extra={
            "prescriptions": lines,
            "ddd": lines * 7,
            "peer_share": 35.0,
            "limit_95_low": 25.0,
            "limit_95_high": 45.0,
            "limit_998_low": 20.0,
            "limit_998_high": 50.0,
            "excess_lines": critical - 0.35 * lines,
        },
    )


@pytest.fixture
def world(departement: Territory, coordinator: User) -> World:
    pub = Publication.objects.create(status=Publication.Status.DONE)
    hospitals = []
    for i, (finess, value) in enumerate(zip(FINESS, VALUES_2025, strict=True)):
        org = Organization.objects.create(
            name=f"Centre hospitalier {i + 1}",
            kind=Organization.Kind.HOSPITAL,
            category=Organization.Category.CH,
            finess=finess,
            departement=departement,
            email=f"direction{i + 1}@ch.example" if i < 3 else "",
        )
        hospitals.append(org)
        for year, v in ((2024, value + 5.0), (2025, value)):
            _value(
                pub,
                "hospital.ddd_per_1000_patient_days",
                "finess",
                year,
                departement="75",
                dimensions={"finess": finess},
                numerator=v * 20.0,
                denominator=20.0,
                value=v,
            )
        _value(
            pub,
            "hospital.ddd_per_1000_patient_days",
            "finess,atc3",
            2025,
            dimensions={"finess": finess, "atc3": "J01C"},
            numerator=value * 10.0,
            denominator=20.0,
            value=value / 2,
        )
    for pid, lines, critical in (
        (RPPS[0], 400, 120),
        (RPPS[1], 300, 150),
        (RPPS[2], 200, 70),
        (HASHED, 500, 200),
    ):
        _profile(pub, pid, lines, critical)
    Practitioner.objects.create(
        last_name="Martin", first_name="Anne", rpps=RPPS[0], email="anne.martin@cabinet.example"
    )
    cpts = Territory.objects.create(
        kind=Territory.Kind.CPTS, code="CPTS-01", name="CPTS Paris Centre", parent=departement
    )
    referent = Practitioner.objects.create(
        last_name="Durand", first_name="Paul", email="paul.durand@cpts.example"
    )
    PractitionerRole.objects.create(
        practitioner=referent,
        function=PractitionerRole.Function.CPTS_REFERENT,
        territory=cpts,
        start=date(2024, 1, 1),
    )
    _value(
        pub,
        "community.critical_share",
        "departement",
        2025,
        departement="75",
        numerator=410,
        denominator=1000,
        value=41.0,
    )
    NetworkAction.objects.create(
        actor_function=PractitionerRole.Function.CPTS_REFERENT,
        kind=NetworkAction.ActionKind.PEER_WORKSHOP,
        date=date(2025, 3, 4),
        territory=cpts,
        audience=NetworkAction.Audience.GPS,
        people_reached=14,
        title="Angine et TROD",
        recorded_by=coordinator,
    )
    return World(hospitals, cpts, pub)
