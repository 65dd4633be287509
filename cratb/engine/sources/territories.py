"""The directory's territories as warehouse tables: CPTS communes and establishments' GHT.

The engine cannot read the web directory (no Django): the directory exports, at each
publication (and ``cratb demo``), the communes of each CPTS and the GHT of each
establishment, which ``store`` writes into the warehouse in one transaction, replacing
the previous copy:

- ``territory_communes``: one row per CPTS × commune: ``cpts`` (the territory's code),
  ``cpts_name``, ``commune`` (INSEE code);
- ``establishment_ght``: one row per establishment: ``finess``, ``ght`` (code),
  ``ght_name``.

A commune unknown to the reference table, or one that two CPTS both claim, is refused
with a French one-line message naming them: a commune counted twice would make the CPTS
figures add up to more than the region.
"""

# ruff: noqa: S608 - table names are the module's own constants.
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import duckdb

from cratb.engine import reference
from cratb.engine.errors import EngineError

__all__ = [
    "ESTABLISHMENT_GHT",
    "TERRITORY_COMMUNES",
    "Cpts",
    "Ght",
    "TerritoryError",
    "check",
    "counts",
    "store",
]

TERRITORY_COMMUNES = "territory_communes"
ESTABLISHMENT_GHT = "establishment_ght"


class TerritoryError(EngineError, ValueError):
    """The territories cannot be stored as given; the message is French, one line."""


@dataclass(frozen=True)
class Cpts:
    code: str
    name: str
    communes: tuple[str, ...]


@dataclass(frozen=True)
class Ght:
    code: str
    name: str
    finess: tuple[str, ...]


def _label(code: str) -> str:
    found = reference.commune(code)
    return f"{code} ({found.name})" if found else code


def check(cpts: Iterable[Cpts], ght: Iterable[Ght] = ()) -> None:
    """Raise ``TerritoryError`` for a commune unknown to the reference table, a commune
    in two CPTS, or an establishment in two GHT."""
    owner: dict[str, Cpts] = {}
    for territory in cpts:
        for code in territory.communes:
            if reference.commune(code) is None:
                raise TerritoryError(
                    f"CPTS « {territory.name} » : code commune inconnu du référentiel « {code} »"
                )
            other = owner.get(code.upper())
            if other is not None and other.code != territory.code:
                raise TerritoryError(
                    f"la commune {_label(code)} est dans deux CPTS : « {other.name} » et"
                    f" « {territory.name} » ; une commune n'appartient qu'à une CPTS"
                )
            owner[code.upper()] = territory
    group: dict[str, Ght] = {}
    for g in ght:
        for finess in g.finess:
            other_ght = group.get(finess)
            if other_ght is not None and other_ght.code != g.code:
                raise TerritoryError(
                    f"l'établissement {finess} est dans deux GHT : « {other_ght.name} » et"
                    f" « {g.name} »"
                )
            group[finess] = g


def store(con: duckdb.DuckDBPyConnection, cpts: Iterable[Cpts], ght: Iterable[Ght] = ()) -> None:
    """Replace the warehouse's copy of the CPTS communes and of the establishments' GHT
    (checked first: nothing is written when ``check`` refuses them)."""
    cpts, ght = list(cpts), list(ght)
    check(cpts, ght)
    commune_rows = sorted(
        {(t.code, t.name, c.upper()) for t in cpts for c in t.communes}, key=lambda r: r[::2]
    )
    ght_rows = sorted({(f, g.code, g.name) for g in ght for f in g.finess})
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            f"CREATE OR REPLACE TABLE {TERRITORY_COMMUNES}"
            " (cpts VARCHAR NOT NULL, cpts_name VARCHAR NOT NULL, commune VARCHAR NOT NULL)"
        )
        con.execute(
            f"CREATE OR REPLACE TABLE {ESTABLISHMENT_GHT}"
            " (finess VARCHAR NOT NULL, ght VARCHAR NOT NULL, ght_name VARCHAR NOT NULL)"
        )
        if commune_rows:
            con.executemany(f"INSERT INTO {TERRITORY_COMMUNES} VALUES (?, ?, ?)", commune_rows)
        if ght_rows:
            con.executemany(f"INSERT INTO {ESTABLISHMENT_GHT} VALUES (?, ?, ?)", ght_rows)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def counts(con: duckdb.DuckDBPyConnection) -> Mapping[str, int]:
    """Rows of each territory table in the warehouse (0 when absent)."""
    out: dict[str, int] = {}
    for table in (TERRITORY_COMMUNES, ESTABLISHMENT_GHT):
        exists = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [table]
        ).fetchone()
        if exists and exists[0]:
            row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
            out[table] = int(row[0]) if row else 0
        else:
            out[table] = 0
    return out
