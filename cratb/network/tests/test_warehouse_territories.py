"""The directory's CPTS and GHT copied into the warehouse, and overlapping CPTS refused."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from cratb.engine.sources.territories import TerritoryError
from cratb.network.forms import TerritoryForm
from cratb.network.models import Territory, TerritoryCommune
from cratb.network.tests.factories import CptsTerritoryFactory, EstablishmentFactory, GhtFactory
from cratb.network.warehouse import write_territories

pytestmark = pytest.mark.django_db


def _cpts(code: str, communes: list[str]) -> Territory:
    territory = CptsTerritoryFactory.create(code=code, name=f"CPTS {code}")
    for commune in communes:
        TerritoryCommune.objects.create(territory=territory, code=commune)
    return territory


def test_the_cpts_communes_and_the_ght_reach_the_warehouse(tmp_path: Path) -> None:
    _cpts("A", ["75101", "75102"])
    ght = GhtFactory.create(code="GHT-X", name="GHT X")
    hospital = EstablishmentFactory.create(ght=ght)
    EstablishmentFactory.create()  # in no GHT
    warehouse = tmp_path / "w.duckdb"
    assert write_territories(warehouse=warehouse) == 3
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT * FROM territory_communes ORDER BY commune").fetchall() == [
            ("A", "CPTS A", "75101"),
            ("A", "CPTS A", "75102"),
        ]
        assert con.execute("SELECT * FROM establishment_ght").fetchall() == [
            (hospital.finess, "GHT-X", "GHT X")
        ]


def test_overlapping_cpts_in_the_directory_are_refused_with_the_commune(tmp_path: Path) -> None:
    _cpts("A", ["75101"])
    _cpts("B", ["75101", "75103"])
    with pytest.raises(TerritoryError, match=r"75101 \(Paris 1er Arrondissement\) est dans deux"):
        write_territories(warehouse=tmp_path / "w.duckdb")
    assert not (tmp_path / "w.duckdb").exists()  # checked before anything is written


def test_the_territory_form_names_the_cpts_that_already_has_the_commune() -> None:
    first = _cpts("A", ["75101"])
    form = TerritoryForm(
        data={
            "kind": "cpts",
            "code": "B",
            "name": "CPTS B",
            "parent": first.parent_id,
            "communes": "75101 75103",
        }
    )
    assert not form.is_valid()
    message = " ".join(str(e) for e in form.errors["communes"])
    assert "Une commune n'appartient qu'à une CPTS" in message
    assert "déjà dans la CPTS « CPTS A »" in message
    # Editing the CPTS that holds the commune is no overlap.
    same = TerritoryForm(
        instance=first,
        data={
            "kind": "cpts",
            "code": "A",
            "name": "CPTS A",
            "parent": first.parent_id,
            "communes": "75101 75104",
        },
    )
    assert same.is_valid(), same.errors
