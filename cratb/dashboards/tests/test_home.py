"""« Tableau de bord »: the user's role and territories, and the three missions."""

from __future__ import annotations

import re

from django.test import Client
from pytest_django import DjangoAssertNumQueries

from cratb.accounts.models import User
from cratb.accounts.tests.factories import DepartementFactory


def test_dashboard_shows_role_team_and_territories(client: Client, ema_responder: User) -> None:
    client.force_login(ema_responder)
    html = client.get("/surveillance/").content.decode()
    assert re.search(r"<h1>\s*Tableau de bord\s*</h1>", html)
    assert "Membre d&#x27;une EMA" in html
    assert "EMA du territoire de Paris" in html
    assert "Paris (département 75)" in html


def test_dashboard_says_when_no_territory_is_assigned(client: Client, administrator: User) -> None:
    client.force_login(administrator)
    html = client.get("/surveillance/").content.decode()
    assert "aucun territoire attribué" in html


def test_mission_cards_link_only_where_the_role_may_go(
    client: Client, agency_viewer: User, coordinator: User
) -> None:
    client.force_login(agency_viewer)
    html = client.get("/surveillance/").content.decode()
    cards = html[html.index('id="titre-missions"') : html.index('id="titre-indicateurs"')]
    assert cards.count('class="card"') == 3
    assert 'href="/conseil/"' not in cards
    # The agency sees the network's aggregates (coverage map, gaps), never its people.
    assert 'href="/reseau/"' in cards
    assert cards.count("Non accessible avec votre rôle.") == 1

    client.force_login(coordinator)
    html = client.get("/surveillance/").content.decode()
    cards = html[html.index('id="titre-missions"') : html.index('id="titre-indicateurs"')]
    for path in ("/surveillance/", "/conseil/", "/reseau/"):
        assert f'href="{path}"' in cards
    assert "Non accessible" not in cards


def test_dashboard_queries_do_not_grow_with_territories(
    client: Client, coordinator: User, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    region = coordinator.membership.territories.get()
    coordinator.membership.territories.add(
        *(
            DepartementFactory.create(code=f"{n:02d}", name=f"Département {n}", parent=region)
            for n in range(1, 6)
        )
    )
    client.force_login(coordinator)
    # Session, user, territories (one query for all), the latest publication.
    with django_assert_num_queries(4):
        response = client.get("/surveillance/")
    assert response.content.decode().count("(département ") == 5
