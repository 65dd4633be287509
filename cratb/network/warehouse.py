"""The directory's territories copied into the analytics warehouse.

The engine cannot read the directory (no Django): before each publication of the
indicators (the ``territories`` preparation of the catalogue) and in ``cratb demo``, the
communes of each CPTS and the GHT of each establishment are written into the warehouse
(``cratb.engine.sources.territories``), where the indicators by CPTS and by GHT read them.
A CPTS that covers whole départements counts all their communes (Paris, Lyon and
Marseille through their arrondissements).
"""

from __future__ import annotations

from pathlib import Path

from cratb.engine import reference
from cratb.engine.sources.territories import Cpts, Ght, check, store
from cratb.engine.warehouse import connect
from cratb.network.models import Organization, Territory

__all__ = ["cpts_centroids", "cpts_list", "ght_list", "write_territories"]

#: Cities counted through their municipal arrondissements.
SPLIT_CITIES = ("75056", "69123", "13055")


def _departement_communes(code: str) -> list[str]:
    return [
        c.code
        for c in reference.communes().values()
        if c.departement == code and c.code not in SPLIT_CITIES
    ]


def cpts_list() -> list[Cpts]:
    """Every CPTS of the directory with the communes it covers."""
    out = []
    territories = Territory.objects.filter(kind=Territory.Kind.CPTS).prefetch_related(
        "communes", "covered_departements"
    )
    for t in territories.order_by("code"):
        codes = {c.code.upper() for c in t.communes.all()}
        for dep in t.covered_departements.all():
            codes.update(_departement_communes(dep.code))
        out.append(Cpts(code=t.code, name=t.name, communes=tuple(sorted(codes))))
    return out


def cpts_centroids() -> dict[str, tuple[float, float]]:
    """Where to draw each CPTS on a map: (longitude, latitude), the mean of its communes'
    town halls weighted by their population (a plain mean when none has a population).
    A CPTS without any located commune is left out."""
    places = reference.communes()
    out: dict[str, tuple[float, float]] = {}
    for cpts in cpts_list():
        located = [
            c
            for code in cpts.communes
            if (c := places.get(code)) is not None and c.lat is not None and c.lon is not None
        ]
        if not located:
            continue
        weights = [float(c.population or 0) for c in located]
        if sum(weights) <= 0:
            weights = [1.0] * len(located)
        total = sum(weights)
        lon = sum(w * c.lon for w, c in zip(weights, located, strict=True) if c.lon is not None)
        lat = sum(w * c.lat for w, c in zip(weights, located, strict=True) if c.lat is not None)
        out[cpts.code] = (round(lon / total, 4), round(lat / total, 4))
    return out


def ght_centroids() -> dict[str, tuple[float, float]]:
    """Where to draw each GHT on a map: (longitude, latitude), the mean of its
    establishments' communes (town halls) weighted by their beds (a plain mean when none
    has beds). A GHT without any located establishment is left out."""
    places = reference.communes()
    located: dict[int, list[tuple[float, float, float]]] = {}
    for org in Organization.objects.filter(ght__isnull=False).exclude(commune_code=""):
        commune = places.get(org.commune_code)
        if commune is None or commune.lat is None or commune.lon is None:
            continue
        located.setdefault(org.ght_id, []).append(  # type: ignore[arg-type]
            (commune.lon, commune.lat, float(org.beds or 0))
        )
    out: dict[str, tuple[float, float]] = {}
    for ght in Territory.objects.filter(kind=Territory.Kind.GHT, pk__in=list(located)):
        points = located[ght.pk]
        weights = [w for _, _, w in points]
        if sum(weights) <= 0:
            weights = [1.0] * len(points)
        total = sum(weights)
        lon = sum(w * p[0] for w, p in zip(weights, points, strict=True)) / total
        lat = sum(w * p[1] for w, p in zip(weights, points, strict=True)) / total
        out[ght.code] = (round(lon, 4), round(lat, 4))
    return out


def ght_list() -> list[Ght]:
    """Every GHT of the directory with the FINESS numbers of its establishments."""
    members: dict[int, list[str]] = {}
    for org in Organization.objects.filter(ght__isnull=False).exclude(finess=""):
        members.setdefault(org.ght_id, []).append(org.finess)  # type: ignore[arg-type]
    return [
        Ght(code=g.code, name=g.name, finess=tuple(sorted(members.get(g.pk, []))))
        for g in Territory.objects.filter(kind=Territory.Kind.GHT).order_by("code")
    ]


def write_territories(*, warehouse: Path) -> int:
    """Replace the warehouse's copy of the CPTS communes and the establishments' GHT;
    returns the rows written. Raises ``TerritoryError`` (nothing written) when two CPTS
    share a commune."""
    cpts, ght = cpts_list(), ght_list()
    check(cpts, ght)
    with connect(warehouse) as con:
        store(con, cpts, ght)
    return sum(len(c.communes) for c in cpts) + sum(len(g.finess) for g in ght)
