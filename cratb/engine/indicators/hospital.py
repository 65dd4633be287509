"""Hospital consumption indicators (ConsoRes-like files, CONTRACTS.md 1.4 and 3)."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from cratb.engine.context import Context
from cratb.engine.indicators import territories
from cratb.engine.indicators.catalogue import ratio, register
from cratb.engine.reference import tables as ref
from cratb.engine.staging.hospital import finess_departement

__all__: list[str] = []

_GRAM_FACTORS = {"g": 1.0, "mg": 1000.0}


def hospital_ddd(ctx: Context) -> ir.Table:
    """One row per establishment × year × ATC × route of the period: ``ddd`` as reported,
    or computed from ``grams`` with the WHO DDD of the agent and route (NULL, and a
    warning, when the DDD is not in grams or milligrams or does not exist), with the
    agent's ATC levels and route-aware AWaRe category, and the ``sector`` the file gives
    (NULL: the whole establishment)."""
    c = ctx.table("hospital_consumption")
    if "sector" not in c.columns:  # a warehouse imported before the optional column
        c = c.mutate(sector=ibis.null("string"))
    c = c.filter(c.year.between(ctx.date_from.year, ctx.date_to.year))
    ddd = ctx.memtable(ref.ddd_table())
    agents = ctx.memtable(ref.agents_table())
    c = c.left_join(ddd, [c.atc == ddd.atc, c.route == ddd.route]).select(
        c, ddd.who_ddd, ddd.who_unit
    )
    factor = ibis.cases(
        *((c.who_unit == unit, ibis.literal(f, "float64")) for unit, f in _GRAM_FACTORS.items()),
        else_=ibis.null("float64"),
    )
    c = c.mutate(
        ddd=ibis.coalesce(c.ddd, c.grams * factor / c.who_ddd),
        departement=finess_departement(c.finess),
        year=c.year.cast("int32"),
    )
    c = c.left_join(agents, [c.atc == agents.atc, c.route == agents.route]).select(
        c, agents.atc3, agents.atc4, agents.aware, agents.j01
    )
    deps = ctx.memtable(ref.departements_table())
    return c.left_join(deps, c.departement == deps.departement).select(c, deps.region)


@register(
    id="hospital.ddd_per_1000_patient_days",
    title_fr="Consommation d'antibiotiques des établissements de santé",
    title_en="Hospital antibiotic consumption",
    unit="DDJ pour 1000 journées d'hospitalisation",
    unit_en="DDD per 1000 patient-days",
    numerator="DDJ d'antibactériens J01 (déclarées, ou calculées à partir des grammes)",
    denominator=(
        "journées d'hospitalisation de tous les secteurs des établissements ayant déclaré"
        " leur consommation de l'année"
    ),
    lower_is_better=True,
    proportion=False,
    by=(
        "year",
        "finess",
        "departement",
        "region",
        "ght",
        "sector",
        "atc",
        "atc3",
        "atc4",
        "aware",
    ),
    tables=("hospital_consumption", "patient_days"),
    editions=("atc_ddd", "aware"),
    source="définition du CRAtb ; SPARES / ConsoRes (DDJ/1000 JH)",
    version=1,
    period_from=("hospital_consumption", "year"),
    # ("finess", "atc3"): each establishment's consumption by class (cratb/feedback).
    # ("finess", "sector"): its consumption by sector, when its files give one.
    publish=(
        ("finess",),
        ("aware",),
        ("atc3",),
        ("ght",),
        ("sector",),
        ("finess", "atc3"),
        ("finess", "sector"),
    ),
    prepare=("territories",),
)
def ddd_per_1000_patient_days(ctx: Context) -> ir.Table:
    """One row per group of the --by columns: J01 DDD ÷ (patient-days ÷ 1000), over the
    establishment-years that reported both consumption and patient-days (an establishment
    missing one of them is left out of both, so it cannot bias the rate). By ``ght``:
    the establishments of each GHT of the directory. By ``sector``: the consumption rows
    that give a sector (optional column), each sector's DDD ÷ the patient-days of that
    sector in the same establishments and years; rows without a sector, or of a sector
    without patient-days, are left out with a warning."""
    c = hospital_ddd(ctx)
    c = c.filter(c.j01)
    missing = ctx.rows(c.aggregate(n=(c.ddd.isnull()).ifelse(1, 0).sum()))[0]["n"]
    if missing:
        ctx.warn(
            f"{missing} ligne(s) de consommation en grammes sans DDJ OMS en grammes pour leur"
            " voie : exclues du numérateur"
        )
    days = ctx.table("patient_days")
    days = days.filter(days.year.between(ctx.date_from.year, ctx.date_to.year))
    days = days.mutate(year=days.year.cast("int32"))
    unit = ["finess", "year"]
    if "sector" in ctx.by:
        c = _by_sector(ctx, c, days)
        unit.append("sector")
    days = days.group_by(unit).aggregate(patient_days=days.patient_days.sum())
    reported = c.select(*unit).distinct()
    establishments = days.join(reported, unit).mutate(
        departement=lambda t: finess_departement(t.finess)
    )
    deps = ctx.memtable(ref.departements_table())
    establishments = establishments.left_join(
        deps, establishments.departement == deps.departement
    ).select(establishments, deps.region)
    if "ght" in ctx.by:
        # Hospital groups (GHT) of the directory: establishments in none are left out.
        ght = territories.establishment_ght(ctx)
        establishments = establishments.join(ght, "finess")
        c = c.join(ght, "finess")
    c = c.semi_join(establishments, unit)
    by = list(ctx.by)
    numerator = (
        c.group_by(by).aggregate(numerator=c.ddd.sum())
        if by
        else c.aggregate(numerator=c.ddd.sum())
    )
    keys = [k for k in by if k in ("year", "finess", "departement", "region", "ght", "sector")]
    denominator_metric = establishments.patient_days.sum().cast("float64") / 1000.0
    denominator = (
        establishments.group_by(keys).aggregate(denominator=denominator_metric)
        if keys
        else establishments.aggregate(denominator=denominator_metric)
    )
    t = numerator.join(denominator, keys) if keys else numerator.cross_join(denominator)
    return t.mutate(value=ratio(t.numerator, t.denominator))


def _by_sector(ctx: Context, c: ir.Table, days: ir.Table) -> ir.Table:
    """The consumption rows that give a sector which has patient-days that year; warns
    about the DDD left out (no sector in the file, or a sector without patient-days)."""
    given = c.filter(c.sector.notnull())
    counted = given.semi_join(days, ["finess", "year", "sector"])
    row = ctx.rows(
        c.aggregate(
            rows=c.count(),
            without=c.sector.isnull().ifelse(1, 0).sum(),
            establishments=c.sector.isnull().ifelse(c.finess, ibis.null("string")).nunique(),
        )
    )[0]
    if row["without"] and row["without"] == row["rows"]:
        ctx.warn(
            "les fichiers de consommation ne donnent pas le secteur : aucun chiffre par secteur"
        )
    elif row["without"]:
        ctx.warn(
            f"{row['establishments']} établissement(s) sans secteur dans leur fichier de"
            " consommation : absents des chiffres par secteur"
        )
    orphans = given.anti_join(days, ["finess", "year", "sector"])
    lost = ctx.rows(orphans.aggregate(n=orphans.count()))[0]
    if lost["n"]:
        ctx.warn(
            f"{lost['n']} ligne(s) de consommation d'un secteur sans journées"
            " d'hospitalisation déclarées cette année-là : exclues des chiffres par secteur"
        )
    return counted
