"""The coverage map (issue #14, points 6 and 7): its legend in the page's language, and
classes told apart without colour (textures, shapes)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from cratb.accounts.models import User
from cratb.network.models import PractitionerRole, Territory
from cratb.network.tests.factories import EstablishmentFactory, RoleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def region_map(region: Territory, departement: Territory) -> None:
    Territory.objects.create(kind="departement", code="92", name="Hauts-de-Seine", parent=region)
    hospital = EstablishmentFactory.create(departement=departement, acute_beds=1000)
    RoleFactory.create(
        organization=hospital,
        function=PractitionerRole.Function.INFECTIOLOGIST,
        fte=Decimal("1.0"),
    )


def test_the_english_map_has_an_english_legend(
    client: Client, agency_viewer: User, region_map: None
) -> None:
    client.force_login(agency_viewer)
    html = client.get("/en/reseau/carte/").content.decode()
    assert "less than half the benchmark" in html
    assert "no acute-care bed" in html
    assert "moins de la moitié de la référence" not in html
    assert "aucun lit de court séjour" not in html
    french = client.get("/reseau/carte/").content.decode()
    assert "moins de la moitié de la référence" in french


def test_map_classes_do_not_rely_on_colour_alone(
    client: Client, agency_viewer: User, region_map: None
) -> None:
    client.force_login(agency_viewer)
    html = client.get("/reseau/carte/").content.decode()
    # Paris: 1 FTE for 1000 beds, under half the benchmark: crossed; 92: no bed: dotted.
    assert '<pattern id="texture-cross"' in html and '<pattern id="texture-dots"' in html
    assert 'fill="url(#texture-cross)" fill-rule="evenodd" pointer-events="none"' in html
    assert 'fill="url(#texture-dots)" fill-rule="evenodd" pointer-events="none"' in html
    legend = html.split('<ul class="legend">')[1].split("</ul>")[0]
    for texture in ("cross", "lines", "dots"):
        assert f'fill="url(#texture-{texture})"' in legend
    # The CPTS classes have three shapes, said in the legend's words too.
    assert "(rond)" in legend and "(triangle)" in legend and "(carré)" in legend
    assert "<circle" in legend and "<path d=" in legend and '<rect x="1"' in legend


def test_lists_are_in_french_order_ignoring_accents_and_case(departement: Territory) -> None:
    from cratb.collation import french_sorted
    from cratb.network import directory, gaps

    assert french_sorted(["colistine", "Céfaclor", "cefalexine", "amoxicilline"]) == [
        "amoxicilline",
        "Céfaclor",
        "cefalexine",
        "colistine",
    ]
    # Accents and case only break ties.
    assert french_sorted(["côte", "Cote", "cote"]) == ["Cote", "cote", "côte"]
    for name in ("Fontaine", "Élan", "clinique du Parc"):
        EstablishmentFactory.create(name=f"Hôpital {name}", departement=departement)
    found = [o.name for o in directory.search_establishments("Hôpital")]
    assert found == ["Hôpital clinique du Parc", "Hôpital Élan", "Hôpital Fontaine"]
    uncovered = [o.name for o in gaps.uncovered_establishments()]
    assert uncovered == found
