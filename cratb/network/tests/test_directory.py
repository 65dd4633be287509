"""The public "whom to ask" page and what each role sees of people's contact details."""

from __future__ import annotations

import pytest
from django.test import Client

from cratb.accounts.models import User
from cratb.network.models import Organization, PractitionerRole, Territory, TerritoryCommune
from cratb.network.tests.factories import (
    AgreementFactory,
    CptsTerritoryFactory,
    EstablishmentFactory,
    GhtFactory,
    PractitionerFactory,
    RoleFactory,
)

pytestmark = pytest.mark.django_db
F = PractitionerRole.Function


@pytest.fixture
def network(departement: Territory, region: Territory, ema_team: Organization) -> dict[str, object]:
    val_de_marne = Territory.objects.create(
        kind="departement", code="94", name="Val-de-Marne", parent=region
    )
    cpts_territory = CptsTerritoryFactory.create(parent=val_de_marne, name="CPTS Créteil-Bonneuil")
    TerritoryCommune.objects.create(territory=cpts_territory, code="94028")  # Créteil
    cpts = EstablishmentFactory.create(
        kind="cpts", name="CPTS Créteil-Bonneuil", finess="", departement=val_de_marne,
        served_territory=cpts_territory, phone="01 45 00 00 00",
    )  # fmt: skip
    referent = PractitionerFactory.create(first_name="Nour", last_name="Benali", phone="06 11")
    RoleFactory.create(practitioner=referent, organization=cpts, function=F.CPTS_REFERENT)
    hidden = PractitionerFactory.create(first_name="Hugo", last_name="Discret", listed=False)
    RoleFactory.create(practitioner=hidden, organization=cpts, function=F.CPTS_REFERENT)
    ght = GhtFactory.create(parent=region, name="GHT Val-de-Marne")
    ght.covered_departements.set([val_de_marne])
    ema = EstablishmentFactory.create(
        kind="ema", name="EMA Henri-Mondor", finess="", departement=val_de_marne,
        served_territory=ght, email="ema@exemple.fr",
    )  # fmt: skip
    infectiologist = PractitionerFactory.create(first_name="Ada", last_name="Infectio")
    RoleFactory.create(practitioner=infectiologist, organization=ema, function=F.INFECTIOLOGIST)
    clinic = EstablishmentFactory.create(
        kind="clinic", name="Clinique des Bords de Marne", departement=val_de_marne
    )
    AgreementFactory.create(ema=ema, establishment=clinic, level=2)
    return {"cpts": cpts, "ema": ema, "referent": referent, "clinic": clinic}


def test_visitor_finds_the_referent_for_a_commune(
    client: Client, network: dict[str, object]
) -> None:
    html = client.get("/reseau/qui-contacter/", {"q": "creteil"}).content.decode()
    assert "Pour Créteil (94 94000)" in html
    assert "Nour Benali" in html
    assert "Référent antibiotiques de CPTS" in html
    assert "01 45 00 00 00" in html  # the CPTS's public phone
    assert "EMA Henri-Mondor" in html  # covers the whole département through its GHT
    assert "Ada Infectio" in html
    # Never a person's own contact details, never an unlisted person.
    assert "06 11" not in html
    assert "Discret" not in html


def test_a_commune_outside_every_territory_says_so(
    client: Client, network: dict[str, object]
) -> None:
    html = client.get("/reseau/qui-contacter/", {"commune": "29019"}).content.decode()  # Brest
    assert "Aucun référent n'est encore enregistré pour cette commune" in html
    html = client.get("/reseau/qui-contacter/", {"commune": "00000"}).content.decode()
    assert "Commune inconnue : « 00000 »." in html


def test_ambiguous_commune_name_offers_a_choice(client: Client, db: None) -> None:
    html = client.get("/reseau/qui-contacter/", {"q": "Saint-Denis"}).content.decode()
    assert "Choisissez la commune" in html
    assert "?commune=93066" in html


def test_visitor_finds_the_ema_of_an_establishment(
    client: Client, network: dict[str, object]
) -> None:
    html = client.get(
        "/reseau/qui-contacter/", {"etablissement": "bords de marne"}
    ).content.decode()
    assert "EMA Henri-Mondor" in html
    assert "2 — avis et visites programmées" in html


def test_contact_details_follow_the_role(
    client: Client,
    network: dict[str, object],
    coordinator: User,
    ema_responder: User,
    agency_viewer: User,
) -> None:
    cpts = network["cpts"]
    assert isinstance(cpts, Organization)
    url = f"/reseau/organisations/{cpts.pk}/"
    client.force_login(coordinator)
    assert "06 11" in client.get(url).content.decode()
    # An EMA member from another team sees the directory, not this person's phone.
    client.force_login(ema_responder)
    html = client.get(url).content.decode()
    assert "Nour" in html and "06 11" not in html
    # Once the referent works in an establishment the team supports, the team sees it.
    team = ema_responder.membership.team
    assert team is not None
    AgreementFactory.create(ema=team, establishment=network["clinic"])
    referent = network["referent"]
    RoleFactory.create(practitioner=referent, organization=network["clinic"])
    assert "06 11" in client.get(f"/reseau/personnes/{referent.pk}/").content.decode()  # type: ignore[attr-defined]
    # The agency sees aggregates only.
    client.force_login(agency_viewer)
    assert client.get(url).status_code == 403
