"""The committed map outlines match the territory table and stay small."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cratb.engine import reference

MAPS = Path(reference.__file__).resolve().parents[2] / "static" / "maps"


def _features(name: str) -> list[dict[str, Any]]:
    collection = json.loads((MAPS / name).read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    features: list[dict[str, Any]] = collection["features"]
    return features


@pytest.mark.parametrize("name", ["departements.geojson", "regions.geojson"])
def test_map_files_are_small_enough_to_serve(name: str) -> None:
    assert (MAPS / name).stat().st_size < 1_000_000


def test_every_departement_has_an_outline_with_its_region() -> None:
    features = _features("departements.geojson")
    by_code = {f["properties"]["code"]: f for f in features}
    assert set(by_code) == set(reference.departements())
    for code, dep in reference.departements().items():
        assert by_code[code]["properties"]["region_code"] == dep.region_code
        assert by_code[code]["properties"]["name"] == dep.name
    # Paris lies within Île-de-France's bounding box, and Mayotte in the Indian Ocean.
    ring = by_code["75"]["geometry"]["coordinates"][0][0]
    assert all(2.2 < lon < 2.5 and 48.8 < lat < 48.95 for lon, lat in ring)
    ring = by_code["976"]["geometry"]["coordinates"][0][0]
    assert all(44.9 < lon < 45.4 and -13.1 < lat < -12.5 for lon, lat in ring)


def test_every_region_has_an_outline() -> None:
    codes = {f["properties"]["code"] for f in _features("regions.geojson")}
    assert codes == set(reference.regions())


def test_an_enclave_is_a_hole_in_its_host() -> None:
    # The Enclave des Papes (Vaucluse) lies inside the Drôme.
    drome = next(f for f in _features("departements.geojson") if f["properties"]["code"] == "26")
    assert any(len(polygon) > 1 for polygon in drome["geometry"]["coordinates"])
