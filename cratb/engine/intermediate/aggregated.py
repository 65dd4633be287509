"""Intermediate tables of the community indicators computed from aggregated dispensing
(``aggregated_dispensations``: Open Medic, an extract summed by the health insurance).

- ``aggregated_rows``: the counts of boxes of the years asked, with the measures of the
  dispensing-line cube (``intermediate.community.MEASURES``), so that ``community.did``,
  ``access_share`` and ``critical_share`` read either source alike;
- ``region_groups`` and ``population_by``: the population denominator at the grain the
  aggregate allows (year × region, or a group of regions such as Open Medic's « 93+94 »,
  × sex × age band), the population's age bands fitted into the source's.

Every step receives the tables it reads and its parameters; see docs/open-data.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import ibis
import ibis.expr.types as ir

from cratb.engine.context import IndicatorError

__all__ = [
    "AGGREGATE_BY",
    "aggregated_rows",
    "band_mapping",
    "population_by",
    "region_groups",
]

#: The --by columns an aggregate can be cut by (besides the product columns).
AGGREGATE_BY = ("year", "region", "departement", "age_band", "sex", "prescriber_specialty")
_BAND = re.compile(r"^(\d+)(?:-(\d+)|\+)$")


def aggregated_rows(
    aggregated: ir.Table,
    *,
    attributes: ir.Table,
    agents: ir.Table,
    departements: ir.Table,
    years: Sequence[int],
) -> ir.Table:
    """One row per aggregated row of ``years``: ``year``, ``region`` (the row's, or its
    département's), ``departement``, ``age_band``, ``sex``, ``prescriber_specialty``,
    ``atc``, ``atc3``, ``atc4``, ``aware``, ``route`` and the measures ``ddd`` (boxes ×
    DDD per box of the catalogue, or the row's own DDD for a row counted by ATC code),
    ``ddd_access``, ``lines`` (the row's prescriptions, or its boxes when the source
    gives none), ``lines_critical``, ``boxes_j01``, ``boxes_without_ddd``,
    ``boxes_unknown`` (J01 boxes, by the source's ATC code, of CIP13 absent from the
    catalogue) and ``boxes_without_prescriptions`` (J01 boxes of rows without a count of
    prescriptions). ``attributes`` is ``community.product_attributes``."""
    # Every measure is of J01 agents: the other rows (most of an Open Medic year) are left
    # out first; a row without an ATC code gets its agent from the catalogue.
    a = aggregated.filter(
        aggregated.year.isin(list(years))
        & (aggregated.atc.startswith("J01") | aggregated.atc.isnull())
    )
    by_atc = agents.group_by("atc").aggregate(
        atc3=agents.atc3.min(),
        atc4=agents.atc4.min(),
        aware=(agents.aware.min() == agents.aware.max()).ifelse(agents.aware.min(), None),
        critical=agents.critical.max(),
        j01=agents.j01.max(),
    )
    p = attributes
    t = a.left_join(p, a.cip13 == p.cip13).select(
        a.year, a.region, a.departement, a.age_band, a.sex, a.prescriber_specialty,
        a.cip13, a.atc.name("source_atc"), a.boxes, a.ddd.name("row_ddd"), a.prescriptions,
        p.atc.name("p_atc"), p.route, p.atc3.name("p_atc3"), p.atc4.name("p_atc4"),
        p.aware.name("p_aware"), p.critical.name("p_critical"), p.j01.name("p_j01"),
        p.ddd_per_box,
        p.cip13.notnull().name("known"),
    )  # fmt: skip
    t = t.left_join(by_atc, t.source_atc == by_atc.atc).select(
        t, by_atc.atc3.name("a_atc3"), by_atc.atc4.name("a_atc4"), by_atc.aware.name("a_aware"),
        by_atc.critical.name("a_critical"), by_atc.j01.name("a_j01"),
    )  # fmt: skip
    by_code = t.cip13.isnull()  # a row counted by ATC code, with its DDD
    atc = by_code.ifelse(t.source_atc, t.p_atc)
    j01 = by_code.ifelse(t.a_j01, t.p_j01).fill_null(False)
    aware = by_code.ifelse(t.a_aware, t.p_aware)
    critical = by_code.ifelse(t.a_critical, t.p_critical).fill_null(False)
    ddd = by_code.ifelse(t.row_ddd, t.boxes.cast("float64") * t.ddd_per_box)
    lines = t.prescriptions.fill_null(t.boxes)
    in_scope = t.source_atc.fill_null("").startswith("J01")
    t = t.select(
        "year", "prescriber_specialty", "age_band", "sex", "departement", "route",
        region=t.region,
        atc=atc,
        atc3=by_code.ifelse(t.a_atc3, t.p_atc3),
        atc4=by_code.ifelse(t.a_atc4, t.p_atc4),
        aware=aware,
        ddd=j01.ifelse(ddd.fill_null(0.0), 0.0),
        ddd_access=(j01 & (aware == "Access")).ifelse(ddd.fill_null(0.0), 0.0),
        lines=j01.ifelse(lines, 0),
        lines_critical=(j01 & critical).ifelse(lines, 0),
        boxes_j01=j01.ifelse(t.boxes, 0),
        boxes_without_ddd=(j01 & ddd.isnull()).ifelse(t.boxes, 0),
        boxes_unknown=(~t.known & ~by_code & in_scope).ifelse(t.boxes, 0),
        boxes_without_prescriptions=(j01 & t.prescriptions.isnull()).ifelse(t.boxes, 0),
    )  # fmt: skip
    t = t.left_join(departements, t.departement == departements.departement).select(
        *(t[c] for c in t.columns if c != "region"),
        t.region.fill_null(departements.region).name("region"),
    )
    # One row per territory × age band × sex × specialty × product attributes: the CIP13
    # are summed away (the indicators never group by them).
    keys = [c for c in t.columns if c not in MEASURES]
    return t.group_by(keys).aggregate(**{m: t[m].sum() for m in MEASURES})


MEASURES = (
    "ddd",
    "ddd_access",
    "lines",
    "lines_critical",
    "boxes_j01",
    "boxes_without_ddd",
    "boxes_unknown",
    "boxes_without_prescriptions",
)


def region_groups(regions: Iterable[str | None]) -> dict[str, list[str]]:
    """Each territory of an aggregate (« 84 », « 93+94 ») → the INSEE regions it sums."""
    return {r: r.split("+") for r in regions if r}


def band_mapping(source_bands: Iterable[str], population_bands: Iterable[str]) -> dict[str, str]:
    """Each age band of the population → the source's band that contains it (« 20-39 » →
    « 20-59 »); IndicatorError when one straddles two (the rates would be wrong)."""
    targets = [(b, _bounds(b)) for b in sorted(set(source_bands))]
    mapping: dict[str, str] = {}
    for band in sorted(set(population_bands)):
        low, high = _bounds(band)
        found = [b for b, (lo, hi) in targets if lo <= low and high <= hi]
        if not found:
            raise IndicatorError(
                f"la tranche d'âge « {band} » de la population n'entre dans aucune tranche des"
                f" données agrégées ({', '.join(b for b, _ in targets)}) : importer la"
                " population par tranches plus fines"
            )
        mapping[band] = found[0]
    return mapping


def _bounds(band: str) -> tuple[int, int]:
    match = _BAND.match(band)
    if not match:
        raise IndicatorError(f"tranche d'âge illisible « {band} »")
    low = int(match.group(1))
    return low, int(match.group(2)) if match.group(2) else 999


def population_by(
    population: ir.Table,
    *,
    departements: ir.Table,
    groups: ir.Table,
    bands: ir.Table | None,
    population_years: ir.Table,
    dims: Sequence[str],
) -> ir.Table:
    """Population of the territories of the aggregate, by ``year`` (the population year
    that counts for each year: ``population_years``) and the columns of ``dims`` among
    ``region`` (a group of regions), ``departement``, ``sex``, ``age_band`` (the
    source's bands, through ``bands``: population band → source band). ``groups`` maps
    each territory of the aggregate (``region``) to its INSEE regions (``member``)."""
    p = population.left_join(departements, population.departement == departements.departement)
    p = p.select(population, departements.region)
    p = p.join(groups, p.region == groups.member).select(p, groups.region.name("group"))
    if bands is not None:
        p = p.join(bands, p.age_band == bands.population_band).select(
            *(p[c] for c in p.columns if c != "age_band"), bands.age_band
        )
    p = p.join(population_years, p.year == population_years.population_year).select(
        *(p[c] for c in p.columns if c != "year"), population_years.year
    )
    p = p.drop("region").rename(region="group")
    keys = ["year", *(c for c in dims if c in ("region", "departement", "sex", "age_band"))]
    return p.group_by(keys).aggregate(population=p.population.sum())


def age_standard(population: ir.Table, *, by: Sequence[str]) -> ir.Table:
    """The standard population's weights: the share of each sex × age band in the whole
    population of each year (one row per ``by`` × year): ``weight``."""
    keys = ["year", *by]
    t = population.group_by(keys).aggregate(population=population.population.sum())
    total = t.population.sum().over(ibis.window(group_by=[t.year]))
    return t.mutate(weight=t.population.cast("float64") / total.cast("float64")).drop("population")
