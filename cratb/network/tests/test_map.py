"""The coverage map: an SVG drawn on the server, with the same figures in a table."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client

from cratb.accounts.models import User
from cratb.network.maps import Fill, departement_map
from cratb.network.models import PractitionerRole, Territory
from cratb.network.tests.factories import EstablishmentFactory, GhtFactory, RoleFactory

pytestmark = pytest.mark.django_db


def test_map_projects_each_departement_inside_its_frame() -> None:
    svg = departement_map(["75", "92", "93", "94"], {"93": Fill("#e66101", "Seine-Saint-Denis")})
    assert [a.code for a in svg.areas] == ["75", "92", "93", "94"]
    numbers = [float(n) for a in svg.areas for n in re.findall(r"[-\d.]+", a.path)]
    assert min(numbers) >= 0
    assert max(numbers) <= max(svg.width, svg.height)
    assert {a.code: a.fill for a in svg.areas}["93"] == "#e66101"
    assert {a.code: a.fill for a in svg.areas}["75"] == "#ffffff"


def test_map_page_without_javascript_has_the_svg_the_legend_and_the_table(
    client: Client, agency_viewer: User, region: Territory, departement: Territory
) -> None:
    for code, name in (("92", "Hauts-de-Seine"), ("93", "Seine-Saint-Denis")):
        Territory.objects.create(kind="departement", code=code, name=name, parent=region)
    ght = GhtFactory.create(parent=region, name="GHT Paris Centre")
    ght.covered_departements.set([departement])
    hospital = EstablishmentFactory.create(departement=departement, acute_beds=500, ght=ght)
    RoleFactory.create(
        organization=hospital,
        function=PractitionerRole.Function.INFECTIOLOGIST,
        fte=Decimal("2.0"),
    )
    client.force_login(agency_viewer)
    html = client.get("/reseau/carte/").content.decode()
    assert html.count('fill-rule="evenodd"><title>') == 3
    assert "<title>Paris (75) : référence atteinte (3,6 ETP)</title>" in html
    # The same figure in the table: 2 FTE for 500 acute beds = 4 per 1000 (French decimals).
    row = re.search(r"Paris \(75\)</th>(.*?)</tr>", html, re.S)
    assert row is not None
    assert re.findall(r'<td class="num">([^<]*)</td>', row.group(1))[:3] == ["500", "2,00", "4,00"]
    # The GHT is drawn as a diamond at the centre of what it covers, and listed.
    assert 'transform="rotate(45' in html
    assert "<title>GHT Paris Centre : référence atteinte (3,6 ETP)</title>" in html
    assert "aucun lit de court séjour" in html  # the legend names every class in words
    coverage = client.get("/reseau/carte/?mesure=couverture").content.decode()
    assert "<title>Paris (75) : 90 % ou plus</title>" in coverage
