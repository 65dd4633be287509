"""Gap analysis: the four questions, on hand-built cases."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client

from cratb.accounts.models import User
from cratb.network import gaps
from cratb.network.models import Organization, PractitionerRole, Territory
from cratb.network.tests.factories import (
    AgreementFactory,
    CptsTerritoryFactory,
    EstablishmentFactory,
    PractitionerFactory,
    RoleFactory,
)

pytestmark = pytest.mark.django_db
F = PractitionerRole.Function


def test_establishment_with_neither_referent_nor_ema_is_uncovered(departement: Territory) -> None:
    with_referent = EstablishmentFactory.create(name="A avec référent", departement=departement)
    RoleFactory.create(organization=with_referent)
    with_agreement = EstablishmentFactory.create(name="B conventionné", departement=departement)
    AgreementFactory.create(establishment=with_agreement)
    host = EstablishmentFactory.create(name="C porte une EMA", departement=departement)
    EstablishmentFactory.create(kind="ema", host=host, finess="", name="EMA C")
    ended = EstablishmentFactory.create(name="D référent parti", departement=departement)
    RoleFactory.create(organization=ended, end=datetime.date(2024, 6, 30))
    nothing = EstablishmentFactory.create(name="E sans rien", departement=departement)
    EstablishmentFactory.create(kind="lab", name="Laboratoire", finess="")

    uncovered = gaps.uncovered_establishments()
    assert [o.name for o in uncovered] == ["D référent parti", "E sans rien"]
    assert nothing in uncovered


def test_coverage_by_departement_counts_establishments_with_expertise(
    departement: Territory,
) -> None:
    with_referent = EstablishmentFactory.create(departement=departement)
    RoleFactory.create(organization=with_referent)
    with_agreement = EstablishmentFactory.create(departement=departement)
    AgreementFactory.create(establishment=with_agreement)
    EstablishmentFactory.create(departement=departement, name="sans rien")
    EstablishmentFactory.create(departement=None, name="sans département")

    (code, row), *others = gaps.coverage_by_departement().items()
    assert others == []
    assert (code, row.covered, row.establishments, row.share) == ("75", 2, 3, 67)
    assert row.status == "mid"
    assert gaps.CoverageRow(covered=9, establishments=10).status == "high"
    assert gaps.CoverageRow(covered=4, establishments=10).status == "low"
    assert gaps.CoverageRow(covered=0, establishments=0).status == "none"
    assert gaps.CoverageRow(covered=0, establishments=0).share is None


def test_nursing_homes_without_an_active_agreement(departement: Territory) -> None:
    home = EstablishmentFactory.create(kind="nursing_home", name="EHPAD sans", beds=80)
    covered = EstablishmentFactory.create(kind="nursing_home", name="EHPAD avec")
    AgreementFactory.create(establishment=covered)
    expired = EstablishmentFactory.create(kind="nursing_home", name="EHPAD expirée")
    AgreementFactory.create(establishment=expired, end=datetime.date(2024, 12, 31))
    assert [o.name for o in gaps.nursing_homes_without_agreement()] == [
        "EHPAD expirée",
        "EHPAD sans",
    ]
    assert home.beds == 80


def test_fte_per_1000_acute_beds_against_the_benchmark(departement: Territory) -> None:
    big = EstablishmentFactory.create(departement=departement, acute_beds=400)
    small = EstablishmentFactory.create(departement=departement, acute_beds=100)
    RoleFactory.create(organization=big, function=F.INFECTIOLOGIST, fte=Decimal("1.0"))
    RoleFactory.create(organization=small, function=F.REFERENT, fte=Decimal("0.5"))
    # Not expert time: a nursing-home doctor.
    RoleFactory.create(organization=small, function=F.NURSING_HOME_DOCTOR, fte=Decimal("1.0"))
    (row,) = gaps.fte_by_territory([departement])
    # 1.5 FTE for 500 acute beds: 3.0 per 1000, below 3.6; 0.3 FTE missing.
    assert (row.acute_beds, row.fte, row.per_1000) == (500, Decimal("1.50"), Decimal("3.00"))
    assert row.status == "below"
    assert row.needed == Decimal("0.30")


def test_cpts_referent_is_trained_by_a_recorded_training_or_an_attended_session(
    departement: Territory,
) -> None:
    def cpts(name: str) -> Organization:
        territory = CptsTerritoryFactory.create(parent=departement, name=name)
        return EstablishmentFactory.create(
            kind="cpts", name=name, finess="", departement=departement, served_territory=territory
        )

    none = cpts("CPTS sans référent")
    untrained = cpts("CPTS non formée")
    RoleFactory.create(organization=untrained, function=F.CPTS_REFERENT)
    recorded = cpts("CPTS formée hors plateforme")
    RoleFactory.create(
        organization=recorded, function=F.CPTS_REFERENT, trained_on=datetime.date(2024, 3, 1)
    )
    attended = cpts("CPTS formée ici")
    person = PractitionerFactory.create()
    RoleFactory.create(practitioner=person, organization=attended, function=F.CPTS_REFERENT)
    from cratb.training.tests.factories import RegistrationFactory

    RegistrationFactory.create(practitioner=person, email=person.email, attended=True)

    status = {
        row.cpts.name: (row.referents, row.trained, row.status) for row in gaps.cpts_referents()
    }
    assert status == {
        none.name: (0, 0, "none"),
        untrained.name: (1, 0, "untrained"),
        recorded.name: (1, 1, "ok"),
        attended.name: (1, 1, "ok"),
    }


def test_gap_page_lists_the_uncovered_nursing_home_and_exports_it(
    client: Client, agency_viewer: User, departement: Territory
) -> None:
    EstablishmentFactory.create(
        kind="nursing_home", name="EHPAD des Tilleuls", departement=departement
    )
    client.force_login(agency_viewer)
    html = client.get("/reseau/lacunes/").content.decode()
    assert "EHPAD des Tilleuls" in html
    csv_text = client.get("/reseau/lacunes/export/?format=csv").content.decode("utf-8-sig")
    assert "EHPAD sans convention" in csv_text
    assert "EHPAD des Tilleuls" in csv_text
    assert client.get("/reseau/lacunes/export/?format=pdf").status_code == 404
