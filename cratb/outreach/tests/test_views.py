"""Campaign pages: who sees what, a campaign from a real warehouse to its measured
effect (figures of data.py, by hand), the health insurance reading the list, bad input."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from pytest_django.fixtures import Settings

from cratb.accounts.models import User
from cratb.network.models import Territory
from cratb.outreach import services
from cratb.outreach.models import Campaign, Measure, Target, Visit
from cratb.outreach.tests import data


@pytest.fixture
def campaign(coordinator: User) -> Campaign:
    campaign = Campaign.objects.create(
        title="Campagne 2024",
        reference_year=2023,
        rule=Campaign.Rule.LARGEST_EXCESS,
        top_n=4,
        start_date=date(2024, 3, 1),
        created_by=coordinator,
    )
    for prescriber in ("C1", "C2", "V1", "V2"):
        Target.objects.create(
            campaign=campaign,
            prescriber_id=prescriber,
            specialty="general_practice",
            prescriptions=4,
            share=75.0,
            peer_share=50.0,
            limit_998_high=None,
            excess_lines=1.0,
        )
    return campaign


def _visit(campaign: Campaign, prescriber: str, **fields: object) -> Visit:
    return Visit.objects.create(
        target=campaign.targets.get(prescriber_id=prescriber),
        visitor_kind=Visit.Visitor.AMBASSADOR,
        visitor_name="Dr Ambassadeur",
        **fields,
    )


# --- permissions ---------------------------------------------------------------------------

READ_PAGES = ["", "{pk}/", "{pk}/cibles/?format=csv", "{pk}/visite/"]
MANAGE_PAGES = ["nouvelle/"]


@pytest.mark.parametrize("page", READ_PAGES + MANAGE_PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(
    client: Client, campaign: Campaign, page: str
) -> None:
    response = client.get("/campagnes/" + page.format(pk=campaign.pk))
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


@pytest.mark.parametrize("persona", ["agency_viewer", "requester", "ema_responder"])
@pytest.mark.parametrize("page", READ_PAGES + MANAGE_PAGES)
def test_other_roles_are_refused(
    client: Client, campaign: Campaign, page: str, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/campagnes/" + page.format(pk=campaign.pk)).status_code == 403


@pytest.mark.parametrize("persona", ["coordinator", "insurance_viewer"])
@pytest.mark.parametrize("page", READ_PAGES)
def test_coordination_and_the_health_insurance_read_the_campaigns(
    client: Client, campaign: Campaign, page: str, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/campagnes/" + page.format(pk=campaign.pk)).status_code == 200


def test_only_coordination_creates_and_measures(
    client: Client, campaign: Campaign, insurance_viewer: User, coordinator: User
) -> None:
    client.force_login(insurance_viewer)
    assert client.get("/campagnes/nouvelle/").status_code == 403
    assert client.post(f"/campagnes/{campaign.pk}/mesurer/", {"horizon": 6}).status_code == 403
    client.force_login(coordinator)
    assert client.get("/campagnes/nouvelle/").status_code == 200
    assert client.get(f"/campagnes/{campaign.pk}/mesurer/").status_code == 405


def test_the_agency_does_not_see_the_campaigns_in_its_menu(
    client: Client, agency_viewer: User, insurance_viewer: User
) -> None:
    client.force_login(agency_viewer)
    assert 'href="/campagnes/"' not in client.get("/").content.decode()
    client.force_login(insurance_viewer)
    assert 'href="/campagnes/"' in client.get("/").content.decode()


# --- the health insurance's journey ----------------------------------------------------------


def test_the_health_insurance_reads_a_campaigns_list(
    client: Client, campaign: Campaign, insurance_viewer: User
) -> None:
    _visit(campaign, "V1", visit_date=date(2024, 3, 20), outcome=Visit.Outcome.DONE)
    client.force_login(insurance_viewer)
    html = client.get("/campagnes/").content.decode()
    assert "Campagne 2024" in html
    html = client.get(f"/campagnes/{campaign.pk}/").content.decode()
    for prescriber in ("C1", "C2", "V1", "V2"):
        assert prescriber in html
    assert "Dr Ambassadeur" in html and "20/03/2024" in html
    assert "Mesurer l&#x27;effet" not in html  # coordination measures
    response = client.get(f"/campagnes/{campaign.pk}/cibles/?format=csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][0] == "identifiant_prescripteur"
    assert {r[0] for r in rows[1:]} == {"C1", "C2", "V1", "V2"}
    v1 = next(r for r in rows if r[0] == "V1")
    assert v1[3] == "75,0" and v1[9] == "2024-03-20"


def test_the_health_insurance_records_a_delegates_visit(
    client: Client, campaign: Campaign, insurance_viewer: User
) -> None:
    client.force_login(insurance_viewer)
    response = client.post(
        f"/campagnes/{campaign.pk}/visite/",
        {
            "prescriber_id": "C2",
            "visitor_kind": Visit.Visitor.DELEGATE,
            "visitor_name": "M. Délégué",
            "visit_date": "2024-04-02",
            "outcome": Visit.Outcome.RELUCTANT,
        },
    )
    assert response.status_code == 302
    visit = Visit.objects.get(target__prescriber_id="C2")
    assert visit.visited and visit.visitor_kind == Visit.Visitor.DELEGATE


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"visit_date": "2024-02-28", "outcome": Visit.Outcome.DONE},
            "elle précède le début de la campagne (01/03/2024)",
        ),
        (
            {"visit_date": "2024-03-10", "outcome": ""},
            "Résultat : à indiquer pour une visite datée.",
        ),
        ({"prescriber_id": "Z9"}, "Prescripteur Z9 : absent de la liste des cibles"),
    ],
)
def test_bad_visits_are_refused_with_a_message(
    client: Client, campaign: Campaign, coordinator: User, fields: dict[str, str], message: str
) -> None:
    client.force_login(coordinator)
    posted = {
        "prescriber_id": "V1",
        "visitor_kind": Visit.Visitor.AMBASSADOR,
        "visitor_name": "Dr A",
        **fields,
    }
    response = client.post(f"/campagnes/{campaign.pk}/visite/", posted)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Visit.objects.exists()


def test_the_n_largest_excesses_need_n(client: Client, coordinator: User) -> None:
    client.force_login(coordinator)
    response = client.post(
        "/campagnes/nouvelle/",
        {
            "title": "Sans N",
            "reference_year": 2023,
            "rule": Campaign.Rule.LARGEST_EXCESS,
            "start_date": "2024-03-01",
        },
    )
    assert "Nombre de prescripteurs : à indiquer" in response.content.decode()
    assert not Campaign.objects.exists()


def test_a_campaign_without_a_warehouse_is_not_created(client: Client, coordinator: User) -> None:
    client.force_login(coordinator)
    response = client.post(
        "/campagnes/nouvelle/",
        {
            "title": "Sans entrepôt",
            "reference_year": 2023,
            "rule": Campaign.Rule.ABOVE_998,
            "start_date": "2024-03-01",
        },
    )
    assert response.status_code == 200
    assert "Profil des prescripteurs illisible" in response.content.decode()
    assert not Campaign.objects.exists()  # nothing partly committed


def test_an_unknown_horizon_is_refused(
    client: Client, campaign: Campaign, coordinator: User
) -> None:
    client.force_login(coordinator)
    response = client.post(f"/campagnes/{campaign.pk}/mesurer/", {"horizon": "x"}, follow=True)
    assert "Horizon : 6 ou 12 mois." in response.content.decode()
    assert not Measure.objects.exists()


# --- from the warehouse to the effect (data.py, by hand) -------------------------------------


@pytest.fixture
def warehouse(settings: Settings, tmp_path: Path) -> Path:
    settings.CRATB_WAREHOUSE = data.build(tmp_path)
    return settings.CRATB_WAREHOUSE  # type: ignore[no-any-return]


def test_a_campaign_picks_its_targets_from_the_profile(
    client: Client, coordinator: User, departement: Territory, warehouse: Path
) -> None:
    client.force_login(coordinator)
    response = client.post(
        "/campagnes/nouvelle/",
        {
            "title": "Paris 2024",
            "reference_year": 2022,
            "territory": departement.pk,
            "rule": Campaign.Rule.LARGEST_EXCESS,
            "top_n": 10,
            "start_date": "2024-03-01",
        },
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    targets = list(campaign.targets.order_by("prescriber_id"))
    assert [t.prescriber_id for t in targets] == ["C1", "C2", "V1", "V2"]  # L1, L2: below peers
    for t in targets:
        assert (t.prescriptions, t.share, t.peer_share) == (4, 75.0, 50.0)
        assert t.excess_lines == pytest.approx(1.0)


def test_the_effect_at_6_months(
    client: Client, campaign: Campaign, coordinator: User, warehouse: Path
) -> None:
    _visit(campaign, "V1", visit_date=date(2024, 3, 5), outcome=Visit.Outcome.DONE)
    _visit(campaign, "V2", visit_date=date(2024, 3, 6), outcome=Visit.Outcome.RELUCTANT)
    _visit(campaign, "C1", visit_date=date(2024, 3, 7), outcome=Visit.Outcome.REFUSED)
    client.force_login(coordinator)
    client.post(f"/campagnes/{campaign.pk}/mesurer/", {"horizon": 6})
    result = Measure.objects.get(campaign=campaign, horizon=6)
    # Visited V1 −50, V2 −25: mean −37.5, variance 312.5; not visited (C1 refused) 0 and
    # C2 −25: mean −12.5, variance 312.5. Effect −25; SE² = 312.5/2 + 312.5/2 = 312.5;
    # ν = 312.5² / (156.25² + 156.25²) = 2; t(0.975; 2) = 4.3027; half-width 76.06.
    assert (result.visited, result.control) == (2, 2)
    assert result.mean_change_visited == pytest.approx(-37.5)
    assert result.mean_change_control == pytest.approx(-12.5)
    assert result.difference == pytest.approx(-25.0)
    assert result.ci_low == pytest.approx(-25.0 - 4.302653 * 312.5**0.5, abs=1e-3)
    assert result.ci_high == pytest.approx(-25.0 + 4.302653 * 312.5**0.5, abs=1e-3)
    html = client.get(f"/campagnes/{campaign.pk}/").content.decode()
    assert "-25,0" in html and "-101,1" in html and "51,1" in html
    assert "<svg" in html  # the chart of the same values


def test_the_effect_at_12_months_waits_for_the_data(campaign: Campaign, warehouse: Path) -> None:
    result = services.measure(campaign, 12)
    assert result.difference is None
    assert result.message == (
        "Pas encore mesurable : les délivrances doivent couvrir jusqu'à 2025-02."
    )


@pytest.mark.parametrize(
    ("persona", "status"), [("agency_viewer", 403), ("requester", 403), ("insurance_viewer", 403)]
)
def test_measuring_is_for_coordination_only(
    client: Client, campaign: Campaign, persona: str, status: int, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.post(f"/campagnes/{campaign.pk}/mesurer/", {"horizon": 6}).status_code == status
    assert not Measure.objects.exists()


def test_anonymous_visitors_cannot_measure(client: Client, campaign: Campaign) -> None:
    response = client.post(f"/campagnes/{campaign.pk}/mesurer/", {"horizon": 6})
    assert response.status_code == 302
    assert not Measure.objects.exists()


def test_a_campaign_of_no_one_is_not_found(client: Client, insurance_viewer: User) -> None:
    client.force_login(insurance_viewer)
    assert client.get("/campagnes/999/").status_code == 404
    assert client.get("/campagnes/999/cibles/?format=csv").status_code == 404
