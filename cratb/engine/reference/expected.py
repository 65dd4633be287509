"""EUCAST expected resistant phenotypes ("intrinsic resistance"), a versioned table.

``expected_resistance.csv`` (searched in ``CRATB_REFERENCE_DIR`` first, like every
reference table) lists, per species of ``organisms.csv`` or per group
(``group:enterobacterales``…), the agents (WHONET codes) to which the species is
expected to be resistant: EUCAST Expected Resistant Phenotypes v1.2 (13 January 2023),
tables 1 to 4. Such a pair is never a measured rate: the antibiogram and the
``resistance.pct_resistant`` indicator show it as « résistance naturelle », and a lab
result other than R for it is a result the lab should check (``contrary_results``).

Only the pairs of species and agents the project knows are listed; the table says which
EUCAST table each row comes from. Low-level aminoglycoside resistance of enterococci and
streptococci is left out on purpose: labs report the high-level screen under the same
WHONET code (docs/resistance.md).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pyarrow as pa

from cratb.engine.reference import storage
from cratb.engine.reference.organisms import GROUPS, organisms

__all__ = [
    "EDITION",
    "FILE",
    "SOURCE",
    "ExpectedRow",
    "clear",
    "expected_pairs",
    "expected_rows",
    "expected_table",
    "is_expected_resistant",
]

FILE = "expected_resistance.csv"
EDITION = "v1.2 (2023-01-13)"
SOURCE = (
    "EUCAST Expected Resistant Phenotypes v1.2 (13/01/2023),"
    " https://www.eucast.org/expert_rules_and_expected_phenotypes"
)


@dataclass(frozen=True)
class ExpectedRow:
    organism: str  # a species or ``group:<group>``
    antibiotics: tuple[str, ...]
    eucast_table: int
    note: str


@functools.cache
def expected_rows() -> tuple[ExpectedRow, ...]:
    """The rows of the table as written (species or group), checked."""
    from cratb.engine import reference

    known = organisms()
    agents = {a.whonet for a in reference.antibacterials().values() if a.whonet}
    out = []
    for number, row in enumerate(storage.read_rows(storage.find(FILE)), start=2):
        name = " ".join(row["organism"].split())
        if name.startswith("group:"):
            if name.removeprefix("group:") not in GROUPS:
                raise ValueError(f"{FILE}, ligne {number} : groupe inconnu « {name} »")
        elif name not in known:
            raise ValueError(f"{FILE}, ligne {number} : organisme inconnu « {name} »")
        codes = tuple(row["antibiotics"].split())
        unknown = [c for c in codes if c not in agents]
        if unknown or not codes:
            raise ValueError(
                f"{FILE}, ligne {number} : code WHONET inconnu ou absent {' '.join(unknown)}"
            )
        out.append(ExpectedRow(name, codes, int(row["eucast_table"]), row.get("note") or ""))
    return tuple(out)


@functools.cache
def expected_pairs() -> frozenset[tuple[str, str]]:
    """Every (species, WHONET code) expected to be resistant, groups expanded."""
    pairs: set[tuple[str, str]] = set()
    species = organisms()
    for row in expected_rows():
        if row.organism.startswith("group:"):
            group = row.organism.removeprefix("group:")
            names = [o.name for o in species.values() if o.group == group]
        else:
            names = [row.organism]
        pairs.update((name, code) for name in names for code in row.antibiotics)
    return frozenset(pairs)


def is_expected_resistant(organism: str, antibiotic: str) -> bool:
    return (organism, antibiotic) in expected_pairs()


@functools.cache
def expected_table() -> pa.Table:
    """The pairs as a table for joins: ``organism``, ``antibiotic``, ``intrinsic`` (true)."""
    pairs = sorted(expected_pairs())
    return pa.table(
        {
            "organism": pa.array([p[0] for p in pairs], pa.string()),
            "antibiotic": pa.array([p[1] for p in pairs], pa.string()),
            "intrinsic": pa.array([True] * len(pairs), pa.bool_()),
        }
    )


def clear() -> None:
    expected_rows.cache_clear()
    expected_pairs.cache_clear()
    expected_table.cache_clear()
