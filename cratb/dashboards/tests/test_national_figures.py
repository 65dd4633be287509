"""France's value on the indicator pages' headline (issue #14 point 1): the value of the
page's year with its source, or the latest published one named as such; nothing when the
reference tables have none."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import caches
from django.test import Client

from cratb.accounts.models import User
from cratb.dashboards.national_figures import france
from cratb.dashboards.sections import PageContext
from cratb.dashboards.tests.factories import IndicatorValueFactory, PublicationFactory
from cratb.engine.indicators import CATALOGUE
from cratb.network.models import Territory

PAGE = "/surveillance/indicateurs/community.did/"
PRESCRIPTIONS = "/surveillance/indicateurs/community.prescriptions_per_1000/"


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    caches["pages"].clear()


@pytest.fixture
def published(departement: Territory) -> None:
    publication = PublicationFactory.create()
    for year, value in ((2017, 23.1), (2023, 21.4), (2025, 20.2)):
        IndicatorValueFactory.create(
            publication=publication,
            year=year,
            value=value,
            period_start=date(year, 1, 1),
            period_end=date(year, 12, 31),
        )
    IndicatorValueFactory.create(
        publication=publication, indicator="community.prescriptions_per_1000", value=700.0
    )


def _headline(page: str) -> str:
    start = page.index('class="headline')
    return page[start : page.index("</dl>", start)]


def test_the_headline_gives_france_of_the_same_year_with_its_source(
    client: Client, coordinator: User, published: None
) -> None:
    client.force_login(coordinator)
    headline = _headline(client.get(PAGE, {"annee": "2023"}).content.decode())
    assert "20,9 (France entière, 2023)" in headline
    assert "Source : Santé publique France" in headline and "novembre 2024" in headline


def test_without_a_value_of_the_year_the_latest_published_is_named(
    client: Client, coordinator: User, published: None
) -> None:
    client.force_login(coordinator)
    headline = _headline(client.get(PAGE).content.decode())
    assert "20,9 (dernière valeur nationale publiée : 2023)" in headline
    other = _headline(client.get(PRESCRIPTIONS).content.decode())
    assert "820,6 (dernière valeur nationale publiée : 2023)" in other


def test_the_english_headline_names_the_year_and_the_source(
    client: Client, coordinator: User, published: None
) -> None:
    client.force_login(coordinator)
    same = _headline(client.get("/en" + PAGE, {"annee": "2023"}).content.decode())
    assert "20.9 (France, 2023)" in same and "Source: Santé publique France" in same
    latest = _headline(client.get("/en" + PAGE).content.decode())
    assert "20.9 (latest published national value: 2023)" in latest


def test_nothing_when_the_tables_have_no_value(
    client: Client, coordinator: User, published: None
) -> None:
    client.force_login(coordinator)
    headline = _headline(client.get(PAGE, {"annee": "2017"}).content.decode())
    assert "France" not in headline and "Source" not in headline


def _context(indicator: str, year: int, **dimensions: str) -> PageContext:
    row = {"_level": "", "year": year, "value": 5.0, "dimensions": dimensions}
    return PageContext(
        indicator=CATALOGUE[indicator],
        year=year,
        level="departement",
        language="fr",
        region="11",
        values=(row,),
    )


def test_resistance_gives_the_value_of_the_same_organism_agent_specimen_and_setting() -> None:
    c3g = _context(
        "resistance.pct_resistant",
        2019,
        organism="Escherichia coli",
        antibiotic="CTX",
        specimen="urine",
        setting="community",
    )
    figure = france(c3g)
    assert figure is not None
    assert figure.label == "France entière, 2019"
    assert figure.source.startswith("Santé publique France") and "http" not in figure.source
    esbl = france(
        _context(
            "resistance.esbl_share",
            2024,
            organism="Escherichia coli",
            specimen="urine",
            setting="community",
        )
    )
    assert esbl is not None and esbl.label.startswith("dernière valeur nationale publiée")


def test_resistance_of_every_setting_or_another_organism_has_no_national_value() -> None:
    # The regional value over every setting and specimen is not PRIMO's community urine.
    assert (
        france(
            _context(
                "resistance.pct_resistant", 2019, organism="Escherichia coli", antibiotic="CTX"
            )
        )
        is None
    )
    other = _context(
        "resistance.pct_resistant",
        2019,
        organism="Pseudomonas aeruginosa",
        antibiotic="CAZ",
        specimen="urine",
        setting="community",
    )
    assert france(other) is None
    assert france(_context("community.did", 2010)) is None
