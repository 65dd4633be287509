"""Organisms: scientific names, WHONET codes, groups, and the spellings labs use.

``organisms.csv`` (searched in ``CRATB_REFERENCE_DIR`` first, like every reference table)
lists the species cratb accepts, one row each: the scientific name stored in the
warehouse, the usual WHONET organism code, the group (``enterobacterales``,
``staphylococcus``, ``enterococcus``, ``streptococcus``, ``non_fermenter``, ``other``)
and synonyms (former names, French names), separated by ``|``.

``organism_keys()`` maps every accepted spelling, in its *key* form (lower case, dots
and underscores read as spaces, spaces squeezed), to the scientific name: the name
itself (``escherichia coli``), its abbreviation (``e coli`` — so ``E. coli``, ``E.coli``
and ``E coli`` all match — and ``ecoli``), the WHONET code (``eco``) and the synonyms.
An abbreviation shared by two species (none in the shipped table) is left out: it is
refused rather than guessed.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass

from cratb.engine.reference import storage

__all__ = [
    "ENTEROBACTERALES",
    "GROUPS",
    "Organism",
    "clear",
    "normalise_key",
    "organism_keys",
    "organisms",
    "resolve_organism",
]

FILE = "organisms.csv"
ENTEROBACTERALES = "enterobacterales"
GROUPS = (
    ENTEROBACTERALES,
    "staphylococcus",
    "enterococcus",
    "streptococcus",
    "non_fermenter",
    "other",
)
_SEPARATORS = re.compile(r"[._\s]+")


@dataclass(frozen=True)
class Organism:
    name: str
    whonet: str | None
    group: str
    synonyms: tuple[str, ...]
    source: str

    @property
    def enterobacterales(self) -> bool:
        return self.group == ENTEROBACTERALES

    @property
    def abbreviation(self) -> str:
        """``E. coli`` for ``Escherichia coli``."""
        genus, _, species = self.name.partition(" ")
        return f"{genus[:1]}. {species}" if species else self.name


def normalise_key(text: str) -> str:
    """The key form of a spelling: the same transformation as the import SQL."""
    return _SEPARATORS.sub(" ", text.lower()).strip()


@functools.cache
def organisms() -> dict[str, Organism]:
    """The accepted species by scientific name."""
    out: dict[str, Organism] = {}
    for row in storage.read_rows(storage.find(FILE)):
        name = " ".join(row["organism"].split())
        group = row["group"].strip()
        if group not in GROUPS:
            raise ValueError(f"{FILE} : groupe inconnu « {group} » pour {name}")
        out[name] = Organism(
            name=name,
            whonet=row["whonet"].strip().lower() or None,
            group=group,
            synonyms=tuple(s.strip() for s in row["synonyms"].split("|") if s.strip()),
            source=row["source"],
        )
    return out


@functools.cache
def organism_keys() -> dict[str, str]:
    """Every accepted spelling (key form) → scientific name."""
    explicit: dict[str, str] = {}
    abbreviations: list[tuple[str, str]] = []
    for organism in organisms().values():
        explicit[normalise_key(organism.name)] = organism.name
        for synonym in organism.synonyms:
            explicit[normalise_key(synonym)] = organism.name
        if organism.whonet:
            explicit[organism.whonet] = organism.name
        genus, _, species = organism.name.lower().partition(" ")
        if species and " " not in species:
            abbreviations += [(f"{genus[0]} {species}", organism.name)]
            abbreviations += [(f"{genus[0]}{species}", organism.name)]
    counts = Counter(key for key, _ in abbreviations)
    keys = {key: name for key, name in abbreviations if counts[key] == 1 and key not in explicit}
    keys.update(explicit)
    return keys


def resolve_organism(text: str) -> Organism | None:
    """The species a spelling stands for, or None when it is not in the table."""
    name = organism_keys().get(normalise_key(text))
    return organisms()[name] if name else None


def clear() -> None:
    organisms.cache_clear()
    organism_keys.cache_clear()
