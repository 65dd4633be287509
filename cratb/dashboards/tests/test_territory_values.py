"""Published values by CPTS and GHT: directory names, masked small counts, who reads them."""

from __future__ import annotations

import pytest
from django.test import Client

from cratb.accounts.models import User
from cratb.dashboards.models import Publication
from cratb.dashboards.tests.factories import IndicatorValueFactory, PublicationFactory
from cratb.network.tests.factories import CptsTerritoryFactory

URL = "/surveillance/indicateurs/valeurs/"
QUERY = {"indicator": "community.critical_share", "grouping": "cpts"}


@pytest.fixture
def by_cpts(db: None) -> Publication:
    CptsTerritoryFactory.create(code="CPTS-A", name="CPTS du Val")
    publication = PublicationFactory.create()
    IndicatorValueFactory.create(
        publication=publication,
        indicator="community.critical_share",
        grouping="cpts",
        dimensions={"cpts": "CPTS-A"},
        value=31.5,
        ci_low=28.0,
        ci_high=35.0,
    )
    IndicatorValueFactory.create(
        publication=publication,
        indicator="community.critical_share",
        grouping="cpts",
        dimensions={"cpts": "CPTS-B"},
        numerator=None,
        denominator=None,
        value=None,
        ci_low=None,
        ci_high=None,
    )
    return publication


def test_values_by_cpts_carry_the_directory_name_and_say_when_masked(
    client: Client, coordinator: User, by_cpts: Publication
) -> None:
    client.force_login(coordinator)
    page = client.get(URL, QUERY).content.decode()
    assert "CPTS du Val (CPTS-A)" in page
    assert "masqué (moins de 11)" in page
    # The chart draws the shown value under the CPTS name; the masked one is no bar.
    assert "CPTS du Val : 31,5" in page


def test_values_by_cpts_follow_the_page_permissions(
    client: Client, requester: User, by_cpts: Publication
) -> None:
    assert client.get(URL, QUERY).status_code in (302, 403)  # anonymous
    client.force_login(requester)
    assert client.get(URL, QUERY).status_code == 403


def test_the_indicator_page_ranks_the_cpts_by_their_names(
    client: Client, coordinator: User, by_cpts: Publication
) -> None:
    client.force_login(coordinator)
    page = client.get(
        "/surveillance/indicateurs/community.critical_share/", {"niveau": "cpts"}
    ).content.decode()
    assert "CPTS du Val (CPTS-A)" in page
