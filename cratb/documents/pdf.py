"""A document as a printable A4 PDF (reportlab), charts drawn as vectors (svglib)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import reportlab
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.fonts import addMapping
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    PageBreak,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import Table as RLTable

from cratb.charts.numbers import format_number
from cratb.charts.printing import drawing
from cratb.documents.model import (
    Block,
    ChartBlock,
    Document,
    FigureList,
    Heading,
    Paragraph,
    Table,
)
from cratb.documents.text import labels, pdf_safe

__all__ = ["render_pdf"]

MARGIN = 18 * mm
WIDTH_MM = 210 - 2 * 18
INK = colors.HexColor("#1b1f24")
RULE = colors.HexColor("#c9ced6")
HEADER = colors.HexColor("#eef1f5")
MAX_CHART_HEIGHT = 125 * mm
CELL_SIZE = 8.5
CELL_PADDING = 15.0  # left and right padding of a cell (6 + 6), and a little air

#: Bitstream Vera Sans, shipped with ReportLab and embedded in every PDF: unlike the PDF
#: standard Helvetica (WinAnsi only), it draws « ≤ », « ≥ » and « ≠ », which French
#: indicator texts use (« cible ≤ 32 % », « ≥ 65 ans »).
FONT = "CratbSans"
FONT_BOLD = "CratbSans-Bold"


def _register_fonts() -> None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    folder = Path(reportlab.__file__).parent / "fonts"
    pdfmetrics.registerFont(TTFont(FONT, str(folder / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(folder / "VeraBd.ttf")))
    pdfmetrics.registerFont(TTFont(f"{FONT}-Italic", str(folder / "VeraIt.ttf")))
    pdfmetrics.registerFont(TTFont(f"{FONT}-BoldItalic", str(folder / "VeraBI.ttf")))
    addMapping(FONT, 0, 0, FONT)
    addMapping(FONT, 1, 0, FONT_BOLD)
    addMapping(FONT, 0, 1, f"{FONT}-Italic")
    addMapping(FONT, 1, 1, f"{FONT}-BoldItalic")


_register_fonts()


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=base["BodyText"], fontName=FONT, fontSize=10, leading=14)
    return {
        "title": ParagraphStyle(
            "title", parent=base["Title"], fontName=FONT_BOLD, fontSize=20, leading=24
        ),
        "subtitle": ParagraphStyle(
            "subtitle", parent=body, fontSize=13, leading=17, alignment=1, spaceAfter=6
        ),
        "note": ParagraphStyle("note", parent=body, alignment=1, textColor="#4b5563"),
        "h1": ParagraphStyle(
            "h1", parent=base["Heading1"], fontName=FONT_BOLD, fontSize=15, leading=19
        ),
        "h2": ParagraphStyle(
            "h2", parent=base["Heading2"], fontName=FONT_BOLD, fontSize=12, leading=15
        ),
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8.5, leading=11),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5),
        "cell_num": ParagraphStyle(
            "cell_num", parent=body, fontSize=8.5, leading=10.5, alignment=TA_RIGHT
        ),
        "cell_head": ParagraphStyle(
            "cell_head", parent=body, fontName=FONT_BOLD, fontSize=8.5, leading=10.5
        ),
    }


def _p(text: str, style: ParagraphStyle) -> RLParagraph:
    return RLParagraph(escape(pdf_safe(text)), style)


def _table(block: Table, styles: dict[str, ParagraphStyle], language: str) -> list[Any]:
    head = [_p(c.label, styles["cell_head"]) for c in block.columns]
    body = [
        [
            _p(text, styles["cell_num"] if column.numeric else styles["cell"])
            for text, column in zip(row, block.columns, strict=True)
        ]
        for row in block.text_rows(language)
    ]
    widths = column_widths(block, language)
    table = RLTable([head, *body], colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), HEADER),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
                ("LINEBELOW", (0, 1), (-1, -1), 0.3, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    out: list[Any] = [CondPageBreak(35 * mm)]  # never a caption alone at a page's foot
    if block.caption:
        out.append(_p(block.caption, styles["h2"]))
    out += [table, Spacer(1, 4 * mm)]
    return out


def column_widths(block: Table, language: str) -> list[float]:
    """Column widths (points) from what they hold: a column of numbers as wide as its
    longest number or header word; text columns share the rest in proportion to their
    longest cell, never narrower than their longest word (no word is cut)."""
    rows = block.text_rows(language)
    available = WIDTH_MM * mm

    def width(text: str, *, bold: bool = False) -> float:
        font = FONT_BOLD if bold else FONT
        return float(stringWidth(pdf_safe(text), font, CELL_SIZE)) + CELL_PADDING

    natural, smallest = [], []
    for index, column in enumerate(block.columns):
        cells = [row[index] for row in rows]
        words = [w for text in cells for w in text.split()]
        header = max((width(w, bold=True) for w in column.label.split()), default=CELL_PADDING)
        longest = max((width(text) for text in cells), default=CELL_PADDING)
        natural.append(max(longest, header))
        smallest.append(
            max([header, *(width(w) for w in words)]) if not column.numeric else natural[-1]
        )
    if sum(natural) <= available:
        return [w * available / sum(natural) for w in natural]
    fixed = sum(natural[i] for i, c in enumerate(block.columns) if c.numeric)
    text = [i for i, c in enumerate(block.columns) if not c.numeric]
    share = available - fixed
    out = list(natural)
    total = sum(natural[i] for i in text)
    least = sum(smallest[i] for i in text)
    if text and share > least:
        # Each text column gets its longest word, then a part of what is left in
        # proportion to how much longer its longest cell is.
        spare = total - least
        for i in text:
            extra = (natural[i] - smallest[i]) / spare if spare else 1 / len(text)
            out[i] = smallest[i] + (share - least) * extra
    scale = available / sum(out)
    return [w * scale for w in out] if scale < 1 else out


def _figures(block: FigureList, styles: dict[str, ParagraphStyle], language: str) -> list[Any]:
    rows = []
    for item in block.items:
        label = item.label + (f" ({item.note})" if item.note else "")
        rows.append([_p(label, styles["body"]), _p(item.text(language), styles["h2"])])
    table = RLTable(rows, colWidths=[WIDTH_MM * 0.68 * mm, WIDTH_MM * 0.32 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    out: list[Any] = []
    if block.title:
        out.append(_p(block.title, styles["h2"]))
    out += [table, Spacer(1, 4 * mm)]
    return out


def _chart(block: ChartBlock, styles: dict[str, ParagraphStyle]) -> list[Any]:
    picture = drawing(block.chart, width_mm=WIDTH_MM)
    if picture.height > MAX_CHART_HEIGHT:  # a tall map: as high as fits with its key
        picture = drawing(block.chart, width_mm=WIDTH_MM * MAX_CHART_HEIGHT / picture.height)
        picture.hAlign = "LEFT"
    parts: list[Any] = [_p(block.chart.title, styles["h2"]), picture]
    if block.chart.key:
        parts.append(_p(block.chart.key, styles["small"]))
    if block.caption:
        parts.append(_p(block.caption, styles["small"]))
    return [CondPageBreak(60 * mm), KeepTogether(parts), Spacer(1, 4 * mm)]


def _block(block: Block, styles: dict[str, ParagraphStyle], language: str) -> list[Any]:
    if isinstance(block, Paragraph):
        return [_p(text, styles["body"]) for text in block.paragraphs()]
    if isinstance(block, Heading):
        return [CondPageBreak(30 * mm), _p(block.text, styles["h2"])]
    if isinstance(block, FigureList):
        return _figures(block, styles, language)
    if isinstance(block, Table):
        return _table(block, styles, language)
    return _chart(block, styles)


def render_pdf(document: Document) -> bytes:
    styles = _styles()
    words = labels(document.language)
    story: list[Any] = [Spacer(1, 40 * mm), _p(document.title, styles["title"])]
    if document.subtitle:
        story.append(_p(document.subtitle, styles["subtitle"]))
    story += [_p(note, styles["note"]) for note in document.notes]
    if document.sections:
        story += [Spacer(1, 12 * mm), _p(words["contents"], styles["h2"])]
        story += [
            _p(f"{number}. {section.title}", styles["body"])
            for number, section in enumerate(document.sections, start=1)
        ]
    for number, section in enumerate(document.sections, start=1):
        story += [PageBreak(), _p(f"{number}. {section.title}", styles["h1"])]
        for block in section.blocks:
            story += _block(block, styles, document.language)

    footer = " — ".join(
        part
        for part in (
            document.title,
            document.footer,
            document.dated and f"{words['dated']} {document.dated:%d/%m/%Y}",
        )
        if part
    )

    def on_page(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(colors.HexColor("#4b5563"))
        canvas.drawString(MARGIN, 10 * mm, pdf_safe(footer))
        page = format_number(doc.page, decimals=0, language=document.language)
        canvas.drawRightString(A4[0] - MARGIN, 10 * mm, f"{words['page']} {page}")
        canvas.restoreState()

    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        title=pdf_safe(document.title),
        author="cratb",
        lang=document.language,
    )
    template.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()
