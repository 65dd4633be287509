"""The sections of the annual report and their figures functions.

Each figures function calls the function that computes its page (one source per figure):

- surveillance: the published indicator values (:mod:`cratb.reports.surveillance`);
- advice: :func:`cratb.advice.figures.year_figures` and the page's charts
  (:mod:`cratb.advice.charts`), the figures page « Chiffres du conseil »;
- network: :mod:`cratb.network.gaps`, the « Lacunes » and « Carte » pages;
- training: :mod:`cratb.training.figures`, the page « Chiffres de la formation ».

- EMA activity, practice audits, network actions: :mod:`cratb.reports.yearly` (the
  functions of the pages « Synthèse régionale des rapports des EMA », « Audits »,
  « Actions du réseau »).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.conf import settings
from django.utils import timezone, translation

from cratb.advice import charts as advice_charts
from cratb.advice import figures as advice_figures
from cratb.advice.templatetags.advice_extras import hours
from cratb.charts import Bar, ranked_bars
from cratb.charts.numbers import format_number
from cratb.documents import (
    Block,
    ChartBlock,
    Column,
    Figure,
    FigureList,
    Paragraph,
    Table,
)
from cratb.network import gaps
from cratb.network.models import Organization, Territory
from cratb.reports import surveillance, yearly
from cratb.reports.sections import ReportSection, register, registered
from cratb.training import figures as training_figures
from cratb.training.models import TrainingSession

__all__ = ["report_sections", "section_of"]


def _n(count: int) -> str:
    """A count as the report writes it (« 1 571 »)."""
    return format_number(count, decimals=0, language="fr")


def state_date(year: int) -> date:
    """The day the network's state is read for ``year``: its last day, or today."""
    return min(date(year, 12, 31), timezone.localdate())


# --- advice --------------------------------------------------------------------------------


def advice_blocks(year: int) -> Sequence[Block]:
    with translation.override("fr"):
        found = advice_figures.year_figures(year, dimension="setting", period="month")
        themes = advice_figures.year_figures(year, dimension="syndrome", period="month")
        s = found.summary
        if not s.total:
            return [Paragraph(f"Aucune demande d'avis reçue en {year}.")]
        target_days = int(settings.CRATB_ADVICE_TARGET_WORKING_DAYS)
        out: list[Block] = [
            FigureList(
                (
                    Figure("Demandes d'avis reçues", s.total),
                    Figure("Demandes avec un avis", s.answered),
                    # Written as the figures page writes them (« 3 h 05 », « 2,5 j »).
                    Figure("Délai médian du premier avis", hours(s.median_hours)),
                    Figure("90e centile du délai", hours(s.p90_hours)),
                    Figure(
                        f"Dans le délai cible ({target_days} jour{'s' if target_days > 1 else ''}"
                        f" ouvré{'s' if target_days > 1 else ''})",
                        s.within_target.percent,
                        "%",
                        1,
                        note=f"{_n(s.within_target.numerator)} sur"
                        f" {_n(s.within_target.denominator)}",
                    ),
                    Figure(
                        "Avis suivis",
                        s.followed.percent,
                        "%",
                        1,
                        note=f"{_n(s.followed.denominator)} questionnaires",
                    ),
                    Figure(
                        "Antibiotique critique évité",
                        s.avoided_critical.percent,
                        "%",
                        1,
                        note=f"{_n(s.avoided_critical.denominator)} demandes concernées",
                    ),
                ),
                title="Chiffres clés",
            ),
        ]
        series = advice_charts.series_chart(
            found.series,
            period="month",
            title=f"Demandes par mois et lieu de prise en charge, {year}",
        )
        if series is not None:
            out.append(ChartBlock(series))
        out.append(_breakdown_table(found, "Lieu de prise en charge"))
        chart = advice_charts.breakdown_chart(
            themes.breakdown, title=f"Demandes par syndrome, {year}"
        )
        if chart is not None:
            out.append(ChartBlock(chart))
        out.append(_breakdown_table(themes, "Syndrome (thème de la demande)"))
        if found.aware:
            out.append(
                Table(
                    columns=(
                        Column("Catégorie AWaRe (OMS)"),
                        Column("Antibiotiques recommandés", 0),
                        Column("Part (%)", 1),
                        Column("Demandes", 0),
                    ),
                    rows=tuple((r.label, r.agents, r.share, r.requests) for r in found.aware),
                    caption="Catégorie AWaRe des antibiotiques recommandés dans les avis",
                )
            )
        return out


def _breakdown_table(found: advice_figures.Figures, label: str) -> Table:
    return Table(
        columns=(
            Column(label),
            Column("Demandes", 0),
            Column("Avec avis", 0),
            Column("Délai médian", right=True),
            Column("Dans le délai (%)", 1),
        ),
        rows=tuple(
            (
                row.label,
                row.measures.total,
                row.measures.answered,
                hours(row.measures.median_hours),
                row.measures.within_target.percent,
            )
            for row in found.breakdown
        ),
        caption=f"Demandes par {label.split(' (')[0].lower()}, {found.year}",
    )


# --- network -------------------------------------------------------------------------------


def network_blocks(year: int) -> Sequence[Block]:
    on = state_date(year)
    region = Territory.objects.filter(
        kind=Territory.Kind.REGION, code=settings.CRATB_REGION
    ).first()
    departements = list(
        Territory.objects.departements().filter(parent=region).order_by("code") if region else []
    )
    if not departements:
        return [Paragraph("Aucun département de la région dans l'annuaire.")]
    scope = Organization.objects.filter(departement__in=departements)
    coverage = gaps.coverage_by_departement(on=on)
    fte = {row.territory.code: row for row in gaps.fte_by_territory(departements, on=on)}
    cpts = gaps.cpts_referents(scope, on=on)
    uncovered = gaps.uncovered_establishments(scope, on=on)
    homes = scope.filter(kind=Organization.Kind.NURSING_HOME).count()
    homes_without = gaps.nursing_homes_without_agreement(scope, on=on)
    agreements = gaps.agreements_in_force(scope, on=on)
    covered = sum(coverage.get(d.code, gaps.CoverageRow(0, 0)).covered for d in departements)
    establishments = sum(
        coverage.get(d.code, gaps.CoverageRow(0, 0)).establishments for d in departements
    )
    out: list[Block] = [
        Paragraph(f"État de l'annuaire régional au {on:%d/%m/%Y}."),
        FigureList(
            (
                Figure("Établissements de santé", establishments),
                Figure(
                    "Établissements avec une expertise antibiotique (référent, EMA hébergée ou"
                    " convention)",
                    covered,
                    note=f"{round(100 * covered / establishments) if establishments else 0} %",
                ),
                Figure("Établissements sans aucune expertise", len(uncovered)),
                Figure("Conventions EMA en cours", agreements.count()),
                Figure(
                    "EHPAD sans convention avec une EMA",
                    len(homes_without),
                    note=f"sur {_n(homes)}",
                ),
                Figure("CPTS", len(cpts)),
                Figure(
                    "CPTS avec au moins un référent antibiotique formé",
                    sum(1 for r in cpts if r.status == "ok"),
                ),
            ),
            title="Chiffres clés",
        ),
    ]
    rows = []
    bars = []
    for dep in departements:
        row = coverage.get(dep.code, gaps.CoverageRow(0, 0))
        f = fte[dep.code]
        rows.append(
            (
                f"{dep.name} ({dep.code})",
                row.establishments,
                row.covered,
                row.share,
                f.acute_beds,
                float(f.fte),
                float(f.per_1000) if f.per_1000 is not None else None,
            )
        )
        if row.share is not None:
            bars.append(Bar(f"{dep.name} ({dep.code})", float(row.share)))
    if bars:
        out.append(
            ChartBlock(
                ranked_bars(
                    bars,
                    title="Établissements avec une expertise antibiotique, par département,"
                    f" au {on:%d/%m/%Y}",
                    unit="%",
                    decimals=0,
                    language="fr",
                    subject="départements",
                )
            )
        )
    out.append(
        Table(
            columns=(
                Column("Département"),
                Column("Établissements", 0),
                Column("Avec expertise", 0),
                Column("Part (%)", 0),
                Column("Lits MCO", 0),
                Column("ETP d'experts", 2),
                Column(
                    f"ETP pour 1000 lits (repère {str(gaps.FTE_BENCHMARK).replace('.', ',')})", 2
                ),
            ),
            rows=tuple(rows),
            caption="Couverture et temps d'expertise par département",
        )
    )
    if uncovered:
        out.append(
            Table(
                columns=(Column("Établissement"), Column("FINESS"), Column("Département")),
                rows=tuple(
                    (o.name, o.finess, o.departement.code if o.departement else None)
                    for o in uncovered
                ),
                caption="Établissements sans référent, sans EMA et sans convention",
            )
        )
    return out


# --- training ------------------------------------------------------------------------------


def training_blocks(year: int) -> Sequence[Block]:
    with translation.override("fr"):
        people = next((r for r in training_figures.trained_by_year() if r["year"] == year), None)
        sessions = TrainingSession.objects.filter(starts_at__year=year).count()
        if not sessions and people is None:
            return [Paragraph(f"Aucune session de formation en {year}.")]
        cpts = training_figures.cpts_figures()
        satisfaction = training_figures.satisfaction(year)
        total = next((s for s in satisfaction if s.label == "total"), None)
        by_profession = training_figures.trained_by_profession(year)
        out: list[Block] = [
            FigureList(
                (
                    Figure("Sessions de formation", sessions),
                    Figure("Personnes formées (présentes)", people["people"] if people else 0),
                    Figure("Présences", people["attendances"] if people else 0),
                    Figure(
                        "CPTS avec un référent formé",
                        cpts.with_trained_referent,
                        note=f"sur {_n(cpts.cpts)} CPTS",
                    ),
                    Figure(
                        "Satisfaction globale (sur 5)",
                        total.overall if total else None,
                        "",
                        1,
                        note=f"{_n(total.answers)} réponses" if total else "",
                    ),
                    Figure(
                        "Recommanderaient la formation",
                        total.recommend_pct if total else None,
                        "%",
                    ),
                ),
                title="Chiffres clés",
            )
        ]
        if by_profession:
            out.append(
                ChartBlock(
                    ranked_bars(
                        [Bar(label, n) for label, n in by_profession],
                        title=f"Personnes formées par profession, {year}",
                        unit="personnes",
                        decimals=0,
                        count=True,
                        language="fr",
                    )
                )
            )
            out.append(
                Table(
                    columns=(Column("Profession"), Column("Personnes formées", 0)),
                    rows=tuple(by_profession),
                    caption=f"Personnes formées par profession, {year}",
                )
            )
        by_departement = training_figures.trained_by_departement(year)
        if by_departement:
            out.append(
                Table(
                    columns=(Column("Département d'exercice"), Column("Personnes formées", 0)),
                    rows=tuple(
                        (f"{name} ({code})" if code else "non renseigné", n)
                        for code, name, n in by_departement
                    ),
                    caption=f"Personnes formées par département d'exercice, {year}",
                )
            )
        rows = [s for s in satisfaction if s.label != "total" and s.answers]
        if rows:
            out.append(
                Table(
                    columns=(
                        Column("Format"),
                        Column("Réponses", 0),
                        Column("Note globale (sur 5)", 1),
                        Column("Utilité (sur 5)", 1),
                        Column("Recommanderaient (%)", 0),
                    ),
                    rows=tuple(
                        (s.label, s.answers, s.overall, s.usefulness, s.recommend_pct) for s in rows
                    ),
                    caption=f"Satisfaction des participants, {year}",
                )
            )
        return out


# --- the registry ----------------------------------------------------------------------------

register(
    ReportSection(
        "surveillance",
        "Surveillance de la consommation et des résistances",
        surveillance.blocks,
        order=10,
        source="dashboards:indicator-list",
        guidance="Ce que montrent les indicateurs clés : évolution depuis 2019, écart aux "
        "objectifs, territoires à suivre.",
    )
)
register(
    ReportSection(
        "advice",
        "Conseil en antibiothérapie",
        advice_blocks,
        order=20,
        source="advice:figures",
        guidance="L'activité de conseil : volumes, délais de réponse, thèmes, bon usage "
        "(catégorie AWaRe des antibiotiques recommandés).",
    )
)
register(
    ReportSection(
        "network",
        "Animation du réseau",
        network_blocks,
        order=30,
        source="network:gaps",
        guidance="La couverture du territoire par les EMA, les conventions, les lacunes et "
        "les actions prévues pour les combler.",
    )
)
register(
    ReportSection(
        "training",
        "Formation",
        training_blocks,
        order=40,
        source="training:figures",
        guidance="Les formations de l'année : publics, participation, satisfaction.",
    )
)
register(
    ReportSection(
        "ema",
        "Activité des EMA",
        yearly.ema_blocks,
        order=50,
        source="activity:synthesis",
        guidance="La synthèse des rapports d'activité des EMA : complétude des rapports, "
        "activité par territoire, faits marquants et difficultés signalées par les équipes.",
    )
)
register(
    ReportSection(
        "audits",
        "Audits de pratiques",
        yearly.audits_blocks,
        order=60,
        source="audits:home",
        guidance="Les audits menés : thèmes, participation, critères les moins respectés, "
        "évolution entre deux tours et actions d'amélioration décidées.",
    )
)
register(
    ReportSection(
        "network_actions",
        "Actions du réseau",
        yearly.network_actions_blocks,
        order=70,
        source="activity:network-summary",
        guidance="Les actions des médecins généralistes ambassadeurs, des référents de CPTS et "
        "des référents EMA : types d'action, publics et territoires touchés.",
    )
)


def report_sections() -> list[ReportSection]:
    """Every section of the report, in order."""
    return registered()


def section_of(key: str) -> ReportSection | None:
    return next((s for s in registered() if s.key == key), None)
