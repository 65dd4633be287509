"""The demo's site pages: the centre, its team, its phone lines per sub-region, how to ask
for advice, the awareness week and the legal notices; then nothing new."""

from __future__ import annotations

import pytest
from django.test import Client

from cratb.cms.models import HomePage, LegalNoticesPage, PhoneLinesPage, TeamPage
from cratb.demo.site import build_demo
from cratb.network.models import Organization, Territory

pytestmark = pytest.mark.django_db


def test_the_site_pages_then_nothing_new(
    region: Territory, departement: Territory, client: Client
) -> None:
    Organization.objects.create(
        name="CHU de démonstration",
        kind=Organization.Kind.HOSPITAL,
        category="chu",
        departement=departement,
    )
    first = build_demo(region_code=region.code)
    assert (first.created, first.total) == (6, 6)

    lines = PhoneLinesPage.objects.get().lines.all()
    assert [(line.antenna, line.number) for line in lines] == [
        ("CHU de démonstration", "01 99 00 14 20")
    ]
    assert departement.name in lines[0].sub_region
    assert TeamPage.objects.get().members.count() >= 5
    notices = LegalNoticesPage.objects.get()
    assert "CHU de démonstration" in notices.publisher
    assert "HDS" in notices.host
    assert notices.data_protection_contact

    home = HomePage.objects.get()
    text = client.get("/").content.decode()
    assert home.title in text
    for slug in ("le-centre", "equipe", "lignes-telephoniques", "mentions-legales"):
        assert client.get(f"/{slug}/").status_code == 200, slug
        assert f'href="/{slug}/"' in text, slug

    second = build_demo(region_code=region.code)
    assert second.created == 0
