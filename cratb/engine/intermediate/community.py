"""Intermediate tables of the community indicators.

``consumption``: dispensed boxes, DDD and prescription lines aggregated to the grain an
indicator needs, with the product's ATC code, route, AWaRe category and "critical" flag.
Without ``prescriber_id``, it is cut from one small table per session and period (the
*cube*: month × département × specialty × setting × product), computed once, so the
whole catalogue reads the dispensing lines once.

``person_days``: the population denominator, population × days, by the time and
geographic columns of the request.
"""

from __future__ import annotations

from collections.abc import Iterable

import ibis
import ibis.expr.types as ir

from cratb.engine.indicators.catalogue import GEO_COLUMNS, TIME_COLUMNS, Context, IndicatorError
from cratb.engine.intermediate.products import product_ddd
from cratb.engine.reference import tables as ref
from cratb.engine.staging import community as stg

__all__ = [
    "CUBE_KEYS",
    "consumption",
    "person_days",
    "population_departements",
    "product_attributes",
    "products",
]

CUBE_KEYS = ("month_key", "departement", "prescriber_specialty", "setting")


def products(ctx: Context) -> ir.Table:
    """The product catalogue with each product's DDD per box and its reason."""
    return ctx.shared(
        "product_ddd", lambda: product_ddd(ctx.table("products"), ctx.memtable(ref.ddd_table()))
    )


def product_attributes(ctx: Context) -> ir.Table:
    """One row per product (cip13): ``atc``, ``route``, ``atc3``, ``atc4``, ``aware``,
    ``critical``, ``j01``, ``ddd_per_box`` (NULL when not computable)."""

    def build() -> ir.Table:
        p = products(ctx)
        agents = ctx.memtable(ref.agents_table())
        return p.left_join(agents, [p.atc == agents.atc, p.route == agents.route]).select(
            p.cip13, p.atc, p.route, agents.atc3, agents.atc4, agents.aware,
            agents.critical.fill_null(False).name("critical"),
            agents.j01.fill_null(False).name("j01"),
            p.ddd_per_box,
        )  # fmt: skip

    return ctx.shared("product_attributes", build)


def population(ctx: Context) -> ir.Table:
    return ctx.shared("population", lambda: stg.population(ctx.table("population")))


def population_departements(ctx: Context) -> list[str]:
    pop = population(ctx)
    return ctx.session.remember(
        "population_departements",
        lambda: sorted(r["departement"] for r in ctx.rows(pop.select("departement").distinct())),
    )


PRODUCT_COLUMNS = ("atc", "atc3", "atc4", "aware", "route")


def consumption(ctx: Context, *, dims: Iterable[str], residents_only: bool) -> ir.Table:
    """Dispensed boxes, DDD and prescription lines at the grain ``dims`` needs: columns
    ``boxes`` (net), ``lines`` (prescription lines), ``ddd`` (of the products whose DDD
    is computable), ``boxes_without_ddd``, the flags ``j01``, ``critical``,
    ``known_product`` (in the catalogue), ``aware``, and as needed ``month_key``,
    ``year``, ``month``, ``departement``, ``region``, ``prescriber_specialty``,
    ``setting``, ``prescriber_id``, ``atc``, ``atc3``, ``atc4``, ``route``.

    ``residents_only``: keep the patients living in the départements of the population
    table, the people a population-based rate is about."""
    dims = set(dims)
    residents = population_departements(ctx) if residents_only else None
    if "prescriber_id" in dims:
        t = _per_prescriber(ctx, dims, residents)
    else:
        cube = ctx.shared("community_cube", lambda: _cube(ctx))
        if residents is not None:
            cube = cube.filter(cube.departement.isin(residents))
        attributes = product_attributes(ctx)
        t = cube.left_join(attributes, cube.cip13 == attributes.cip13).select(
            cube, *(attributes[c] for c in attributes.columns if c != "cip13")
        )
        t = t.mutate(
            ddd=t.boxes.cast("float64") * t.ddd_per_box,
            boxes_without_ddd=t.ddd_per_box.isnull().ifelse(t.boxes, 0),
            known_product=t.atc.notnull(),
            critical=t.critical.fill_null(False),
            j01=t.j01.fill_null(False),
        )
    return _calendar_and_region(ctx, t)


def _cube(ctx: Context) -> ir.Table:
    """One row per month × département × specialty × setting × product (cip13):
    ``boxes``, ``lines``."""
    rows = stg.dispensations(
        ctx.table("dispensations"), date_from=ctx.date_from, date_to=ctx.date_to
    )
    return rows.group_by([*CUBE_KEYS, "cip13"]).agg(
        boxes=rows.boxes.sum(), lines=rows.line_weight.sum()
    )


def _per_prescriber(ctx: Context, dims: set[str], residents: list[str] | None) -> ir.Table:
    """Per prescriber, the product attributes are joined to the rows first and the rows
    grouped by prescriber and flags: grouping by prescriber × product would make far more
    groups than there are prescribers."""
    rows = stg.dispensations(
        ctx.table("dispensations"), date_from=ctx.date_from, date_to=ctx.date_to
    )
    if residents is not None:
        rows = rows.filter(rows.departement.isin(residents))
    attributes = product_attributes(ctx)
    rows = rows.left_join(attributes, rows.cip13 == attributes.cip13).select(
        rows, *(attributes[c] for c in attributes.columns if c != "cip13")
    )
    keys = ["prescriber_id", "prescriber_specialty"]
    keys += ["month_key"] if dims & set(TIME_COLUMNS) else []
    keys += ["departement"] if dims & set(GEO_COLUMNS) else []
    keys += ["setting"] if "setting" in dims else []
    keys += [c for c in PRODUCT_COLUMNS if c in dims and c != "aware"]
    flags = {
        "aware": rows.aware,
        "critical": rows.critical.fill_null(False),
        "j01": rows.j01.fill_null(False),
        "known_product": rows.atc.notnull(),
    }
    rows = rows.mutate(**flags)
    return rows.group_by([*keys, *flags]).aggregate(
        boxes=rows.boxes.sum(),
        lines=rows.line_weight.sum(),
        ddd=(rows.boxes.cast("float64") * rows.ddd_per_box).sum(),
        boxes_without_ddd=rows.ddd_per_box.isnull().ifelse(rows.boxes, 0).sum(),
    )


def _calendar_and_region(ctx: Context, t: ir.Table) -> ir.Table:
    if "month_key" in t.columns:
        t = t.mutate(year=(t.month_key // 100).cast("int32"), month=stg.month_label(t.month_key))
    if "departement" in t.columns:
        deps = ctx.memtable(ref.departements_table())
        t = t.left_join(deps, t.departement == deps.departement).select(t, deps.region)
    return t


def person_days(ctx: Context, *, dims: Iterable[str]) -> ir.Table:
    """One row per value of the time and geographic columns among ``dims``:
    ``person_days`` = Σ population × days of the period, the population of each calendar
    year being that of the population table for that year, else of the latest earlier
    year, else of the earliest year given (populations are published years late)."""
    dims = [c for c in dims if c in (*TIME_COLUMNS, *GEO_COLUMNS)]
    pop = population(ctx)
    available: list[int] = ctx.session.remember(
        "population_years",
        lambda: sorted({int(r["year"]) for r in ctx.rows(pop.select("year").distinct())}),
    )
    if not available:
        raise IndicatorError("la table « population » est vide : importer la population")
    years = ctx.years()
    mapping = ibis.memtable(
        {
            "year": years,
            "population_year": [
                max((a for a in available if a <= y), default=available[0]) for y in years
            ],
        },
        schema={"year": "int32", "population_year": "int32"},
    )
    months = ctx.months()
    months = months.join(mapping, "year")
    deps = ctx.memtable(ref.departements_table())
    pop = pop.left_join(deps, pop.departement == deps.departement).select(pop, deps.region)
    days = months.join(pop, months.population_year == pop.year).select(
        months.year, months.month, pop.departement, pop.region,
        (pop.population * months.days).name("person_days"),
    )  # fmt: skip
    if dims:
        return days.group_by(dims).agg(person_days=days.person_days.sum())
    return days.aggregate(person_days=days.person_days.sum())
