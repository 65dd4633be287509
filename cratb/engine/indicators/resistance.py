"""Resistance indicators: first isolates, % resistant, ESBL share of E. coli, adoption of
targeted reporting (CONTRACTS.md section 3 and issue #4).

Every indicator counts isolates sampled in the period (``isolates.sampled_on``) and
first isolates as defined in ``intermediate.resistance`` (``episode_days``, default
365). Groups with fewer than ``min_isolates`` (default 30) first isolates in the
denominator are returned with ``low_count = true`` (CLSI M39: hide or flag them).

This module runs the episode rounds of the intermediate layer and decides what is kept
for the session and period: the isolates that are not first isolates (one small table
per episode length), and each round when a short episode over a long period needs more
than ``UNROLLED_ROUNDS``.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from cratb.engine import stats
from cratb.engine.context import Context, IndicatorError
from cratb.engine.indicators.catalogue import ratio, register
from cratb.engine.intermediate import resistance as res
from cratb.engine.reference import expected
from cratb.engine.reference import tables as ref
from cratb.engine.reference.organisms import ENTEROBACTERALES, organisms
from cratb.engine.staging import resistance as stg

__all__ = ["C3G_PROXY", "ECOLI", "PARAMETERS"]

ECOLI = "Escherichia coli"
# Third-generation cephalosporins of the ESBL proxy (EARS-Net's "3GC-R E. coli").
C3G_PROXY = ("CTX", "CRO", "CAZ")
#: ``phenotype_points``: 0 (the default) for the episode rule alone; above 0, the
#: phenotype-based rule with that points threshold (the AMR R package uses 2).
PARAMETERS = {"episode_days": 365.0, "min_isolates": 30.0, "phenotype_points": 0.0}
M39 = "CLSI M39 (premier isolat par patient et par espèce, épisode de 365 jours)"
PERIOD = ("isolate_heads", "sampled_on")


def result_rows(ctx: Context) -> ir.Table:
    """One row per isolate × antibiotic of the period (``staging.resistance``). Not
    materialised: a projection of the large table is cheaper to read again than to copy."""
    return stg.isolate_rows(ctx.table("isolates"), date_from=ctx.date_from, date_to=ctx.date_to)


def heads(ctx: Context) -> ir.Table:
    """One row per isolate of the period (``staging.resistance.isolate_heads``)."""
    if not ctx.session.has("isolate_heads"):
        raise IndicatorError(
            "la table « isolate_heads » (un isolat par ligne, tenue par l'import des isolats)"
            " manque : l'entrepôt vient d'une version antérieure de cratb ; réimporter les"
            " isolats dans un nouvel entrepôt"
        )
    return stg.isolate_heads(
        ctx.table("isolate_heads"), date_from=ctx.date_from, date_to=ctx.date_to
    )


def non_first(ctx: Context) -> ir.Table:
    """One row per isolate of the period that is not a first isolate: ``isolate_id``;
    kept for the session and period, per episode length (and points threshold of the
    phenotype-based rule when ``phenotype_points`` > 0)."""
    days = res.episode_days(ctx.param("episode_days"))
    points = res.phenotype_points(ctx.param("phenotype_points"))
    episode = ctx.shared(f"non_first:{days}", lambda: _non_first(ctx, days))
    if not points:
        return episode
    return ctx.shared(
        f"non_first:{days}:phenotype:{points}",
        lambda: _non_first_phenotype(ctx, episode, days=days, points=points),
    )


def _non_first_phenotype(ctx: Context, episode: ir.Table, *, days: int, points: float) -> ir.Table:
    """The phenotype-based rule (``intermediate.resistance.phenotype_firsts``): the
    isolates that the episode rule leaves out are looked at again, with their results,
    in Python (a small table: only repeated patient × species)."""
    repeated = res.repeated_heads(heads(ctx))
    rows = result_rows(ctx)
    rows = rows.semi_join(repeated, "isolate_id").select("isolate_id", "antibiotic", "sir")
    isolates = ctx.rows(repeated)
    results = ctx.rows(rows)
    if not ctx.rows(episode.aggregate(n=episode.count()))[0]["n"]:
        return episode
    rescued = res.phenotype_firsts(isolates, results, episode_days=days, points=points)
    kept = ctx.memtable(pa.table({"isolate_id": pa.array(sorted(rescued), pa.string())}))
    return episode.anti_join(kept, "isolate_id")


def _non_first(ctx: Context, days: int) -> ir.Table:
    repeated = res.repeated_heads(heads(ctx))
    bound = res.episode_rounds(date_from=ctx.date_from, date_to=ctx.date_to, episode_days=days)
    starts = res.earliest(repeated)
    rounds = [starts]
    for k in range(1, bound):
        starts = res.next_episodes(repeated, starts, episode_days=days)
        if bound > res.UNROLLED_ROUNDS:
            starts = _materialised(ctx, f"resistance_round:{days}:{k}", starts)
            if not ctx.rows(starts.aggregate(n=starts.count()))[0]["n"]:
                break
        rounds.append(starts)
    return res.non_first(repeated, rounds)


def _materialised(ctx: Context, key: str, t: ir.Table) -> ir.Table:
    return ctx.shared(key, lambda: t)


def first_isolate_heads(ctx: Context) -> ir.Table:
    """``heads`` with ``first_isolate`` (boolean)."""
    return res.first_isolate_heads(heads(ctx), non_first(ctx))


def first_isolate_rows(ctx: Context) -> ir.Table:
    """The result rows (isolate × antibiotic) of first isolates only."""
    return res.first_isolate_rows(result_rows(ctx), non_first(ctx))


def with_calendar(ctx: Context, t: ir.Table) -> ir.Table:
    """``year``, ``month`` and ``region`` added when the --by columns ask for them."""
    return res.with_calendar(t, by=ctx.by, departements=ctx.memtable(ref.departements_table()))


def _group(t: ir.Table, by: list[str], **metrics: ir.Value) -> ir.Table:
    return t.group_by(by).aggregate(**metrics) if by else t.aggregate(**metrics)


def _proportion(ctx: Context, t: ir.Table, *, count: ir.NumericValue) -> ir.Table:
    """value (%), Wilson 95 % interval and ``low_count`` (``count`` < min_isolates)."""
    low, high = stats.wilson_expr(t.numerator, t.denominator)
    minimum = int(ctx.param("min_isolates"))
    return t.mutate(
        value=ratio(t.numerator, t.denominator) * 100.0,
        ci_low=low,
        ci_high=high,
        low_count=count < minimum,
    )


@register(
    id="resistance.first_isolates",
    title_fr="Premiers isolats",
    title_en="First isolates",
    unit="% des isolats",
    unit_en="% of isolates",
    numerator="premiers isolats (par patient et espèce, épisodes de episode_days jours)",
    denominator="tous les isolats de la période",
    lower_is_better=None,
    proportion=True,
    by=res.ISOLATE_BY,
    tables=("isolates",),
    editions=(),
    source=f"définition du CRAtb ; {M39}",
    version=1,
    extra_columns=("low_count",),
    parameters=PARAMETERS,
    period_from=PERIOD,
)
def first_isolates(ctx: Context) -> ir.Table:
    """One row per group of the --by columns: first isolates (the count, ``numerator``)
    among all isolates of the period (``denominator``), in %; ``low_count`` when fewer
    than min_isolates first isolates."""
    h = with_calendar(ctx, first_isolate_heads(ctx))
    t = _group(
        h,
        list(ctx.by),
        numerator=h.first_isolate.ifelse(1, 0).sum(),
        denominator=h.count(),
    )
    return _proportion(ctx, t, count=t.numerator)


@register(
    id="resistance.pct_resistant",
    title_fr="Pourcentage de résistance",
    title_en="Percentage resistant",
    unit="% des premiers isolats testés",
    unit_en="% of first isolates tested",
    numerator="premiers isolats résistants (R)",
    denominator="premiers isolats testés (S, I ou R ; I compté au dénominateur seulement)",
    lower_is_better=True,
    proportion=True,
    by=res.RESULT_BY,
    always_by=("organism", "antibiotic"),
    tables=("isolates",),
    editions=(),
    source=(
        f"définition du CRAtb ; {M39} ; catégories EUCAST ; résistances naturelles :"
        f" {expected.SOURCE}"
    ),
    version=2,
    extra_columns=("susceptible", "intrinsic", "low_count"),
    parameters=PARAMETERS,
    period_from=PERIOD,
    # Each lab's own figures, for the establishments it serves (cratb/feedback).
    publish=(("lab_id",),),
)
def pct_resistant(ctx: Context) -> ir.Table:
    """One row per organism × antibiotic (× the other --by columns): first isolates
    resistant (R) ÷ first isolates tested, in %, with the Wilson 95 % interval;
    ``susceptible`` counts the S results (I, susceptible at increased exposure, is
    neither); ``low_count`` when fewer than min_isolates first isolates were tested.

    ``intrinsic`` is true for an expected resistant phenotype (EUCAST, reference table
    ``expected_resistance.csv``): its counts and value are the lab's results as sent (the
    contract's definition of the indicator is kept, CONTRACTS.md section 3), and every
    page, export and chart shows such a row as « RN » (résistance naturelle), never as a
    measured rate."""
    rows = with_calendar(ctx, first_isolate_rows(ctx))
    t = _group(
        rows,
        list(ctx.by),
        numerator=(rows.sir == "R").ifelse(1, 0).sum(),
        denominator=rows.count(),
        susceptible=(rows.sir == "S").ifelse(1, 0).sum(),
    )
    t = _proportion(ctx, t, count=t.denominator)
    pairs = ctx.memtable(expected.expected_table())
    return t.left_join(
        pairs, (t.organism == pairs.organism) & (t.antibiotic == pairs.antibiotic)
    ).select(t, intrinsic=pairs.intrinsic.fill_null(False))


def esbl_status(ctx: Context) -> ir.Table:
    """One row per first E. coli isolate of the period that can be classified: ``esbl``
    (boolean) and ``by_lab`` (true when the lab's own flag decided it, false when the
    proxy did: R to cefotaxime, ceftriaxone or ceftazidime). An isolate without a lab
    flag and without any of those three agents tested cannot be classified and is left
    out of the denominator."""
    h = first_isolate_heads(ctx)
    h = h.filter(h.first_isolate & (h.organism == ECOLI))
    rows = result_rows(ctx)
    c3g = rows.filter((rows.organism == ECOLI) & rows.antibiotic.isin(C3G_PROXY))
    c3g = c3g.group_by("isolate_id").aggregate(c3g_r=(c3g.sir == "R").ifelse(1, 0).max())
    t = h.left_join(c3g, "isolate_id").select(h, c3g.c3g_r)
    t = t.filter(t.esbl.notnull() | t.c3g_r.notnull())
    return t.mutate(
        by_lab=t.esbl.notnull(),
        esbl=ibis.cases((t.esbl.notnull(), t.esbl == "Y"), else_=t.c3g_r == 1),
    )


@register(
    id="resistance.esbl_share",
    title_fr="E. coli producteurs de BLSE",
    title_en="ESBL-producing E. coli",
    unit="% des premiers isolats d'E. coli",
    unit_en="% of first E. coli isolates",
    numerator=(
        "premiers isolats d'E. coli producteurs de BLSE : marqueur BLSE du laboratoire, à"
        " défaut résistance au céfotaxime, à la ceftriaxone ou à la ceftazidime (C3G-R,"
        " approximation signalée par la colonne method)"
    ),
    denominator="premiers isolats d'E. coli classables (marqueur BLSE ou C3G testée)",
    lower_is_better=True,
    proportion=True,
    by=tuple(c for c in res.ISOLATE_BY if c != "organism"),
    tables=("isolates",),
    editions=(),
    source=(f"définition du CRAtb ; PRIMO, SPARES (BLSE confirmées) ; EARS-Net (C3G-R) ; {M39}"),
    version=1,
    extra_columns=("method", "lab_flagged", "proxy", "low_count"),
    parameters=PARAMETERS,
    period_from=PERIOD,
)
def esbl_share(ctx: Context) -> ir.Table:
    """One row per group of the --by columns: ESBL first E. coli isolates ÷ classifiable
    first E. coli isolates, in %, with the Wilson 95 % interval. ``method`` says where
    the answer came from: ``lab`` (every isolate had the lab's ESBL flag), ``proxy``
    (none had: resistance to a 3rd-generation cephalosporin, which slightly
    overestimates ESBL) or ``mixed``; ``lab_flagged`` and ``proxy`` count the isolates
    of each kind."""
    t = with_calendar(ctx, esbl_status(ctx))
    g = _group(
        t,
        list(ctx.by),
        numerator=t.esbl.ifelse(1, 0).sum(),
        denominator=t.count(),
        lab_flagged=t.by_lab.ifelse(1, 0).sum(),
    )
    g = g.mutate(proxy=g.denominator - g.lab_flagged)
    g = g.mutate(
        method=ibis.cases((g.proxy == 0, "lab"), (g.lab_flagged == 0, "proxy"), else_="mixed")
    )
    return _proportion(ctx, g, count=g.denominator)


def _enterobacterales() -> list[str]:
    return sorted(o.name for o in organisms().values() if o.group == ENTEROBACTERALES)


@register(
    id="resistance.targeted_reporting",
    title_fr="Adoption de l'antibiogramme ciblé",
    title_en="Adoption of targeted susceptibility reporting",
    unit="% des ECBU à entérobactéries",
    unit_en="% of urine cultures with Enterobacterales",
    numerator=(
        "isolats urinaires d'entérobactéries rendus avec un antibiogramme ciblé (journal du"
        " moteur de rendu ciblé : cratb ast target et API des laboratoires)"
    ),
    denominator="isolats urinaires d'entérobactéries reçus des laboratoires",
    lower_is_better=False,
    proportion=True,
    by=("year", "month", "departement", "region", "setting", "lab_id"),
    tables=("isolates",),
    editions=(),
    source=(
        "HAS, antibiogrammes ciblés pour les infections urinaires à entérobactéries (2023) ;"
        " journal targeted_reports de cratb"
    ),
    version=1,
    extra_columns=("low_count",),
    parameters={"min_isolates": 30.0},
    period_from=PERIOD,
    # The lab API logs its decisions in the web database; the indicator reads the
    # warehouse's log, brought up to date first.
    prepare=("targeted_reports",),
    # Each lab's own adoption, for the establishments it serves (cratb/feedback).
    publish=(("lab_id",),),
)
def targeted_reporting(ctx: Context) -> ir.Table:
    """One row per group of the --by columns (typically lab_id × month): urine isolates
    of Enterobacterales (``denominator``, one per isolate_id) and, among them, those
    reported with a targeted report (``numerator``: the isolate, same lab_id and
    isolate_id, is in the ``targeted_reports`` log with mode ``targeted``), in %."""
    h = heads(ctx)
    h = h.filter((h.specimen == "urine") & h.organism.isin(_enterobacterales()))
    if ctx.session.has("targeted_reports"):
        log = ctx.table("targeted_reports")
        log = log.filter(log.mode == "targeted").select("lab_id", "isolate_id").distinct()
        log = log.mutate(targeted=ibis.literal(1))
        h = h.left_join(log, ["lab_id", "isolate_id"]).select(h, log.targeted)
        h = h.mutate(targeted=h.targeted.fill_null(0))
    else:
        ctx.warn(
            "aucun rendu ciblé journalisé dans l'entrepôt (table targeted_reports absente) :"
            " voir « cratb ast target » et « cratb ast sync »"
        )
        h = h.mutate(targeted=ibis.literal(0))
    h = with_calendar(ctx, h)
    t = _group(h, list(ctx.by), numerator=h.targeted.sum(), denominator=h.count())
    return _proportion(ctx, t, count=t.denominator)
