"""Community (ville) consumption indicators: CONTRACTS.md section 3 and the issue's
additions (prescriber profile, seasonal variation, trend against 2019, nursing homes).

Every indicator counts J01 antibacterials only (ATC J01, the ESAC-Net community scope),
dispensed to the residents of the départements of the population table.

The inputs come from the intermediate steps (``intermediate/community.py``); this module
decides which of them are kept for the session and period (``Context.shared``): the
product attributes, the staged population, the consumption rows (the *cube*: the
dispensing lines are read once for the whole catalogue) and the person-days.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import ibis
import ibis.expr.types as ir

from cratb.engine import stats
from cratb.engine.context import Context, IndicatorError
from cratb.engine.dimensions import GEO_COLUMNS, TIME_COLUMNS
from cratb.engine.indicators import aggregated, territories
from cratb.engine.indicators.catalogue import Target, ratio, register
from cratb.engine.intermediate import community as intermediate
from cratb.engine.reference import tables as ref
from cratb.engine.sources.derived import SPECIALTIES
from cratb.engine.staging import community as stg
from cratb.engine.staging.hospital import resident_days

__all__: list[str] = []

POPULATION_BY = (*TIME_COLUMNS, *GEO_COLUMNS)
PRODUCT_BY = ("atc", "atc3", "atc4", "aware")
PEOPLE_BY = ("prescriber_specialty", "setting", "prescriber_id")
#: Only from aggregated dispensing (Open Medic gives them; the lines' cube does not).
AGGREGATE_ONLY_BY = ("age_band", "sex")
#: Finer territories (the patient's commune, its CPTS): for the shares, which need no
#: population, from dispensing lines only; small counts are masked
#: (``indicators/territories.py``).
TERRITORY_BY = territories.FINE_COLUMNS
SOURCE_CONTRACT = "définition du CRAtb"
AWARE_EDITIONS = ("atc_ddd", "aware")
NATIONAL_STRATEGY = (
    "Stratégie nationale 2022-2025 de prévention des infections et de l'antibiorésistance"
)
PRESCRIPTIONS_TARGET = Target(
    label="Objectif national : moins de 650 prescriptions pour 1000 habitants par an",
    value=650.0,
    comparison="<",
    year=2025,
    source=f"{NATIONAL_STRATEGY} (Santé publique France)",
)
ACCESS_TARGETS = (
    Target(
        label="Objectif de l'Union européenne pour 2030 : au moins 65 % d'Access",
        value=65.0,
        comparison=">=",
        year=2030,
        source="Recommandation du Conseil de l'UE 2023/C 220/01",
    ),
    Target(
        label="Objectif de l'OMS : au moins 60 % d'Access",
        value=60.0,
        comparison=">=",
        year=None,
        source="OMS, 13e programme général de travail (GPW13)",
    ),
)


def _departements(ctx: Context) -> ir.Table:
    return ctx.memtable(ref.departements_table())


def _product_attributes(ctx: Context) -> ir.Table:
    """``intermediate.product_attributes``, kept for the session and period."""
    return ctx.shared(
        "product_attributes",
        lambda: intermediate.product_attributes(
            ctx.table("products"),
            ddd=ctx.memtable(ref.ddd_table()),
            agents=ctx.memtable(ref.agents_table()),
        ),
    )


def _population(ctx: Context) -> ir.Table:
    """The staged population (one row per year × département), kept for the session."""
    return ctx.shared("population", lambda: stg.population(ctx.table("population")))


def _specialties(ctx: Context) -> ir.Table | None:
    """The specialties' integer keys, in a warehouse that stores them (imported into
    since they came: ``sources/derived.py``)."""
    return ctx.table(SPECIALTIES) if ctx.session.has(SPECIALTIES) else None


def consumption(ctx: Context, *, residents_only: bool) -> ir.Table:
    """Dispensed J01 antibacterials at the grain of the --by columns, with the measures
    of ``intermediate.consumption_rows``. Without ``prescriber_id``, cut from the
    consumption rows, computed once per session and period: every indicator then groups
    a small table, which keeps both the scans and the compilation of the expressions
    short. ``residents_only``: keep the patients living in the départements of the
    population table, the people a population-based rate is about."""
    residents = _population(ctx).departement if residents_only else None
    if territories.fine(ctx.by):
        if "prescriber_id" in ctx.by:
            raise IndicatorError("--by commune ou cpts ne se combine pas avec prescriber_id")
        rows = intermediate.per_commune(
            ctx.table("dispensations"),
            attributes=_product_attributes(ctx),
            departements=_departements(ctx),
            date_from=ctx.date_from,
            date_to=ctx.date_to,
            dims=ctx.by,
            residents=residents,
        )
        return territories.with_cpts(ctx, rows)
    if "prescriber_id" in ctx.by:
        return intermediate.per_prescriber(
            ctx.table("dispensations"),
            attributes=_product_attributes(ctx),
            prescribers=ctx.table("prescribers"),
            departements=_departements(ctx),
            date_from=ctx.date_from,
            date_to=ctx.date_to,
            dims=ctx.by,
            residents=residents,
            specialties=_specialties(ctx),
        )

    def build() -> ir.Table:
        cube = intermediate.cube(
            ctx.table("dispensations"),
            date_from=ctx.date_from,
            date_to=ctx.date_to,
            specialties=_specialties(ctx),
        )
        return intermediate.consumption_rows(
            cube, attributes=_product_attributes(ctx), departements=_departements(ctx)
        )

    rows = ctx.shared("community_rows", build)
    return rows if residents is None else rows.filter(rows.departement.isin(residents))


def person_days(ctx: Context) -> ir.Table:
    """``intermediate.person_days`` by the time and geographic --by columns; the
    person-days of every month × département are kept for the session and period."""

    def build() -> ir.Table:
        pop = _population(ctx)
        available: list[int] = ctx.session.remember(
            "population_years",
            lambda: sorted({int(r["year"]) for r in ctx.rows(pop.select("year").distinct())}),
        )
        years = intermediate.population_years(ctx.years(), available=available)
        return intermediate.person_days(
            pop, months=ctx.months(), years=ctx.memtable(years), departements=_departements(ctx)
        )

    return intermediate.person_days_by(ctx.shared("person_days", build), dims=ctx.by)


def _aggregate_rows(ctx: Context) -> ir.Table:
    """The aggregated consumption rows of the territories with a population."""
    aggregated.check_by(ctx)
    return aggregated.territory_filter(ctx, aggregated.consumption(ctx))


def _lines_only(ctx: Context) -> None:
    asked = [c for c in ctx.by if c in AGGREGATE_ONLY_BY]
    if asked:
        raise IndicatorError(
            f"--by {', '.join(asked)} : seulement avec des données agrégées qui les donnent"
            " (Open Medic : --source aggregate)"
        )


def _count(n: float) -> str:
    text = f"{n:,.0f}".replace(",", "\u202f")
    return text


def check_ddd(ctx: Context, t: ir.Table) -> None:
    """Warn when dispensed boxes were left out of the DDD for want of a DDD per box, or
    because their product is missing from the catalogue (never a silent zero)."""
    row = ctx.rows(
        t.aggregate(
            boxes=t.boxes_j01.sum(),
            without=t.boxes_without_ddd.sum(),
            unknown=t.boxes_unknown.sum(),
        )
    )[0]
    boxes, without, unknown = (row["boxes"] or 0), (row["without"] or 0), (row["unknown"] or 0)
    if unknown:
        ctx.warn(
            f"{_count(unknown)} boîtes de produits absents du catalogue (products) sont exclues"
            " de tous les indicateurs : voir « cratb ddd report »"
        )
    if without:
        share = f"{100.0 * without / boxes if boxes else 0.0:.1f}".replace(".", ",")
        ctx.warn(
            f"{_count(without)} boîtes ({share} %) sans DDJ calculable sont exclues des DDJ :"
            " voir « cratb ddd report »"
        )


def _group(t: ir.Table, by: list[str], **metrics: ir.Value) -> ir.Table:
    """Sum ``metrics`` by ``by``; grouped by a product column, only J01 agents make rows
    (the measures of other agents are zero: they would only add empty rows)."""
    if any(c in PRODUCT_BY for c in by):
        t = t.filter(t.atc.startswith("J01"))
    return t.group_by(by).aggregate(**metrics) if by else t.aggregate(**metrics)


def _with_denominator(
    ctx: Context, numerator: ir.Table, denominator: ir.Table, by: list[str]
) -> ir.Table:
    """Join a numerator table to a denominator table on the columns they share. Groups
    with a denominator and no numerator get 0 when every column is a denominator column
    (a département with no dispensing shows 0, not nothing)."""
    keys = [c for c in by if c in denominator.columns]
    if not keys:
        joined = numerator.cross_join(denominator)
    elif set(by) <= set(keys):
        joined = denominator.left_join(numerator, keys).select(
            *(denominator[k] for k in keys),
            numerator.numerator,
            *(denominator[c] for c in denominator.columns if c not in keys),
        )
    else:
        joined = numerator.join(denominator, keys)
    return joined.mutate(numerator=joined.numerator.fill_null(0))


def _population_rate(ctx: Context, numerator: ir.Table, *, days_per_unit: float) -> ir.Table:
    """value = numerator ÷ (person-days ÷ days_per_unit ÷ 1000)."""
    denominator = person_days(ctx)
    denominator = denominator.mutate(
        denominator=denominator.person_days.cast("float64") / days_per_unit / 1000.0
    ).drop("person_days")
    joined = _with_denominator(ctx, numerator, denominator, list(ctx.by))
    return joined.mutate(value=ratio(joined.numerator, joined.denominator))


def _share(t: ir.Table, *, wilson: bool) -> ir.Table:
    t = t.mutate(value=ratio(t.numerator, t.denominator) * 100.0)
    if wilson:
        low, high = stats.wilson_expr(t.numerator, t.denominator)
    else:
        low = high = ibis.null("float64")
    return t.mutate(ci_low=low, ci_high=high)


@register(
    id="community.did",
    title_fr="Consommation d'antibiotiques en ville",
    title_en="Community antibiotic consumption",
    unit="DDJ pour 1000 habitants et par jour",
    unit_en="DDD per 1000 inhabitants per day",
    numerator="DDJ dispensées (nettes des retours), antibactériens J01",
    denominator="population × jours de la période ÷ 1000",
    lower_is_better=True,
    proportion=False,
    by=(*POPULATION_BY, *PRODUCT_BY, *PEOPLE_BY, *AGGREGATE_ONLY_BY),
    tables=("dispensations", "products", "population"),
    editions=("atc_ddd", "population"),
    source=f"{SOURCE_CONTRACT} ; OMS ATC/DDD ; ESAC-Net",
    version=1,
    publish=(("atc3",), ("aware",), ("prescriber_specialty",), ("setting",)),
    aggregate=True,
)
def did(ctx: Context) -> ir.Table:
    """One row per group of the --by columns: net DDD of J01 agents dispensed to the
    residents ÷ (population × days ÷ 1000)."""
    if ctx.source == "aggregate":
        t = _aggregate_rows(ctx)
        aggregated.check_ddd(ctx, t)
        numerator = aggregated.group(t, list(ctx.by), numerator=t.ddd.sum())
        return aggregated.population_rate(ctx, numerator, days_per_unit=1.0)
    _lines_only(ctx)
    t = consumption(ctx, residents_only=True)
    check_ddd(ctx, t)
    numerator = _group(t, list(ctx.by), numerator=t.ddd.sum())
    return _population_rate(ctx, numerator, days_per_unit=1.0)


@register(
    id="community.prescriptions_per_1000",
    title_fr="Prescriptions d'antibiotiques en ville",
    title_en="Community antibiotic prescriptions",
    unit="prescriptions pour 1000 habitants et par an",
    unit_en="prescriptions per 1000 inhabitants per year",
    numerator=(
        "lignes d'antibiotiques J01 (prescription_id × cip13 distincts, boîtes nettes > 0),"
        " datées de leur première délivrance"
    ),
    denominator="population × (jours de la période ÷ 365) ÷ 1000",
    lower_is_better=True,
    proportion=False,
    by=(*POPULATION_BY, *PRODUCT_BY, *PEOPLE_BY),
    tables=("dispensations", "products", "population"),
    editions=("population",),
    source=f"{SOURCE_CONTRACT} ; Santé publique France (une ligne = une prescription)",
    version=1,
    targets=(PRESCRIPTIONS_TARGET,),
    publish=(("atc3",), ("prescriber_specialty",), ("setting",)),
    aggregate=True,
)
def prescriptions_per_1000(ctx: Context) -> ir.Table:
    """One row per group of the --by columns: prescription lines of J01 agents ÷
    (population × days ÷ 365 ÷ 1000)."""
    if ctx.source == "aggregate":
        t = _aggregate_rows(ctx)
        missing = ctx.rows(t.aggregate(n=t.boxes_without_prescriptions.sum()))[0]["n"]
        if missing:
            raise IndicatorError(
                "la source agrégée ne donne pas le nombre de prescriptions (Open Medic compte"
                " des boîtes) : cet indicateur demande les lignes de délivrance"
            )
        numerator = aggregated.group(t, list(ctx.by), numerator=t.lines.sum())
        return aggregated.population_rate(ctx, numerator, days_per_unit=365.0)
    _lines_only(ctx)
    t = consumption(ctx, residents_only=True)
    numerator = _group(t, list(ctx.by), numerator=t.lines.sum())
    return _population_rate(ctx, numerator, days_per_unit=365.0)


@register(
    id="community.access_share",
    title_fr="Part des antibiotiques Access (AWaRe) en ville",
    title_en="Share of Access antibiotics (AWaRe), community",
    unit="% des DDJ",
    unit_en="% of DDD",
    numerator="DDJ des agents de la catégorie Access (AWaRe 2023, selon la voie)",
    denominator="DDJ de tous les antibactériens J01",
    lower_is_better=False,
    proportion=True,
    by=(*POPULATION_BY, *PEOPLE_BY, *AGGREGATE_ONLY_BY, *TERRITORY_BY),
    tables=("dispensations", "products", "population"),
    editions=AWARE_EDITIONS,
    source=f"{SOURCE_CONTRACT} ; OMS AWaRe 2023",
    version=1,
    targets=ACCESS_TARGETS,
    publish=(("prescriber_specialty",), ("setting",)),
    aggregate=True,
)
def access_share(ctx: Context) -> ir.Table:
    """One row per group of the --by columns: Access DDD ÷ J01 DDD, in %. DDD are not
    counts of independent events, so no binomial interval is given (ci_* are empty)."""
    if ctx.source == "aggregate" and territories.fine(ctx.by):
        return territories.none_from_aggregate(ctx, proportion=True)
    if ctx.source == "aggregate":
        t = _aggregate_rows(ctx)
        aggregated.check_ddd(ctx, t)
        share = aggregated.group(
            t, list(ctx.by), numerator=t.ddd_access.sum(), denominator=t.ddd.sum()
        )
        return _share(share, wilson=False)
    _lines_only(ctx)
    t = consumption(ctx, residents_only=True)
    check_ddd(ctx, t)
    share = _group(
        t,
        list(ctx.by),
        numerator=t.ddd_access.sum(),
        denominator=t.ddd.sum(),
        _events=t.lines.sum(),
    )
    return territories.suppress_small(ctx, _share(share, wilson=False), events="_events")


@register(
    id="community.critical_share",
    title_fr="Part des antibiotiques « critiques » en ville",
    title_en="Share of 'critical' antibiotics, community",
    unit="% des prescriptions",
    unit_en="% of prescriptions",
    numerator=(
        "lignes d'amoxicilline-acide clavulanique (J01CR02), de céphalosporines de 3e et 4e"
        " générations (J01DD, J01DE) et de fluoroquinolones (J01MA)"
    ),
    denominator="toutes les lignes d'antibactériens J01",
    lower_is_better=True,
    proportion=True,
    by=(*POPULATION_BY, *PEOPLE_BY, *AGGREGATE_ONLY_BY, *TERRITORY_BY),
    tables=("dispensations", "products", "population"),
    editions=(),
    source=SOURCE_CONTRACT,
    version=1,
    publish=(("prescriber_specialty",), ("setting",), ("cpts",)),
    prepare=("territories",),
    aggregate=True,
)
def critical_share(ctx: Context) -> ir.Table:
    """One row per group of the --by columns: prescription lines of critical agents ÷
    J01 prescription lines, in %, with the Wilson 95 % interval. From an aggregate
    without prescriptions (Open Medic), boxes stand for lines, and a warning says so."""
    if ctx.source == "aggregate" and territories.fine(ctx.by):
        return territories.none_from_aggregate(ctx, proportion=True)
    if ctx.source == "aggregate":
        t = _aggregate_rows(ctx)
        missing = ctx.rows(t.aggregate(n=t.boxes_without_prescriptions.sum()))[0]["n"]
        if missing:
            ctx.warn(
                "la source agrégée ne donne pas les prescriptions : la part est calculée sur"
                " les boîtes dispensées (une boîte pour une ligne de prescription)"
            )
        share = aggregated.group(
            t, list(ctx.by), numerator=t.lines_critical.sum(), denominator=t.lines.sum()
        )
        return _share(share, wilson=True)
    _lines_only(ctx)
    t = consumption(ctx, residents_only=True)
    share = _group(
        t,
        list(ctx.by),
        numerator=t.lines_critical.sum(),
        denominator=t.lines.sum(),
        _events=t.lines.sum(),
    )
    return territories.suppress_small(ctx, _share(share, wilson=True), events="_events")


#: The GP pay-for-performance (ROSP) thresholds of the share of patients treated with
#: antibiotics at high risk of resistance.
ROSP_SOURCE = (
    "Rémunération sur objectifs de santé publique (ROSP) des médecins traitants, indicateur"
    " des antibiotiques particulièrement générateurs d'antibiorésistance"
)
ROSP_TARGETS = (
    Target(
        label="Cible de la ROSP : 32 % au plus",
        value=32.0,
        comparison="<=",
        year=None,
        source=ROSP_SOURCE,
    ),
    Target(
        label="Seuil intermédiaire de la ROSP : 52 %",
        value=52.0,
        comparison="<=",
        year=None,
        source=ROSP_SOURCE,
    ),
)
HIGH_RISK_AGENTS = (
    "amoxicilline-acide clavulanique (J01CR02), fluoroquinolones (J01MA) et céphalosporines"
    " de 3e génération par voie orale (J01DD, voie O)"
)
#: Territories and people of the counts of the CPTS action sheets (dispensing lines only).
SHEET_BY = (*POPULATION_BY, "prescriber_specialty", "setting", *TERRITORY_BY)


@register(
    id="community.high_risk_boxes",
    title_fr="Boîtes d'antibiotiques à haut risque de résistance délivrées en ville",
    title_en="Boxes of antibiotics at high risk of resistance, community",
    unit="boîtes",
    unit_en="boxes",
    numerator=f"boîtes délivrées (nettes des retours) de {HIGH_RISK_AGENTS}",
    denominator="aucun (effectif)",
    lower_is_better=True,
    proportion=False,
    by=SHEET_BY,
    extra_columns=("suppressed",),
    tables=("dispensations", "products"),
    editions=(),
    source=f"{SOURCE_CONTRACT} ; fiches action des CPTS",
    version=1,
    publish=(("cpts",),),
    prepare=("territories",),
)
def high_risk_boxes(ctx: Context) -> ir.Table:
    """One row per group of the --by columns: net boxes of the antibiotics at high risk
    of resistance dispensed (``numerator`` and ``value``; no denominator). By commune or
    CPTS, groups of fewer than 11 prescription lines of these antibiotics are masked."""
    t = consumption(ctx, residents_only=False)
    g = _group(t, list(ctx.by), numerator=t.boxes_high_risk.sum(), _events=t.lines_high_risk.sum())
    g = g.mutate(denominator=ibis.null("float64"), value=g.numerator.cast("float64"))
    return territories.suppress_small(ctx, g, events="_events")


@register(
    id="community.high_risk_patient_share",
    title_fr="Part des patients traités par un antibiotique à haut risque de résistance",
    title_en="Share of patients treated with an antibiotic at high risk of resistance",
    unit="% des patients traités",
    unit_en="% of treated patients",
    numerator=(
        f"patients (identifiant pseudonyme) ayant reçu au moins une ligne de {HIGH_RISK_AGENTS}"
    ),
    denominator="patients ayant reçu au moins une ligne d'antibactérien J01",
    lower_is_better=True,
    proportion=True,
    by=SHEET_BY,
    extra_columns=("suppressed",),
    tables=("dispensations", "products", "population"),
    editions=(),
    source=f"{SOURCE_CONTRACT} ; {ROSP_SOURCE}",
    version=1,
    targets=ROSP_TARGETS,
    publish=(("cpts",), ("prescriber_specialty",)),
    prepare=("territories",),
)
def high_risk_patient_share(ctx: Context) -> ir.Table:
    """One row per group of the --by columns: distinct patients (``patient_id``) with at
    least one J01 prescription line (net boxes > 0) of an antibiotic at high risk of
    resistance ÷ distinct patients with at least one J01 line, in %, with the Wilson 95 %
    interval; residents of the départements of the population table. A patient counts
    once per group. By commune or CPTS, groups of fewer than 11 patients are masked."""
    _lines_only(ctx)
    if territories.fine(ctx.by) and "prescriber_id" in ctx.by:
        raise IndicatorError("--by commune ou cpts ne se combine pas avec prescriber_id")
    rows = intermediate.per_patient(
        ctx.table("dispensations"),
        attributes=_product_attributes(ctx),
        departements=_departements(ctx),
        date_from=ctx.date_from,
        date_to=ctx.date_to,
        residents=_population(ctx).departement,
    )
    if territories.fine(ctx.by):
        rows = territories.with_cpts(ctx, rows.filter(rows.commune.notnull()))
    keys = [*ctx.by, "patient_id"]
    patients = rows.group_by(keys).aggregate(high=rows.high_risk.max().ifelse(1, 0))
    share = _group(
        patients,
        list(ctx.by),
        numerator=patients.high.sum(),
        denominator=patients.count(),
    )
    share = share.mutate(_events=share.denominator)
    return territories.suppress_small(ctx, _share(share, wilson=True), events="_events")


@register(
    id="community.prescriber_profile",
    title_fr="Profil des prescripteurs : part des antibiotiques critiques face aux pairs",
    title_en="Prescriber profile: share of critical antibiotics against peers",
    unit="% des prescriptions",
    unit_en="% of prescriptions",
    numerator="lignes d'antibiotiques critiques du prescripteur",
    denominator="lignes d'antibiotiques J01 du prescripteur",
    lower_is_better=True,
    proportion=True,
    by=("year",),
    always_by=("prescriber_id", "prescriber_specialty"),
    extra_columns=(
        "prescriptions",
        "ddd",
        "peer_share",
        "limit_95_low",
        "limit_95_high",
        "limit_998_low",
        "limit_998_high",
        "outlier",
        "excess_lines",
        "peer_mean_prescriptions",
        "volume_ratio",
        "volume_percentile",
    ),
    tables=("dispensations", "products"),
    editions=("atc_ddd",),
    source=(
        "Graphique en entonnoir (Spiegelhalter, Stat Med 2005) autour de la part des pairs"
        " de même spécialité ; limites à 95 % et 99,8 %"
    ),
    version=1,
)
def prescriber_profile(ctx: Context) -> ir.Table:
    """One row per prescriber (× year when asked): J01 prescriptions, DDD and the share
    of critical agents, with the pooled share of the prescribers of the same specialty,
    the funnel-plot limits at 95 % and 99.8 % for the prescriber's number of lines, the
    flag ``outlier`` ('above_998', 'above_95', 'below_95', 'below_998' or empty) and the
    excess of critical lines over the peers' share. Volume has no denominator in
    dispensing data (no list size): it is compared as a ratio to the peers' mean and a
    percentile rank among peers."""
    t = consumption(ctx, residents_only=False)
    by = list(ctx.by)
    per = _group(
        t, by, numerator=t.lines_critical.sum(), denominator=t.lines.sum(), ddd=t.ddd.sum()
    )
    per = per.filter(per.denominator > 0)
    peers_by = [c for c in by if c != "prescriber_id"]
    peers = per.group_by(peers_by).aggregate(
        peer_numerator=per.numerator.sum(),
        peer_denominator=per.denominator.sum(),
        peer_mean_prescriptions=per.denominator.mean(),
    )
    t = per.join(peers, peers_by)
    p0 = ratio(t.peer_numerator, t.peer_denominator)
    limits = {
        f"limit_{name}_{side}": stats.funnel_limit_expr(p0, t.denominator, z=z, upper=upper)
        for name, z in (("95", stats.Z95), ("998", stats.Z998))
        for side, upper in (("low", False), ("high", True))
    }
    t = t.mutate(peer_share=p0 * 100.0, **limits)
    t = _share(t, wilson=True)
    rank_window = ibis.window(group_by=[t[c] for c in peers_by], order_by=t.denominator)
    return t.mutate(
        prescriptions=t.denominator,
        outlier=ibis.cases(
            (t.value > t.limit_998_high, "above_998"),
            (t.value > t.limit_95_high, "above_95"),
            (t.value < t.limit_998_low, "below_998"),
            (t.value < t.limit_95_low, "below_95"),
            else_="",
        ),
        excess_lines=t.numerator.cast("float64") - p0 * t.denominator.cast("float64"),
        volume_ratio=ratio(t.denominator, t.peer_mean_prescriptions),
        volume_percentile=(t.denominator.percent_rank().over(rank_window) * 100.0),
    )


def _quarter_days(ctx: Context) -> ir.Table:
    months = ctx.months()
    winter = months.month.right(2).cast("int32").isin([1, 2, 3, 10, 11, 12])
    return months.group_by("year").aggregate(
        winter_days=winter.ifelse(months.days, 0).sum(),
        summer_days=(~winter).ifelse(months.days, 0).sum(),
        months=months.count(),
    )


@register(
    id="community.seasonal_variation",
    title_fr="Variation saisonnière de la consommation en ville",
    title_en="Seasonal variation of community consumption",
    unit="% (hiver par rapport à l'été)",
    unit_en="% (winter against summer)",
    numerator="DDJ par jour des 1er et 4e trimestres (janvier-mars, octobre-décembre)",
    denominator="DDJ par jour des 2e et 3e trimestres (avril-septembre)",
    lower_is_better=True,
    proportion=False,
    by=(*GEO_COLUMNS, "prescriber_specialty", "setting"),
    always_by=("year",),
    extra_columns=("months",),
    tables=("dispensations", "products", "population"),
    editions=("atc_ddd",),
    source=(
        "Indicateur de qualité ESAC-Net J01 « seasonal variation » (Coenen et al., Qual Saf"
        " Health Care 2007), sur les trimestres de l'année civile"
    ),
    version=1,
)
def seasonal_variation(ctx: Context) -> ir.Table:
    """One row per year (× the other --by columns): (DDD per day in quarters 1 and 4 ÷
    DDD per day in quarters 2 and 3 − 1) × 100. ``months`` says how many months of the
    year the period covers: a value is only comparable over 12."""
    t = consumption(ctx, residents_only=True)
    winter = (t.month_key % 100).isin([1, 2, 3, 10, 11, 12])
    ddd = _group(
        t,
        list(ctx.by),
        winter_ddd=winter.ifelse(t.ddd, 0.0).sum(),
        summer_ddd=(~winter).ifelse(t.ddd, 0.0).sum(),
    )
    days = _quarter_days(ctx)
    t = ddd.join(days, "year")
    t = t.mutate(
        numerator=ratio(t.winter_ddd, t.winter_days), denominator=ratio(t.summer_ddd, t.summer_days)
    )
    return t.mutate(value=(ratio(t.numerator, t.denominator) - 1.0) * 100.0)


@register(
    id="community.did_change_vs_baseline",
    title_fr="Évolution de la consommation en ville depuis 2019",
    title_en="Change in community consumption since 2019",
    unit="% par rapport à l'année de référence",
    unit_en="% against the baseline year",
    numerator="DDJ pour 1000 habitants et par jour de l'année",
    denominator="DDJ pour 1000 habitants et par jour de l'année de référence (2019)",
    lower_is_better=True,
    proportion=False,
    by=GEO_COLUMNS,
    always_by=("year",),
    extra_columns=("target_change", "on_track"),
    parameters={"baseline_year": 2019, "target_year": 2025, "target_change": -25.0},
    tables=("dispensations", "products", "population"),
    editions=("atc_ddd", "population"),
    source=(
        f"{NATIONAL_STRATEGY} : −25 % de consommation en ville en 2025 par rapport à 2019 ;"
        " trajectoire linéaire de cratb entre les deux"
    ),
    version=1,
)
def did_change_vs_baseline(ctx: Context) -> ir.Table:
    """One row per year (× département or region when asked): (DID of the year ÷ DID of
    the baseline year − 1) × 100, with the target trajectory (``target_change``: linear
    from 0 % in the baseline year to the target change in the target year, then flat)
    and ``on_track`` (the change is at or below the trajectory). Historical values use
    one DDD edition, the one in use."""
    baseline_year = int(ctx.param("baseline_year"))
    target_year = int(ctx.param("target_year"))
    target_change = float(ctx.param("target_change"))
    yearly = did.function(ctx)
    keys = [c for c in ctx.by if c != "year"]
    if ctx.date_from <= date(baseline_year, 1, 1) and date(baseline_year, 12, 31) <= ctx.date_to:
        # The whole baseline year is in the period: its row is already computed.
        baseline = yearly.filter(yearly.year == baseline_year).select(*keys, "numerator", "value")
    else:
        base_ctx = replace(ctx, by=tuple(keys), warnings=[])
        base_ctx.date_from = date(baseline_year, 1, 1)
        base_ctx.date_to = date(baseline_year, 12, 31)
        baseline = did.function(base_ctx)
    # A flag, not the sum itself: the same in every run (a float sum's last bits depend
    # on the order DuckDB's threads add in), so a later session can reuse this build.
    none = baseline.numerator.sum().fill_null(0) == 0
    if ctx.rows(baseline.aggregate(none=none))[0]["none"]:
        ctx.warn(
            f"aucune délivrance en {baseline_year} (année de référence) : l'évolution ne peut"
            " pas être calculée"
        )
    baseline = baseline.select(*keys, baseline=baseline.value)
    t = yearly.cross_join(baseline) if not keys else yearly.left_join(baseline, keys)
    t = t.select(*ctx.by, numerator=yearly.value, denominator=t.baseline)
    progress = (t.year - baseline_year).cast("float64") / float(target_year - baseline_year)
    trajectory = ibis.least(ibis.greatest(progress, 0.0), 1.0) * target_change
    value = (ratio(t.numerator, t.denominator) - 1.0) * 100.0
    return t.mutate(
        value=value,
        target_change=trajectory,
        on_track=value <= trajectory,
    )


@register(
    id="nursing_home.ddd_per_1000_resident_days",
    title_fr="Consommation d'antibiotiques des résidents d'EHPAD",
    title_en="Antibiotic consumption of nursing-home residents",
    unit="DDJ pour 1000 journées d'hébergement",
    unit_en="DDD per 1000 resident-days",
    numerator="DDJ dispensées aux résidents d'EHPAD (setting = nursing_home), J01",
    denominator=(
        "journées d'hébergement (patient_days, secteur nursing_home) des EHPAD sans"
        " pharmacie à usage intérieur du département, au prorata des jours de la période"
    ),
    lower_is_better=True,
    proportion=False,
    by=("year", *GEO_COLUMNS),
    tables=("dispensations", "products", "patient_days"),
    editions=("atc_ddd",),
    source="Santé publique France, consommation en EHPAD (DDJ/1000 JHeb)",
    version=1,
)
def nursing_home_ddd(ctx: Context) -> ir.Table:
    """One row per group of the --by columns (year, département, region): DDD of J01
    agents dispensed to nursing-home residents ÷ (resident-days ÷ 1000); resident-days of
    a year are counted for the share of that year inside the period."""
    t = consumption(ctx, residents_only=False)
    t = t.filter(t.setting == "nursing_home")
    by = list(ctx.by)
    numerator = _group(t, by, numerator=t.ddd.sum())
    consumption_table = (
        ctx.table("hospital_consumption") if ctx.session.has("hospital_consumption") else None
    )
    days = resident_days(ctx.table("patient_days"), consumption_table)
    year_days = _quarter_days(ctx).mutate(period_days=lambda m: m.winter_days + m.summer_days)
    days = days.join(year_days, "year")
    deps = _departements(ctx)
    days = days.left_join(deps, days.departement == deps.departement).select(
        days.year, days.departement, deps.region,
        (days.resident_days.cast("float64") * days.period_days / days.year_days).name("rd"),
    )  # fmt: skip
    denominator = _group(days, by, denominator=days.rd.sum() / 1000.0)
    joined = _with_denominator(ctx, numerator, denominator, by)
    if not ctx.rows(days.aggregate(n=days.count()))[0]["n"]:
        ctx.warn("aucune journée d'hébergement en EHPAD (patient_days, secteur nursing_home)")
    return joined.mutate(value=ratio(joined.numerator, joined.denominator))


register(
    id="community.did_age_standardised",
    title_fr="Consommation d'antibiotiques en ville, standardisée sur l'âge et le sexe",
    title_en="Community antibiotic consumption, age- and sex-standardised",
    unit="DDJ pour 1000 habitants et par jour",
    unit_en="DDD per 1000 inhabitants per day",
    numerator="DDJ dispensées (nettes des retours), antibactériens J01 ; données agrégées",
    denominator=(
        "population × jours ÷ 1000 (le taux brut est numérateur ÷ dénominateur ; la valeur"
        " est standardisée par la méthode directe sur la population de toutes les régions"
        " des données agrégées, la même année, par sexe et tranche d'âge)"
    ),
    lower_is_better=True,
    proportion=False,
    by=("year", "prescriber_specialty"),
    # Always by region: the whole-area value is the crude one (community.did), and a
    # published value without region would read as the region's own.
    always_by=("region",),
    tables=(aggregated.AGGREGATE_TABLE, "products", "population"),
    editions=("atc_ddd", "population"),
    source="Standardisation directe (population de référence : ensemble des régions)",
    version=1,
    period_from=(aggregated.AGGREGATE_TABLE, "year"),
    aggregate=True,
)(aggregated.did_age_standardised)
