"""The cumulative antibiogram as a file a clinician prints or a data manager reuses.

- CSV: one row per organism × antibiotic (counts, % S with its Wilson 95 % interval,
  % I, % R, low_count, intrinsic, the first-isolate rule), in the contract's dialect for
  the command line and the French one for the web pages;
- Excel: the table (organisms in rows, antibiotics in columns, % S), shaded, cells with
  too few isolates in grey italics with an asterisk, then the counts and the method;
- PDF: the same table on landscape A4 pages, with the method under it.

Every cell is written by the project's one writer (:mod:`cratb.engine.tabular`): an
organism or antibiotic name that a spreadsheet would run is neutralised.

Shading follows the usual antibiogram reading: % S ≥ 90 green, 70–89 amber, < 70 red.
An expected resistant phenotype (EUCAST) is written « RN » (résistance naturelle), in
grey, never as a rate; its counts stay in the CSV and the « Effectifs » sheet.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from pathlib import Path

from cratb.engine.antibiogram import Antibiogram, Cell
from cratb.engine.tabular import CONTRACT, Dialect, csv_bytes, put

__all__ = ["FORMATS", "to_csv", "to_pdf", "to_xlsx", "write"]

FORMATS = ("csv", "xlsx", "pdf")
GREEN, AMBER, RED, GREY = "C8E6C9", "FFE0B2", "FFCDD2", "EEEEEE"
#: Antibiotics per printed table (a wider panel is printed as several tables).
PDF_COLUMNS = 14
INTRINSIC = "RN"


def _shade(cell: Cell) -> str:
    if cell.low_count or cell.intrinsic:
        return GREY
    pct = cell.pct_susceptible
    return GREEN if pct >= 90 else AMBER if pct >= 70 else RED


def _pct(value: float) -> str:
    return "" if math.isnan(value) else f"{value:.0f}"


def _label(cell: Cell | None) -> str:
    if cell is None:
        return ""
    if cell.intrinsic:
        return INTRINSIC
    return _pct(cell.pct_susceptible) + ("*" if cell.low_count else "")


def _label_with_interval(cell: Cell | None) -> str:
    """The printed cell: % S, then its 95 % interval on a second line."""
    if cell is None or cell.intrinsic or math.isnan(cell.pct_susceptible):
        return _label(cell)
    low, high = cell.ci
    return f"{_label(cell)}\n{low:.0f}–{high:.0f}"


def _one_decimal(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 1)


#: The CSV's column names on the French pages (the command line keeps the contract's).
CSV_COLUMNS_FR = {
    "setting": "lieu de vie", "specimen": "prélèvement", "date_from": "du", "date_to": "au",
    "organism": "espèce", "first_isolates": "premiers isolats", "antibiotic": "antibiotique",
    "antibiotic_name": "nom de l'antibiotique", "tested": "testés", "susceptible": "S",
    "intermediate": "I", "resistant": "R", "pct_susceptible": "% S",
    "pct_susceptible_increased": "% S + I", "low_count": "effectif faible",
    "ci_low": "IC 95 % bas", "ci_high": "IC 95 % haut", "pct_resistant": "% R",
    "intrinsic": "résistance naturelle", "first_isolate_method": "règle du premier isolat",
}  # fmt: skip


def to_csv(
    ab: Antibiogram, *, dialect: Dialect = CONTRACT, labels: Mapping[str, str] | None = None
) -> bytes:
    """The table in long form; the web pages ask for the French dialect, and the French
    pages for the French column names (``labels=CSV_COLUMNS_FR``)."""
    columns = [
        "setting", "specimen", "date_from", "date_to", "organism", "first_isolates",
        "antibiotic", "antibiotic_name", "tested", "susceptible", "intermediate",
        "resistant", "pct_susceptible", "pct_susceptible_increased", "low_count",
        "ci_low", "ci_high", "pct_resistant", "intrinsic", "first_isolate_method",
    ]  # fmt: skip
    rows = []
    for organism in ab.organisms:
        for code in ab.antibiotics:
            cell = ab.cell(organism, code)
            if cell is None:
                continue
            rows.append(
                [
                    ab.setting, ab.specimen or "", ab.date_from, ab.date_to, organism,
                    ab.first_isolates[organism], code, cell.name, cell.tested,
                    cell.susceptible, cell.intermediate, cell.resistant,
                    _one_decimal(cell.pct_susceptible),
                    _one_decimal(cell.pct_susceptible_increased), cell.low_count,
                    _one_decimal(cell.ci[0]), _one_decimal(cell.ci[1]),
                    _one_decimal(cell.pct_resistant), cell.intrinsic, ab.first_isolate,
                ]
            )  # fmt: skip
    header = [labels.get(c, c) for c in columns] if labels else columns
    return csv_bytes(header, rows, dialect=dialect)


def to_xlsx(ab: Antibiogram) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "Antibiogramme"
    put(sheet, 1, 1, ab.title).font = Font(bold=True, size=14)
    put(sheet, 2, 1, ab.subtitle)
    codes = ab.antibiotics
    header = 4
    put(sheet, header, 1, "Espèce").font = Font(bold=True)
    put(sheet, header, 2, "Premiers isolats").font = Font(bold=True)
    for j, code in enumerate(codes, start=3):
        head = put(sheet, header, j, code)
        head.font = Font(bold=True)
        head.alignment = Alignment(horizontal="center")
    for i, organism in enumerate(ab.organisms, start=header + 1):
        put(sheet, i, 1, organism).font = Font(italic=True)
        put(sheet, i, 2, ab.first_isolates[organism])
        for j, code in enumerate(codes, start=3):
            cell = ab.cell(organism, code)
            if cell is None:
                continue
            if cell.low_count or cell.intrinsic:
                target = put(sheet, i, j, _label(cell))
                target.font = Font(italic=True, color="666666")
            else:
                pct = cell.pct_susceptible
                target = put(sheet, i, j, None if math.isnan(pct) else round(pct))
            target.fill = PatternFill("solid", fgColor=_shade(cell))
            target.alignment = Alignment(horizontal="center")
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 16
    for j in range(3, len(codes) + 3):
        sheet.column_dimensions[get_column_letter(j)].width = 6
    row = header + len(ab.organisms) + 2
    names = {c.antibiotic: c.name for c in ab.cells}
    put(sheet, row, 1, "Antibiotiques : " + ", ".join(f"{c} = {names[c]}" for c in codes))
    for k, line in enumerate(ab.method, start=1):
        put(sheet, row + k, 1, line)
    counts = book.create_sheet("Effectifs")
    columns = [
        "Espèce", "Code", "Antibiotique", "Testés", "S", "I", "R", "% S (S + I)",
        "IC 95 % bas", "IC 95 % haut", "Effectif faible", "Résistance naturelle",
    ]  # fmt: skip
    for j, name in enumerate(columns, start=1):
        put(counts, 1, j, name)
    line_number = 1
    for organism in ab.organisms:
        for code in codes:
            cell = ab.cell(organism, code)
            if cell is not None:
                line_number += 1
                values = [organism, code, cell.name, cell.tested, cell.susceptible,
                          cell.intermediate, cell.resistant, _one_decimal(cell.pct_susceptible),
                          _one_decimal(cell.ci[0]), _one_decimal(cell.ci[1]),
                          "oui" if cell.low_count else "non",
                          "oui" if cell.intrinsic else "non"]  # fmt: skip
                for j, value in enumerate(values, start=1):
                    put(counts, line_number, j, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_pdf(ab: Antibiogram) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=f"{ab.title} - {ab.subtitle}",
        author="cratb",
    )
    codes = ab.antibiotics
    available = landscape(A4)[0] - 24 * mm
    first = min(55 * mm, available * 0.3)
    # At most PDF_COLUMNS antibiotics per table, so that each cell has room for its
    # percentage and its interval: a wide panel is printed as several tables.
    chunks = [codes[k : k + PDF_COLUMNS] for k in range(0, len(codes), PDF_COLUMNS)] or [[]]
    tables = []
    for chunk in chunks:
        data: list[list[str]] = [["Espèce", "n", *chunk]]
        style = [
            ("FONT", (0, 0), (-1, -1), "Helvetica", 7),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
            ("FONT", (0, 1), (0, -1), "Helvetica-Oblique", 8),
            ("ALIGN", (1, 0), (-1, -1), "CENTER"),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDDDDD")),
            ("REPEATROWS", (0, 0), (-1, 0)),
        ]
        for i, organism in enumerate(ab.organisms, start=1):
            row = [organism, str(ab.first_isolates[organism])]
            for j, code in enumerate(chunk, start=2):
                cell = ab.cell(organism, code)
                row.append(_label_with_interval(cell))
                if cell is not None:
                    shade = colors.HexColor("#" + _shade(cell))
                    style.append(("BACKGROUND", (j, i), (j, i), shade))
                    if cell.low_count or cell.intrinsic:
                        style.append(("TEXTCOLOR", (j, i), (j, i), colors.HexColor("#555555")))
            data.append(row)
        other = (available - first - 10 * mm) / PDF_COLUMNS
        table = Table(data, colWidths=[first, 10 * mm, *([min(other, 15 * mm)] * len(chunk))])
        table.setStyle(TableStyle(style))
        table.hAlign = "LEFT"
        tables += [table, Spacer(1, 3 * mm)]
    names = {c.antibiotic: c.name for c in ab.cells}
    story = [
        Paragraph(ab.title, styles["Title"]),
        Paragraph(ab.subtitle, styles["Heading2"]),
        Paragraph(
            "Pourcentage de souches sensibles (% S, S ou I), puis son intervalle de confiance"
            " à 95 % (Wilson). Vert : 90 % ou plus ; orange : 70 à 89 % ; rouge : moins de"
            " 70 % ; RN : résistance naturelle (EUCAST), pas de taux.",
            styles["Normal"],
        ),
        Spacer(1, 4 * mm),
        *tables,
        Spacer(1, 1 * mm),
        Paragraph(
            "Antibiotiques : " + " ; ".join(f"{c} = {names[c]}" for c in codes), styles["Normal"]
        ),
        *(Paragraph(line, styles["Normal"]) for line in ab.method),
        Paragraph(
            f"Édité le {ab.generated_at:%d/%m/%Y} par cratb (entrepôt régional).",
            styles["Italic"],
        ),
    ]
    if not ab.organisms:
        story[4:6] = [Paragraph("Aucun isolat pour cette période et ce secteur.", styles["Normal"])]
    doc.build(story)
    return out.getvalue()


def write(ab: Antibiogram, path: Path) -> str:
    """Write ``ab`` to ``path`` in the format its suffix names; returns the format."""
    kind = path.suffix.lower().lstrip(".")
    if kind not in FORMATS:
        raise ValueError(
            f"format de sortie inconnu « {path.suffix} » ; formats admis : .csv, .xlsx, .pdf"
        )
    if kind == "csv":
        path.write_bytes(to_csv(ab, dialect=CONTRACT))
    elif kind == "xlsx":
        path.write_bytes(to_xlsx(ab))
    else:
        path.write_bytes(to_pdf(ab))
    return kind
