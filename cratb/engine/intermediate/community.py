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

import ibis.expr.types as ir
import pyarrow as pa

from cratb.engine.indicators.catalogue import GEO_COLUMNS, TIME_COLUMNS, Context, IndicatorError
from cratb.engine.intermediate.products import product_ddd
from cratb.engine.reference import tables as ref
from cratb.engine.staging import community as stg

__all__ = [
    "CUBE_KEYS",
    "MEASURES",
    "consumption",
    "person_days",
    "product_attributes",
]

CUBE_KEYS = ("month_key", "departement", "prescriber_specialty", "setting")


def product_attributes(ctx: Context) -> ir.Table:
    """One row per product (cip13): ``atc``, ``route``, ``atc3``, ``atc4``, ``aware``,
    ``critical``, ``j01``, ``ddd_per_box`` (NULL when not computable)."""

    def build() -> ir.Table:
        p = product_ddd(ctx.table("products"), ctx.memtable(ref.ddd_table()))
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


PRODUCT_COLUMNS = ("atc", "atc3", "atc4", "aware", "route")
#: The measures of ``consumption``: J01 agents only, but for ``boxes_unknown``.
MEASURES = (
    "ddd",
    "ddd_access",
    "lines",
    "lines_critical",
    "boxes_j01",
    "boxes_without_ddd",
    "boxes_unknown",
)


def _measures(t: ir.Table) -> dict[str, ir.Value]:
    """Per row of ``t`` (boxes, line_weight or lines, and the product attributes), the
    contribution to each measure."""
    j01 = t.j01.fill_null(False)
    ddd = (t.boxes.cast("float64") * t.ddd_per_box).fill_null(0.0)
    lines = t.lines if "lines" in t.columns else t.line_weight
    return {
        "ddd": j01.ifelse(ddd, 0.0),
        "ddd_access": (j01 & (t.aware == "Access")).ifelse(ddd, 0.0),
        "lines": j01.ifelse(lines, 0),
        "lines_critical": (j01 & t.critical.fill_null(False)).ifelse(lines, 0),
        "boxes_j01": j01.ifelse(t.boxes, 0),
        "boxes_without_ddd": (j01 & t.ddd_per_box.isnull()).ifelse(t.boxes, 0),
        "boxes_unknown": t.atc.isnull().ifelse(t.boxes, 0),
    }


def _product_keys(dims: set[str]) -> list[str]:
    """The product columns to keep: those asked, and the ATC code with them (it says
    whether the row is a J01 agent)."""
    asked = [c for c in PRODUCT_COLUMNS if c in dims]
    return ["atc", *(c for c in asked if c != "atc")] if asked else []


def consumption(ctx: Context, *, dims: Iterable[str], residents_only: bool) -> ir.Table:
    """Dispensed J01 antibacterials at the grain ``dims`` needs, one row per group with
    the measures ``ddd`` (net DDD of the products whose DDD is computable),
    ``ddd_access`` (of AWaRe Access agents), ``lines`` (prescription lines),
    ``lines_critical`` (of the "critical" agents), ``boxes_j01``, ``boxes_without_ddd``
    (J01 boxes of products without a DDD per box) and ``boxes_unknown`` (boxes of
    products missing from the catalogue, whatever their agent), and as needed the columns
    ``month_key``, ``year``, ``month``, ``departement``, ``region``,
    ``prescriber_specialty``, ``setting``, ``prescriber_id``, ``atc``, ``atc3``, ``atc4``,
    ``aware``, ``route``.

    ``residents_only``: keep the patients living in the départements of the population
    table, the people a population-based rate is about."""
    dims = set(dims)
    residents = population(ctx).departement if residents_only else None
    if "prescriber_id" in dims:
        return _calendar_and_region(ctx, _per_prescriber(ctx, dims, residents))

    def build() -> ir.Table:
        cube = _cube(ctx)
        attributes = product_attributes(ctx)
        t = cube.left_join(attributes, cube.cip13 == attributes.cip13).select(
            cube, *(attributes[c] for c in attributes.columns if c != "cip13")
        )
        t = t.select(*CUBE_KEYS, *_product_keys(set(PRODUCT_COLUMNS)), **_measures(t))
        return _calendar_and_region(ctx, t)

    # Computed once per session and period: every indicator then groups a small table,
    # which keeps both the scans and the compilation of the expressions short.
    rows = ctx.shared("community_rows", build)
    return rows if residents is None else rows.filter(rows.departement.isin(residents))


def _cube(ctx: Context) -> ir.Table:
    """One row per month × département × specialty × setting × product (cip13):
    ``boxes``, ``lines``: the one scan of the dispensing lines for the whole catalogue."""
    rows = stg.dispensations(
        ctx.table("dispensations"), date_from=ctx.date_from, date_to=ctx.date_to
    )
    return rows.group_by([*CUBE_KEYS, "cip13"]).agg(
        boxes=rows.boxes.sum(), lines=rows.line_weight.sum()
    )


def _per_prescriber(ctx: Context, dims: set[str], residents: ir.Column | None) -> ir.Table:
    """Per prescriber, the product attributes are joined to the rows and the measures
    summed by prescriber: grouping by prescriber × product first would make far more groups
    than there are prescribers."""
    rows = stg.dispensations(
        ctx.table("dispensations"), date_from=ctx.date_from, date_to=ctx.date_to
    )
    if residents is not None:
        rows = rows.filter(rows.departement.isin(residents))
    attributes = product_attributes(ctx)
    rows = rows.left_join(attributes, rows.cip13 == attributes.cip13).select(
        rows, *(attributes[c] for c in attributes.columns if c != "cip13")
    )
    # Grouped by the prescriber's integer key, then named: a text key costs far more.
    keys = ["prescriber_key", "prescriber_specialty"]
    keys += ["month_key"] if dims & set(TIME_COLUMNS) else []
    keys += ["departement"] if dims & set(GEO_COLUMNS) else []
    keys += ["setting"] if "setting" in dims else []
    keys += _product_keys(dims)
    measures = _measures(rows)
    t = rows.group_by(keys).aggregate(**{name: m.sum() for name, m in measures.items()})
    names = ctx.table("prescribers")
    return t.join(names, "prescriber_key").drop("prescriber_key")


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
    days = ctx.shared("person_days", lambda: _person_days(ctx))
    if dims:
        return days.group_by(dims).agg(person_days=days.person_days.sum())
    return days.aggregate(person_days=days.person_days.sum())


def _person_days(ctx: Context) -> ir.Table:
    """One row per month × département of the period: ``year``, ``month``,
    ``departement``, ``region``, ``person_days``."""
    pop = population(ctx)
    available: list[int] = ctx.session.remember(
        "population_years",
        lambda: sorted({int(r["year"]) for r in ctx.rows(pop.select("year").distinct())}),
    )
    if not available:
        raise IndicatorError("la table « population » est vide : importer la population")
    years = ctx.years()
    mapping = ctx.memtable(
        pa.table(
            {
                "year": pa.array(years, pa.int32()),
                "population_year": pa.array(
                    [max((a for a in available if a <= y), default=available[0]) for y in years],
                    pa.int32(),
                ),
            }
        )
    )
    months = ctx.months()
    months = months.join(mapping, "year")
    deps = ctx.memtable(ref.departements_table())
    pop = pop.left_join(deps, pop.departement == deps.departement).select(pop, deps.region)
    return months.join(pop, months.population_year == pop.year).select(
        months.year, months.month, pop.departement, pop.region,
        (pop.population * months.days).name("person_days"),
    )  # fmt: skip
