from __future__ import annotations

import pytest

from cratb.engine import reference
from cratb.network.models import Territory
from cratb.network.territories import sync_territories

pytestmark = pytest.mark.django_db


def test_sync_creates_regions_and_departements_with_parents_and_population() -> None:
    assert sync_territories() == 18 + 101

    assert Territory.objects.filter(kind=Territory.Kind.REGION, parent=None).count() == 18
    idf = Territory.objects.get(kind=Territory.Kind.REGION, code="11")
    assert idf.name == "Île-de-France"
    assert sorted(child.code for child in idf.children.all()) == [
        "75",
        "77",
        "78",
        "91",
        "92",
        "93",
        "94",
        "95",
    ]
    mayotte = Territory.objects.get(kind=Territory.Kind.DEPARTEMENT, code="976")
    assert mayotte.parent is not None and mayotte.parent.code == "06"
    paris = reference.departement("75")
    row = Territory.objects.get(kind=Territory.Kind.DEPARTEMENT, code="75")
    assert (row.population, row.population_year) == (paris.population, paris.population_year)


def test_second_sync_writes_nothing() -> None:
    sync_territories()
    assert sync_territories() == 0


def test_sync_repairs_a_changed_row_and_keeps_unknown_ones() -> None:
    sync_territories()
    Territory.objects.filter(kind=Territory.Kind.DEPARTEMENT, code="2A").update(
        name="Corse du Sud (ancien nom)", population=1
    )
    Territory.objects.create(kind=Territory.Kind.DEPARTEMENT, code="99", name="Étranger")

    assert sync_territories() == 1

    corse = Territory.objects.get(kind=Territory.Kind.DEPARTEMENT, code="2A")
    assert corse.name == "Corse-du-Sud"
    assert corse.population == reference.departement("2A").population
    assert Territory.objects.filter(code="99").exists()
