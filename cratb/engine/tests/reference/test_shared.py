"""The project's tables checked against the shared reference files (../shared of the root).

Skipped where ../shared is absent (a checkout without the team's shared folder).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest

from cratb.engine import reference


def _project_root() -> Path:
    for folder in Path(__file__).resolve().parents:
        if (folder / "pyproject.toml").is_file():
            return folder
    raise RuntimeError("pyproject.toml not found above the tests")


SHARED = _project_root().parent / "shared" / "data" / "reference"
pytestmark = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared absent")


def _rows(name: str) -> Iterator[dict[str, str]]:
    with (SHARED / name).open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _route_of(name: str) -> str | None:
    if name.endswith("_IV"):
        return "P"
    if name.endswith("_oral"):
        return "O"
    return None


def test_every_ddd_of_our_agents_equals_the_who_index() -> None:
    shared: dict[tuple[str, str], set[tuple[float, str]]] = {}
    for row in _rows("who_atc_ddd_2026-04-25_antibacterials.csv"):
        if row["ddd"]:
            shared.setdefault((row["atc"], row["route"]), set()).add(
                (float(row["ddd"]), row["unit"])
            )
    agents = reference.antibacterials()
    for atc, agent in agents.items():
        for ddd in agent.ddds:
            assert (ddd.value, ddd.unit) in shared[(atc, ddd.route)], (atc, ddd)
    # And nothing WHO gives for our agents is missing.
    for (atc, route), values in shared.items():
        if atc in agents:
            ours = {(d.value, d.unit) for d in agents[atc].ddds if d.route == route}
            assert ours == values, (atc, route)


def test_every_aware_category_equals_the_who_list() -> None:
    checked = 0
    for row in _rows("who_aware_2023.csv"):
        if not row["atc"].startswith(("J", "A", "P")):
            continue  # "to be assigned"
        route = _route_of(row["antibiotic"])
        assert reference.aware_category(row["atc"], route) == row["aware_2023"], row
        checked += 1
    assert checked > 250


def test_the_merged_table_agrees_on_our_agents() -> None:
    agents = reference.antibacterials()
    checked = 0
    for row in _rows("antibacterials_atc_ddd_aware.csv"):
        atc = row["atc"]
        if atc not in agents:
            continue
        route = _route_of(row["name"])
        if row["aware"]:
            assert reference.aware_category(atc, route) == row["aware"], row["name"]
        for column, who_route in (("ddd_oral_g", "O"), ("ddd_parenteral_g", "P")):
            if row[column]:
                ddd = reference.who_ddd(atc, who_route)
                assert ddd is not None and (ddd.value, ddd.unit) == (float(row[column]), "g")
            elif route is None and not row[column.replace("_g", "_other")]:
                assert reference.who_ddd(atc, who_route) is None, (row["name"], who_route)
        checked += 1
    assert checked >= 90


# The national resistance figures (reference.national) against fr_indicators.csv: the
# shared file's indicator wording for each (indicator, organism, agents, specimen).
_NATIONAL_WORDING: dict[tuple[str, str, tuple[str, ...], str | None], tuple[str, str]] = {
    ("resistance.esbl_share", "Escherichia coli", (), "urine"): ("E. coli urinary", "ESBL"),
    ("resistance.pct_resistant", "Escherichia coli", ("CTX", "CRO", "CAZ"), "urine"): (
        "E. coli urinary",
        "C3G",
    ),
    ("resistance.pct_resistant", "Escherichia coli", ("CIP", "OFX", "LVX"), "urine"): (
        "E. coli urinary",
        "fluoroquinolones",
    ),
    ("resistance.pct_resistant", "Escherichia coli", ("CTX", "CRO", "CAZ"), "blood"): (
        "E. coli blood",
        "C3G",
    ),
    ("resistance.pct_resistant", "Klebsiella pneumoniae", ("CTX", "CRO", "CAZ"), "blood"): (
        "K. pneumoniae blood",
        "C3G",
    ),
}


def test_national_resistance_figures_equal_the_shared_file() -> None:
    from cratb.engine.reference.national import national_resistance

    shared = list(_rows("fr_indicators.csv"))
    values = national_resistance()
    assert values
    for v in values:
        start, word = _NATIONAL_WORDING[(v.indicator, v.organism, v.antibiotics, v.specimen)]
        matches = {
            float(r["value"])
            for r in shared
            if r["indicator"].startswith(start)
            and word in r["indicator"]
            and r["year"] == str(v.year)
            and r["scope"] == "France"
        }
        assert matches == {v.value}, (v, matches)


# The national community figures (reference.national, Santé publique France) against
# fr_indicators.csv: the shared file's wording and unit of each indicator.
_CONSUMPTION_WORDING = {
    "community.did": ("antibiotic consumption (DDJ) - community sector", "DDJ/1000 hab/jour"),
    "community.prescriptions_per_1000": (
        "antibiotic prescriptions - community sector",
        "prescriptions/1000 hab/an",
    ),
}


def test_national_community_figures_equal_the_shared_file() -> None:
    from cratb.engine.reference.national import national_consumption

    shared = list(_rows("fr_indicators.csv"))
    values = national_consumption()
    assert {v.indicator for v in values} == set(_CONSUMPTION_WORDING)
    for v in values:
        start, unit = _CONSUMPTION_WORDING[v.indicator]
        matches = {
            float(r["value"])
            for r in shared
            if r["indicator"].startswith(start)
            and r["unit"] == unit
            and r["year"] == str(v.year)
            and r["scope"] == "France"
        }
        assert matches == {v.value}, (v, matches)
        assert v.source.startswith("Santé publique France") and v.edition
    # Every national figure of the shared file in these units is in the table.
    for indicator, (start, unit) in _CONSUMPTION_WORDING.items():
        years = {
            int(r["year"])
            for r in shared
            if r["indicator"].startswith(start) and r["unit"] == unit and r["scope"] == "France"
        }
        assert years == {v.year for v in values if v.indicator == indicator}, indicator
