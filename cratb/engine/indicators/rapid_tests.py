"""Rapid (point-of-care) test indicators: rapid strep A tests (TROD angine) and urine
dipsticks done in pharmacies and practices (``rapid_tests``), kits ordered
(``rapid_test_kits``), by territory down to the commune and the CPTS.

Every indicator here carries the ``suppressed`` column of the small-count rule
(``indicators/territories.py``): by commune or CPTS, a group of fewer than 11 tests
(or kit-ordering places) has its figures left empty.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from cratb.engine import stats
from cratb.engine.context import Context
from cratb.engine.indicators import territories
from cratb.engine.indicators.catalogue import ratio, register
from cratb.engine.reference import tables as ref
from cratb.engine.staging import rapid_tests as stg

__all__: list[str] = []

RAPID_BY = (
    "year",
    "month",
    "departement",
    "region",
    *territories.FINE_COLUMNS,
    "test",
    "place_kind",
    "place_code",
)
SOURCE = "cratb (tests rapides réalisés en officine ou en cabinet)"
COMMON = {
    "by": RAPID_BY,
    "editions": (),
    "version": 1,
    "extra_columns": ("suppressed",),
    "publish": (("test",), ("departement", "test"), ("cpts", "test")),
    "prepare": ("territories",),
}


def _placed(ctx: Context, t: ir.Table) -> ir.Table:
    """``t`` with the ``region`` of its département and, asked for, the ``cpts`` of its
    commune; grouped by commune or CPTS, rows placed by département only are left out."""
    deps = ctx.memtable(ref.departements_table())
    t = t.left_join(deps, t.departement == deps.departement).select(t, deps.region)
    if territories.fine(ctx.by):
        t = t.filter(t.commune.notnull())
    return territories.with_cpts(ctx, t)


def _tests(ctx: Context) -> ir.Table:
    t = stg.tests(ctx.table("rapid_tests"), date_from=ctx.date_from, date_to=ctx.date_to)
    return _placed(ctx, t)


def _group(t: ir.Table, by: list[str], **metrics: ir.Value) -> ir.Table:
    return t.group_by(by).aggregate(**metrics) if by else t.aggregate(**metrics)


def _proportion(ctx: Context, t: ir.Table) -> ir.Table:
    low, high = stats.wilson_expr(t.numerator, t.denominator)
    t = t.mutate(
        value=ratio(t.numerator, t.denominator) * 100.0,
        ci_low=low,
        ci_high=high,
        _events=t.denominator,
    )
    return territories.suppress_small(ctx, t, events="_events")


@register(
    id="rapid_tests.tests_done",
    title_fr="Tests rapides réalisés (TROD angine, bandelettes urinaires)",
    title_en="Rapid tests done (strep A, urine dipsticks)",
    unit="tests",
    unit_en="tests",
    numerator="tests rapides réalisés (y compris les tests ininterprétables)",
    denominator="aucun (effectif)",
    lower_is_better=False,
    proportion=False,
    tables=("rapid_tests",),
    source=SOURCE,
    period_from=("rapid_tests", "tested_on"),
    **COMMON,
)
def tests_done(ctx: Context) -> ir.Table:
    """One row per group of the --by columns: the number of rapid tests done
    (``numerator`` and ``value``; no denominator)."""
    t = _tests(ctx)
    g = _group(t, list(ctx.by), numerator=t.count())
    g = g.mutate(
        denominator=ibis.null("float64"), value=g.numerator.cast("float64"), _events=g.numerator
    )
    return territories.suppress_small(ctx, g, events="_events")


@register(
    id="rapid_tests.positive_share",
    title_fr="Part de tests rapides positifs",
    title_en="Share of positive rapid tests",
    unit="% des tests interprétables",
    unit_en="% of valid tests",
    numerator="tests positifs",
    denominator="tests positifs ou négatifs (les tests ininterprétables sont exclus)",
    lower_is_better=None,
    proportion=True,
    tables=("rapid_tests",),
    source=SOURCE,
    period_from=("rapid_tests", "tested_on"),
    **COMMON,
)
def positive_share(ctx: Context) -> ir.Table:
    """One row per group of the --by columns: positive tests ÷ positive or negative
    tests, in %, with the Wilson 95 % interval."""
    t = _tests(ctx)
    g = _group(
        t,
        list(ctx.by),
        numerator=t.positive.ifelse(1, 0).sum(),
        denominator=(t.positive | t.negative).ifelse(1, 0).sum(),
    )
    return _proportion(ctx, g)


@register(
    id="rapid_tests.antibiotic_after_negative",
    title_fr="Antibiotique délivré malgré un test rapide négatif",
    title_en="Antibiotic dispensed after a negative rapid test",
    unit="% des tests négatifs",
    unit_en="% of negative tests",
    numerator="tests négatifs suivis de la délivrance d'un antibiotique",
    denominator="tests négatifs",
    lower_is_better=True,
    proportion=True,
    tables=("rapid_tests",),
    source=SOURCE,
    period_from=("rapid_tests", "tested_on"),
    **COMMON,
)
def antibiotic_after_negative(ctx: Context) -> ir.Table:
    """One row per group of the --by columns: negative tests after which an antibiotic
    was dispensed ÷ negative tests, in %, with the Wilson 95 % interval."""
    t = _tests(ctx)
    g = _group(
        t,
        list(ctx.by),
        numerator=(t.negative & t.antibiotic).ifelse(1, 0).sum(),
        denominator=t.negative.ifelse(1, 0).sum(),
    )
    return _proportion(ctx, g)


@register(
    id="rapid_tests.kits_per_place",
    title_fr="Kits de tests rapides commandés par lieu",
    title_en="Rapid-test kits ordered per place",
    unit="kits par lieu commandeur",
    unit_en="kits per ordering place",
    numerator="kits commandés",
    denominator="lieux (officines, cabinets) ayant commandé au moins un kit",
    lower_is_better=False,
    proportion=False,
    tables=("rapid_test_kits",),
    source=SOURCE,
    period_from=("rapid_test_kits", "ordered_on"),
    **{**COMMON, "publish": (("test",), ("cpts", "test"))},
)
def kits_per_place(ctx: Context) -> ir.Table:
    """One row per group of the --by columns: kits ordered ÷ places that ordered kits
    (places ordering none are not in the file: the share of practices ordering needs the
    directory's count of practices)."""
    t = stg.kits(ctx.table("rapid_test_kits"), date_from=ctx.date_from, date_to=ctx.date_to)
    t = _placed(ctx, t)
    g = _group(t, list(ctx.by), numerator=t.kits.sum(), denominator=t.place_code.nunique())
    g = g.mutate(value=ratio(g.numerator, g.denominator), _events=g.denominator)
    return territories.suppress_small(ctx, g, events="_events")


@register(
    id="rapid_tests.ordering_share",
    title_fr="Part des lieux ayant commandé des kits de TROD angine",
    title_en="Share of places ordering rapid strep A test kits",
    unit="% des lieux du répertoire",
    unit_en="% of registered places",
    numerator="lieux du répertoire ayant commandé au moins un kit de TROD angine dans la période",
    denominator=(
        "lieux du répertoire des lieux de test (rapid_test_places : officines, cabinets) du"
        " territoire"
    ),
    lower_is_better=False,
    proportion=True,
    by=("year", "departement", "region", *territories.FINE_COLUMNS, "place_kind"),
    tables=("rapid_test_places", "rapid_test_kits"),
    source=f"{SOURCE} ; répertoire des lieux (FINESS des officines, Annuaire santé des cabinets)",
    period_from=("rapid_test_kits", "ordered_on"),
    editions=(),
    version=1,
    extra_columns=("suppressed",),
    publish=(("place_kind",), ("departement", "place_kind"), ("cpts", "place_kind")),
    prepare=("territories",),
)
def ordering_share(ctx: Context) -> ir.Table:
    """One row per group of the --by columns: places of the register (``place_kind``,
    commune and département from the register) that ordered at least one strep A kit in
    the period (each year, by ``year``) ÷ places of the register, in %, with the Wilson
    95 % interval. Orders from places missing from the register are not counted (a
    warning says how many places). By commune or CPTS, groups of fewer than 11
    registered places are masked."""
    registered = _placed(ctx, stg.places(ctx.table("rapid_test_places")))
    orders = stg.kits(ctx.table("rapid_test_kits"), date_from=ctx.date_from, date_to=ctx.date_to)
    orders = orders.filter((orders.test == "strep_a") & (orders.kits > 0))
    every = ctx.table("rapid_test_places")
    unknown = orders.select("place_code").distinct().anti_join(every, "place_code")
    missing = ctx.rows(unknown.aggregate(n=unknown.count()))[0]["n"]
    if missing:
        ctx.warn(
            f"{missing} lieu(x) ayant commandé des kits absent(s) du répertoire des lieux"
            " (rapid_test_places) : non compté(s)"
        )
    by_year = "year" in ctx.by
    if by_year:
        years = ctx.memtable(pa.table({"year": pa.array(ctx.years(), pa.int32())}))
        registered = registered.cross_join(years)
    ordered = orders.select(
        o_code=orders.place_code, **({"o_year": orders.year} if by_year else {})
    ).distinct()
    on = [registered.place_code == ordered.o_code]
    if by_year:
        on.append(registered.year == ordered.o_year)
    t = registered.left_join(ordered, on).select(registered, done=ordered.o_code.notnull())
    g = _group(t, list(ctx.by), numerator=t.done.ifelse(1, 0).sum(), denominator=t.count())
    return _proportion(ctx, g)
