"""A participant's feedback sheet (PDF, reportlab, with its chart from ``cratb.charts``),
the chart of the pages, and the rows of the CSV export."""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cratb.audits.results import Change, Compliance
from cratb.audits.services import CampaignResults, ParticipantResults
from cratb.charts import Bar, Chart, ranked_bars
from cratb.charts.numbers import format_number, format_range

__all__ = ["CSV_COLUMNS", "csv_rows", "participant_chart", "region_chart", "sheet_pdf"]


def _language() -> str:
    return (get_language() or "fr")[:2]


def region_chart(results: CampaignResults) -> Chart | None:
    """Compliance per criterion for all participants, with its 95 % interval."""
    bars = [Bar(c.label, c.percent, c.low, c.high) for c in results.region]
    if not any(b.value is not None for b in bars):
        return None
    return ranked_bars(
        bars,
        title=_("Conformité par critère, ensemble des participants"),
        unit="%",
        decimals=0,
        language=_language(),
        sort=False,
        subject=_("critères"),
    )


def participant_chart(mine: ParticipantResults) -> Chart | None:
    """Each criterion twice: the participant, then all participants (the region)."""
    bars: list[Bar] = []
    # « Vous » and « Région » first: the end of a long criterion may be cut on the chart
    # (the table beside it gives every label whole).
    for row in mine.rows:
        bars.append(
            Bar(f"{_('Vous')} — {row.label}", row.mine.percent, row.mine.low, row.mine.high)
        )
        bars.append(
            Bar(f"{_('Région')} — {row.label}", row.region.percent, row.region.low, row.region.high)
        )
    if not any(b.value is not None for b in bars):
        return None
    return ranked_bars(
        bars,
        title=_("Conformité par critère : vous et l'ensemble des participants"),
        unit="%",
        decimals=0,
        language=_language(),
        sort=False,
        subject=_("critères"),
    )


def _pct(c: Compliance) -> str:
    language = _language()
    if c.percent is None:
        return "—"
    return f"{format_number(c.percent, decimals=0, language=language)} % " + (
        f"[{format_range(c.low, c.high, decimals=0, language=language)}]"
    )


def _change_text(change: Change) -> str:
    language = _language()
    if change.difference is None:
        return "—"
    sign = "+" if change.difference > 0 else ""
    return (
        f"{sign}{format_number(change.difference, decimals=0, language=language)} pts "
        f"[{format_range(change.low, change.high, decimals=0, language=language)}]"
    )


def sheet_pdf(results: CampaignResults, mine: ParticipantResults) -> bytes:
    """The participant's feedback sheet: their compliance per criterion against all
    participants, with 95 % intervals, the chart, and the change since the first round."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from cratb.charts.printing import drawing

    campaign = results.campaign
    grid = campaign.grid
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    cell = styles["BodyText"].clone("cell", fontSize=8.5, leading=10.5)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=1.8 * cm,
        rightMargin=1.8 * cm,
        topMargin=1.5 * cm,
        bottomMargin=1.5 * cm,
        title=_("Fiche de retour d'audit"),
        author=_("Centre régional en antibiothérapie (CRAtb)"),
    )
    story: list[Any] = [
        Paragraph(_("Fiche de retour d'audit"), styles["Title"]),
        Paragraph(f"{campaign.title}", styles["Heading2"]),
        Paragraph(
            _("Participant : %(name)s. Période : du %(start)s au %(end)s. Tour %(round)s.")
            % {
                "name": mine.participant.name,
                "start": date_format(campaign.period_start, "j F Y"),
                "end": date_format(campaign.period_end, "j F Y"),
                "round": campaign.round_number,
            },
            styles["BodyText"],
        ),
        Paragraph(
            _(
                "Vos cas : %(mine)s ; ensemble des participants : %(all)s cas, "
                "%(participants)s participants."
            )
            % {"mine": mine.cases, "all": results.cases, "participants": len(results.participants)},
            styles["BodyText"],
        ),
        Spacer(1, 0.3 * cm),
    ]
    position = {
        "above": _("au-dessus"),
        "below": _("en dessous"),
        "same": _("comparable"),
    }
    header = [
        _("Critère (attendu)"),
        _("Vous : conformité [IC 95 %]"),
        _("Région"),
        _("Vous / région"),
        _("Non renseignés"),
        _("Sans objet"),
    ]
    rows: list[list[Any]] = [[Paragraph(h, cell) for h in header]]
    for row in mine.rows:
        rows.append(
            [
                Paragraph(f"<b>{row.label}</b> ({row.rule})", cell),
                Paragraph(f"{_pct(row.mine)} — {row.mine.met}/{row.mine.evaluated}", cell),
                Paragraph(_pct(row.region), cell),
                Paragraph(str(position[row.position]) if row.mine.evaluated else "—", cell),
                str(row.mine.blank),
                str(row.mine.not_applicable),
            ]
        )
    table = Table(rows, colWidths=[5.0 * cm, 3.3 * cm, 2.6 * cm, 1.9 * cm, 1.9 * cm, 1.4 * cm])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTSIZE", (0, 0), (-1, -1), 8.5),
                ("ALIGN", (4, 1), (-1, -1), "RIGHT"),
            ]
        )
    )
    story.append(table)
    chart = participant_chart(mine)
    if chart is not None:
        story += [Spacer(1, 0.3 * cm), drawing(chart, width_mm=150)]
        if chart.key:
            story.append(Paragraph(chart.key, small))
    if mine.change:
        story += [
            Spacer(1, 0.4 * cm),
            Paragraph(_("Évolution depuis le premier tour"), styles["Heading3"]),
        ]
        change_rows: list[list[Any]] = [
            [
                Paragraph(h, cell)
                for h in (
                    _("Critère"),
                    _("Premier tour"),
                    _("Second tour"),
                    _("Évolution [IC 95 %]"),
                )
            ]
        ]
        for change in mine.change:
            change_rows.append(
                [
                    Paragraph(change.label, cell),
                    Paragraph(_pct(change.before), cell),
                    Paragraph(_pct(change.after), cell),
                    Paragraph(_change_text(change), cell),
                ]
            )
        change_table = Table(change_rows, colWidths=[5.6 * cm, 3.6 * cm, 3.6 * cm, 3.6 * cm])
        change_table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(change_table)
    story += [
        Spacer(1, 0.4 * cm),
        Paragraph(_("Méthode"), styles["Heading3"]),
        Paragraph(
            _(
                "Conformité : cas conformes / cas évalués (conformes et non conformes) ; les "
                "cas non renseignés et ceux où le critère est sans objet sont comptés à part. "
                "Intervalles de confiance à 95 % de Wilson. « Au-dessus » ou « en dessous » : "
                "votre intervalle ne contient pas le taux de l'ensemble des participants. "
                "Évolution : différence entre les deux tours en points, intervalle à 95 % de "
                "Newcombe (méthode hybride du score)."
            ),
            small,
        ),
        Paragraph(
            _("Grille : %(grid)s (version %(version)s). Sources : %(sources)s")
            % {
                "grid": grid.title,
                "version": campaign.grid_version.number,
                "sources": " ; ".join(grid.sources),
            },
            small,
        ),
        Paragraph(
            _("Édité le %(date)s par le CRAtb.")
            % {"date": date_format(timezone.localdate(), "j F Y")},
            small,
        ),
    ]
    doc.build(story)
    return buffer.getvalue()


CSV_COLUMNS = (
    "participant",
    "critere",
    "attendu",
    "conformes",
    "non_conformes",
    "non_renseignes",
    "sans_objet",
    "conformite_pct",
    "ic95_bas",
    "ic95_haut",
)


def _row(name: str, c: Compliance) -> list[Any]:
    return [
        name,
        c.label,
        c.rule,
        c.met,
        c.not_met,
        c.blank,
        c.not_applicable,
        None if c.percent is None else round(c.percent, 1),
        None if c.low is None else round(c.low, 1),
        None if c.high is None else round(c.high, 1),
    ]


def csv_rows(results: CampaignResults, participants: list[ParticipantResults]) -> list[list[Any]]:
    """The region's rows (« Ensemble des participants »), then each participant's."""
    rows = [_row(_("Ensemble des participants"), c) for c in results.region]
    for mine in participants:
        rows += [_row(mine.participant.name, row.mine) for row in mine.rows]
    return rows
