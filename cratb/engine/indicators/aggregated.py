"""Community indicators from aggregated dispensing (Open Medic…): the consumption rows
and the population denominator the aggregate allows, used by ``community.did``,
``community.access_share`` and ``community.critical_share`` when the request's source is
the aggregate (``Query.source``), and the age-standardised consumption.

An aggregate is yearly and by region (or département when the source gives it), age
band, sex and prescriber specialty; what needs the dispensing lines (month, setting,
prescriber) is refused with a French message saying so.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from cratb.engine import reference
from cratb.engine.backends import Session
from cratb.engine.context import Context, IndicatorError
from cratb.engine.indicators.catalogue import ratio
from cratb.engine.intermediate import aggregated as intermediate
from cratb.engine.intermediate.community import population_years, product_attributes
from cratb.engine.intermediate.products import product_ddd
from cratb.engine.reference import tables as ref
from cratb.engine.sources.opendata.coverage import DddCoverage
from cratb.engine.sources.opendata.coverage import ddd_coverage as coverage_of
from cratb.engine.sources.opendata.open_medic import AGE_BANDS
from cratb.engine.staging import community as stg

__all__ = [
    "AGGREGATE_TABLE",
    "check_by",
    "consumption",
    "ddd_coverage",
    "did_age_standardised",
    "population_rate",
]

AGGREGATE_TABLE = "aggregated_dispensations"
PRODUCT_BY = ("atc", "atc3", "atc4", "aware")
_LINES_ONLY = {
    "month": "le mois",
    "setting": "le lieu de vie",
    "prescriber_id": "le prescripteur",
    "route": "la voie",
}


def _n(n: float) -> str:
    return f"{n:,.0f}".replace(",", "\u202f")


def check_by(ctx: Context) -> None:
    """Refuse the --by columns an aggregate cannot give."""
    for column, what in _LINES_ONLY.items():
        if column in ctx.by:
            raise IndicatorError(
                f"la source agrégée (Open Medic…) ne donne pas {what} (--by {column}) :"
                " il faut les lignes de délivrance (--source lines)"
            )
    if "departement" in ctx.by:
        t = ctx.table(AGGREGATE_TABLE)
        n = ctx.rows(t.aggregate(n=t.departement.count()))[0]["n"]
        if not n:
            raise IndicatorError(
                "la source agrégée ne donne pas le département (Open Medic est par région) :"
                " utiliser --by region"
            )


def consumption(ctx: Context) -> ir.Table:
    """``intermediate.aggregated_rows`` of the period's years, kept for the session."""

    def build() -> ir.Table:
        return intermediate.aggregated_rows(
            ctx.table(AGGREGATE_TABLE),
            attributes=product_attributes(
                ctx.table("products"),
                ddd=ctx.memtable(ref.ddd_table()),
                agents=ctx.memtable(ref.agents_table()),
            ),
            agents=ctx.memtable(ref.agents_table()),
            departements=ctx.memtable(ref.departements_table()),
            years=ctx.years(),
        )

    return ctx.shared("aggregated_rows", build)


def check_ddd(ctx: Context, t: ir.Table) -> None:
    """Warn about the J01 boxes left out: without a DDD, or of CIP13 absent from the
    catalogue (with their boxes)."""
    row = ctx.rows(
        t.aggregate(
            boxes=t.boxes_j01.sum(),
            without=t.boxes_without_ddd.sum(),
            unknown=t.boxes_unknown.sum(),
        )
    )[0]
    boxes, without, unknown = (row["boxes"] or 0), (row["without"] or 0), (row["unknown"] or 0)
    if unknown:
        share = f"{100.0 * unknown / (boxes + unknown):.1f}".replace(".", ",")
        ctx.warn(
            f"{_n(unknown)} boîtes J01 ({share} %) de CIP13 absents du catalogue (products) sont"
            " exclues : importer la BDPM (cratb import bdpm) ou les corriger"
        )
    if without:
        share = f"{100.0 * without / boxes if boxes else 0.0:.1f}".replace(".", ",")
        ctx.warn(
            f"{_n(without)} boîtes J01 ({share} %) sans DDJ calculable sont exclues des DDJ :"
            " voir « cratb ddd report »"
        )


def _covered(ctx: Context, t: ir.Table) -> tuple[dict[str, list[str]], list[str]]:
    """The territories of the aggregate whose regions all have a population, and the
    others."""
    regions = [r["region"] for r in ctx.rows(t.select("region").distinct())]
    groups = intermediate.region_groups(regions)
    pop = stg.population(population_table(ctx))
    deps = ctx.memtable(ref.departements_table())
    known = pop.join(deps, "departement").select(deps.region).distinct()
    with_population = {r["region"] for r in ctx.rows(known)}
    covered = {g: m for g, m in groups.items() if set(m) <= with_population}
    return covered, sorted(set(groups) - set(covered))


def population_table(ctx: Context) -> ir.Table:
    """The imported population, or, when none was imported, the population of the
    reference tables (municipal census, by département, no sex nor age band), with a
    warning."""
    if ctx.session.has("population"):
        return ctx.table("population")
    deps = list(reference.departements().values())
    years = sorted({d.population_year for d in deps})
    ctx.warn(
        "aucune population importée : population municipale du référentiel"
        f" ({', '.join(map(str, years))}) ; importer les estimations de l'INSEE"
        " (cratb import insee_population) pour les taux par âge et sexe"
    )
    return ctx.memtable(
        pa.table(
            {
                "year": pa.array([d.population_year for d in deps], pa.int32()),
                "departement": [d.code for d in deps],
                "population": pa.array([d.population for d in deps], pa.int64()),
                "sex": pa.array([None] * len(deps), pa.string()),
                "age_band": pa.array([None] * len(deps), pa.string()),
            }
        )
    )


def population_rate(ctx: Context, numerator: ir.Table, *, days_per_unit: float) -> ir.Table:
    """value = numerator ÷ (population × days ÷ days_per_unit ÷ 1000), the population at
    the grain of the --by columns the aggregate shares with it."""
    keys = [c for c in ctx.by if c in ("year", "region", "departement", "sex", "age_band")]
    denominator = population_days(ctx, keys, days_per_unit=days_per_unit)
    if keys:
        joined = numerator.join(denominator, keys, how="inner")
        joined = joined.select(numerator, denominator.denominator)
    else:
        joined = numerator.cross_join(denominator)
    return joined.mutate(value=ratio(joined.numerator, joined.denominator))


def population_days(ctx: Context, keys: list[str], *, days_per_unit: float) -> ir.Table:
    """``denominator`` = population × days of the period ÷ days_per_unit ÷ 1000, by
    ``keys`` (among year, region, departement, sex, age_band), over the territories of
    the aggregate that have a population."""
    rows = consumption(ctx)
    covered, uncovered = _covered(ctx, rows)
    if not covered:
        raise IndicatorError(
            "aucune région des données agrégées n'a de population : importer la population"
            " (cratb import insee_population)"
        )
    if uncovered:
        ctx.warn("territoires sans population, exclus des taux : " + ", ".join(uncovered))
    dims = [c for c in keys if c != "year"]
    raw = population_table(ctx)
    bands = None
    if "age_band" in dims or "sex" in dims:
        population = raw.filter(raw.sex.notnull() & raw.age_band.notnull())
        if not ctx.rows(population.aggregate(n=population.count()))[0]["n"]:
            raise IndicatorError(
                "la population n'est pas donnée par sexe et tranche d'âge : importer les"
                " estimations de l'INSEE (cratb import insee_population)"
            )
        if "age_band" in dims:
            source = [r["age_band"] for r in ctx.rows(rows.select("age_band").distinct())]
            have = [r["age_band"] for r in ctx.rows(population.select("age_band").distinct())]
            # The bands of the source: those of its rows, and Open Medic's (a band without
            # any dispensing still has its population).
            bands_of_source = {b for b in source if b} | {b for b in AGE_BANDS.values() if b}
            mapping = intermediate.band_mapping(bands_of_source, have)
            bands = ctx.memtable(
                pa.table({"population_band": list(mapping), "age_band": list(mapping.values())})
            )
        population = population.select("year", "departement", "sex", "age_band", "population")
    else:
        population = stg.population(raw).mutate(
            sex=ibis.null("string"), age_band=ibis.null("string")
        )
    available = ctx.session.remember(
        "population_years",
        lambda: sorted({int(r["year"]) for r in ctx.rows(raw.select("year").distinct())}),
    )
    years = ctx.memtable(population_years(ctx.years(), available=available))
    groups = ctx.memtable(
        pa.table(
            {
                "region": [g for g, m in covered.items() for _ in m],
                "member": [x for m in covered.values() for x in m],
            }
        )
    )
    pop = intermediate.population_by(
        population,
        departements=ctx.memtable(ref.departements_table()),
        groups=groups,
        bands=bands,
        population_years=years,
        dims=dims,
    )
    months = ctx.months()
    days = months.group_by("year").aggregate(days=months.days.sum())
    pop = pop.join(days, "year")
    total = (pop.population.cast("float64") * pop.days).sum() / days_per_unit / 1000.0
    if keys:
        return pop.group_by(keys).aggregate(denominator=total)
    return pop.aggregate(denominator=total)


def territory_filter(ctx: Context, t: ir.Table) -> ir.Table:
    """The rows of territories with a population (and, for a whole-area figure, those of
    an unknown territory: Open Medic's national total counts them)."""
    covered, _ = _covered(ctx, t)
    keep = t.region.isin(list(covered))
    geo = "region" in ctx.by or "departement" in ctx.by
    if geo:
        unknown = ctx.rows(t.filter(t.region.isnull()).aggregate(b=t.boxes_j01.sum()))[0]["b"]
        if unknown:
            ctx.warn(
                f"{_n(unknown)} boîtes J01 de bénéficiaires sans région connue ne comptent"
                " qu'au total national"
            )
        return t.filter(keep)
    return t.filter(keep | t.region.isnull())


def group(t: ir.Table, by: list[str], **metrics: ir.Value) -> ir.Table:
    if any(c in PRODUCT_BY for c in by):
        t = t.filter(t.atc.startswith("J01"))
    return t.group_by(by).aggregate(**metrics) if by else t.aggregate(**metrics)


def ddd_coverage(session: Session) -> DddCoverage | None:
    """The share of the J01 boxes of the aggregated dispensing that got a DDD per box
    from the catalogue (None without aggregated dispensing or products)."""
    if not (session.has(AGGREGATE_TABLE) and session.has("products")):
        return None
    products = session.to_arrow(
        product_ddd(session.table("products"), session.memtable(ref.ddd_table()))
    )
    a = session.table(AGGREGATE_TABLE)
    a = a.filter(a.cip13.notnull() & a.atc.startswith("J01"))
    dispensed = session.to_arrow(a.group_by(["cip13", "atc"]).aggregate(boxes=a.boxes.sum()))
    return coverage_of(products, dispensed, scope=("J01",))


def did_age_standardised(ctx: Context) -> ir.Table:
    """One row per group of the --by columns: Σ over sex × age band of (the band's DDD
    per 1000 inhabitants per day × the band's share of the standard population: all
    the regions with a population, the same year)."""
    if ctx.source != "aggregate":
        raise IndicatorError(
            "la standardisation sur l'âge demande les données agrégées (Open Medic) :"
            " --source aggregate"
        )
    check_by(ctx)
    t = territory_filter(ctx, consumption(ctx))
    t = t.filter(t.sex.notnull() & t.age_band.notnull())
    check_ddd(ctx, t)
    by = list(ctx.by)
    fine = [*by, "sex", "age_band"]
    fine_ctx = Context(
        session=ctx.session, by=tuple(dict.fromkeys(["year", *fine])), date_from=ctx.date_from,
        date_to=ctx.date_to, params=ctx.params, warnings=ctx.warnings,
        data_months=ctx.data_months, source=ctx.source,
    )  # fmt: skip
    rates = population_rate(
        fine_ctx, group(t, list(fine_ctx.by), numerator=t.ddd.sum()), days_per_unit=1.0
    )
    standard = population_days(ctx, ["year", "sex", "age_band"], days_per_unit=1.0)
    total = standard.denominator.sum().over(ibis.window(group_by=[standard.year]))
    weights = standard.select("year", "sex", "age_band", weight=standard.denominator / total)
    r = rates.join(weights, ["year", "sex", "age_band"])
    keys = [c for c in by if c in ("year", "region")]
    crude = population_days(ctx, keys, days_per_unit=1.0)
    grouped = r.group_by(by) if by else r
    out = grouped.aggregate(
        numerator=r.numerator.sum(), value=(r.value.fill_null(0.0) * r.weight).sum()
    )
    if keys:
        out = out.join(crude, keys).select(out, crude.denominator)
    else:
        out = out.cross_join(crude)
    if "year" not in by:
        years = len(ctx.years())
        if years > 1:
            out = out.mutate(value=out.value / float(years))
    return out
