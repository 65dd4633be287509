"""The sections of the annual report drawn from the yearly cycle (issue #15, points 6–8):

- « Activité des EMA »: :func:`cratb.activity.summaries.ema_synthesis`, the function of
  the page « Synthèse régionale des rapports des EMA » (``activity:synthesis``);
- « Audits de pratiques »: :func:`cratb.audits.summaries.year_summary`, built on
  ``audits.services.campaign_results``, the computation of each audit's page;
- « Actions du réseau »: :func:`cratb.activity.summaries.network_actions_summary`, the
  function of the page « Actions du réseau » (``activity:network-summary``).

One source per figure: nothing is computed again here; the blocks only arrange the
values those functions return (tests compare them with the pages).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils import translation

from cratb.activity import summaries as activity_summaries
from cratb.audits import summaries as audit_summaries
from cratb.charts import Bar, ranked_bars
from cratb.charts.numbers import format_number
from cratb.documents import Block, ChartBlock, Column, Figure, FigureList, Heading, Paragraph, Table

__all__ = ["audits_blocks", "ema_blocks", "network_actions_blocks"]

#: Départements per table of the EMA figures (a column each: a portrait page holds 8).
PER_TABLE = 8

#: Decimals of the EMA figures that are not counts (staff time, in FTE).
_DECIMALS = {"staff_fte": 2, "fte_worked": 2}


def _n(count: int) -> str:
    return format_number(count, decimals=0, language="fr")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{format_number(value, decimals=1, language='fr')} %"


def _plain(value: int | float | Decimal | None) -> int | float | None:
    """A figure as a document cell (a Decimal becomes a float, written with its column's
    decimals)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    return value


# --- EMA activity ------------------------------------------------------------------------------


def ema_blocks(year: int) -> Sequence[Block]:
    with translation.override("fr"):
        found = activity_summaries.ema_synthesis(year)
        if not found.campaign_found:
            return [
                Paragraph(f"Aucune campagne de rapports d'activité {year} : rien à synthétiser.")
            ]
        c = found.completeness
        deadline = f", attendus pour le {found.deadline:%d/%m/%Y}" if found.deadline else ""
        out: list[Block] = [
            Paragraph(
                f"Sommes des rapports d'activité {year} validés par la coordination :"
                f" {_n(c.validated)} sur {_n(c.expected)} attendus{deadline} ;"
                f" {_n(c.late)} en retard. Un rapport non validé n'est pas compté."
            ),
            FigureList(
                (
                    Figure("Rapports attendus", c.expected),
                    Figure("Rapports transmis", c.transmitted),
                    Figure(
                        "Rapports validés",
                        c.validated,
                        note=f"complétude {_pct(c.completeness_pct)}",
                    ),
                    Figure(
                        "Rapports transmis dans les délais",
                        c.on_time,
                        note=f"ponctualité {_pct(c.timeliness_pct)}",
                    ),
                    Figure("Rapports en retard", c.late),
                ),
                title="Complétude",
            ),
            FigureList(
                tuple(
                    Figure(v.label, _plain(v.value), decimals=_DECIMALS.get(v.key, 0))
                    for v in found.totals
                ),
                title="Chiffres des rapports validés, région",
            ),
        ]
        bars = [
            Bar(_territory(t.code, t.name), t.completeness.completeness_pct)
            for t in found.territories
            if t.completeness.completeness_pct is not None
        ]
        if bars:
            out.append(
                ChartBlock(
                    ranked_bars(
                        bars,
                        title=f"Rapports d'activité {year} validés sur attendus, par département",
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
                    Column("Équipes", 0),
                    Column("Transmis", 0),
                    Column("Validés", 0),
                    Column("En retard", 0),
                    Column("Complétude (%)", 1),
                ),
                rows=tuple(
                    (
                        _territory(t.code, t.name),
                        t.teams,
                        t.completeness.transmitted,
                        t.completeness.validated,
                        t.completeness.late,
                        t.completeness.completeness_pct,
                    )
                    for t in found.territories
                ),
                caption=f"Complétude des rapports d'activité {year} par département",
            )
        )
        # The page's table: a row per figure, a column per département, the region last;
        # split in tables of at most PER_TABLE départements so a page holds it.
        territories = list(found.territories)
        chunks = [territories[i : i + PER_TABLE] for i in range(0, len(territories), PER_TABLE)]
        for number, chunk in enumerate(chunks, start=1):
            last = number == len(chunks)
            columns = [Column("Chiffre")]
            columns += [Column(t.code or t.name, 2) for t in chunk]
            if last:
                columns.append(Column("Région", 2))
            rows = []
            for total in found.totals:
                per = [
                    next((v.value for v in t.figures if v.key == total.key), None) for t in chunk
                ]
                region = (_plain(total.value),) if last else ()
                rows.append((total.label, *[_plain(v) for v in per], *region))
            part = f" ({number}/{len(chunks)})" if len(chunks) > 1 else ""
            out.append(
                Table(
                    columns=tuple(columns),
                    rows=tuple(_decimals_as_needed(rows)),
                    caption=f"Chiffres des rapports validés par département, {year}{part}",
                )
            )
        return out


def _territory(code: str, name: str) -> str:
    return f"{name} ({code})" if code else name


def _decimals_as_needed(
    rows: list[tuple[str | int | float | None, ...]],
) -> list[tuple[str | int | float | None, ...]]:
    """Counts written without decimals in a table whose columns allow two (a row of
    counts and a row of FTE share the columns): a whole number becomes its text."""
    out = []
    for row in rows:
        label, *values = row
        if all(v is None or isinstance(v, int) for v in values):
            out.append((label, *[None if v is None else _n(int(v)) for v in values]))
        else:
            out.append(row)
    return out


# --- practice audits ---------------------------------------------------------------------------


def audits_blocks(year: int) -> Sequence[Block]:
    with translation.override("fr"):
        found = audit_summaries.year_summary(year)
        if not found.audits:
            return [Paragraph(f"Aucun audit de pratiques terminé en {year}.")]
        out: list[Block] = [
            FigureList(
                (
                    Figure("Audits réalisés", found.audits_count),
                    Figure("Participants", found.participants),
                    Figure("Cas audités", found.cases),
                ),
                title="Chiffres clés",
            ),
            Table(
                columns=(
                    Column("Audit"),
                    Column("Grille"),
                    Column("Tour", 0),
                    Column("Période"),
                    Column("Participants", 0),
                    Column("Avec des cas", 0),
                    Column("Cas", 0),
                ),
                rows=tuple(
                    (
                        a.title,
                        f"{a.grid} (v{a.grid_version})",
                        a.round,
                        f"{_day(a.period_start)} – {_day(a.period_end)}",
                        a.participants,
                        a.participants_with_cases,
                        a.cases,
                    )
                    for a in found.audits
                ),
                caption=f"Audits de pratiques dont la période s'est terminée en {year}",
            ),
        ]
        for audit in found.audits:
            out.extend(_audit_blocks(audit))
        return out


def _day(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"{d}/{m}/{y}"


def _audit_blocks(audit: audit_summaries.AuditSummary) -> list[Block]:
    out: list[Block] = [Heading(audit.title)]
    bars = [Bar(c.label, c.percent, c.low, c.high) for c in audit.criteria]
    if any(b.value is not None for b in bars):
        out.append(
            ChartBlock(
                ranked_bars(
                    bars,
                    title=f"Conformité par critère, ensemble des participants — {audit.title}",
                    unit="%",
                    decimals=0,
                    language="fr",
                    sort=False,
                    subject="critères",
                )
            )
        )
    second_round = audit.round > 1
    columns = [
        Column("Critère"),
        Column("Conformes", 0),
        Column("Évalués", 0),
        Column("Conformité (%)", 1),
        Column("IC 95 % bas", 1),
        Column("IC 95 % haut", 1),
    ]
    if second_round:
        columns += [
            Column("Évolution (points)", 1),
            Column("IC 95 % de l'évolution"),
        ]
    rows = []
    for c in audit.criteria:
        row: list[str | int | float | None] = [
            c.label,
            c.met,
            c.evaluated,
            c.percent,
            c.low,
            c.high,
        ]
        if second_round:
            interval = (
                f"{format_number(c.change_low, decimals=1, language='fr')} à"
                f" {format_number(c.change_high, decimals=1, language='fr')}"
                if c.change_low is not None and c.change_high is not None
                else None
            )
            row += [c.change, interval]
        rows.append(tuple(row))
    out.append(
        Table(
            columns=tuple(columns),
            rows=tuple(rows),
            caption=f"Conformité par critère (intervalle de confiance à 95 % de Wilson"
            f"{', évolution depuis le tour précédent : Newcombe' if second_round else ''})"
            f" — {audit.title}",
        )
    )
    return out


# --- network actions ---------------------------------------------------------------------------


def network_actions_blocks(year: int) -> Sequence[Block]:
    with translation.override("fr"):
        found = activity_summaries.network_actions_summary(year)
        if not found.actions:
            return [Paragraph(f"Aucune action du réseau enregistrée en {year}.")]
        out: list[Block] = [
            FigureList(
                (
                    Figure("Actions menées", found.actions),
                    Figure("Personnes touchées", found.people_reached),
                ),
                title="Chiffres clés",
            ),
        ]
        if found.by_kind:
            out.append(
                ChartBlock(
                    ranked_bars(
                        [Bar(r.label, r.actions) for r in found.by_kind],
                        title=f"Actions du réseau par type, {year}",
                        unit="actions",
                        decimals=0,
                        count=True,
                        language="fr",
                        subject="types d'action",
                    )
                )
            )
        for caption, label, rows in (
            ("Actions du réseau par département", "Département", found.by_territory),
            ("Actions du réseau par type", "Type d'action", found.by_kind),
            ("Actions du réseau par fonction de qui les mène", "Fonction", found.by_function),
        ):
            out.append(
                Table(
                    columns=(Column(label), Column("Actions", 0), Column("Personnes touchées", 0)),
                    rows=tuple((r.label, r.actions, r.people_reached) for r in rows),
                    caption=f"{caption}, {year}",
                )
            )
        return out
