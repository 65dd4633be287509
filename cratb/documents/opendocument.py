"""A document as an editable OpenDocument text (ODT, odfpy): headings, text, tables with
numbers aligned right, charts as PNG pictures with their title and key."""

from __future__ import annotations

import io
import struct

from odf.draw import Frame, Image
from odf.opendocument import OpenDocumentText
from odf.style import (
    FontFace,
    GraphicProperties,
    ParagraphProperties,
    Style,
    TableCellProperties,
    TableColumnProperties,
    TableProperties,
    TextProperties,
)
from odf.svg import Desc
from odf.table import Table as OdfTable
from odf.table import TableCell, TableColumn, TableHeaderRows, TableRow
from odf.text import H, P

from cratb.documents.model import (
    Block,
    ChartBlock,
    Column,
    Document,
    FigureList,
    Heading,
    Paragraph,
    Table,
)
from cratb.documents.text import labels

__all__ = ["render_odt"]

WIDTH_CM = 17.0
FONT = "Liberation Sans"


class _Styles:
    def __init__(self, odt: OpenDocumentText) -> None:
        odt.fontfacedecls.addElement(
            FontFace(name=FONT, fontfamily=f"'{FONT}'", fontfamilygeneric="swiss")
        )

        def paragraph(name: str, *, size: str, bold: bool = False, **extra: str) -> Style:
            style = Style(name=name, family="paragraph")
            text = {"fontsize": size, "fontname": FONT}
            if bold:
                text["fontweight"] = "bold"
            style.addElement(TextProperties(**text))
            style.addElement(ParagraphProperties(**extra))
            odt.styles.addElement(style)
            return style

        self.title = paragraph("Title", size="20pt", bold=True, textalign="center")
        self.subtitle = paragraph("Subtitle", size="13pt", textalign="center")
        self.note = paragraph("Note", size="10pt", textalign="center")
        self.body = paragraph("Body", size="10pt", marginbottom="0.2cm")
        self.small = paragraph("Small", size="8.5pt", marginbottom="0.2cm")
        self.cell = paragraph("Cell", size="8.5pt")
        self.cell_num = paragraph("CellNumber", size="8.5pt", textalign="end")
        self.cell_head = paragraph("CellHead", size="8.5pt", bold=True)
        self.figure_value = paragraph("FigureValue", size="11pt", bold=True, textalign="end")
        self.h1 = paragraph(
            "Heading_20_1", size="15pt", bold=True, margintop="0.4cm", marginbottom="0.2cm"
        )
        self.h2 = paragraph(
            "Heading_20_2", size="12pt", bold=True, margintop="0.3cm", marginbottom="0.15cm"
        )
        self.h3 = paragraph(
            "Heading_20_3", size="10.5pt", bold=True, margintop="0.2cm", marginbottom="0.1cm"
        )
        self.break_before = Style(
            name="PageBreakHeading", family="paragraph", parentstylename=self.h1
        )
        self.break_before.addElement(ParagraphProperties(breakbefore="page"))
        odt.automaticstyles.addElement(self.break_before)

        self.table = Style(name="Table", family="table")
        self.table.addElement(TableProperties(width=f"{WIDTH_CM}cm", align="left"))
        odt.automaticstyles.addElement(self.table)
        self.cell_box = Style(name="TableCell", family="table-cell")
        self.cell_box.addElement(
            TableCellProperties(border="0.5pt solid #c9ced6", padding="0.08cm")
        )
        odt.automaticstyles.addElement(self.cell_box)
        self.head_box = Style(name="TableHeadCell", family="table-cell")
        self.head_box.addElement(
            TableCellProperties(
                border="0.5pt solid #1b1f24", padding="0.08cm", backgroundcolor="#eef1f5"
            )
        )
        odt.automaticstyles.addElement(self.head_box)
        self.picture = Style(name="Picture", family="graphic")
        self.picture.addElement(
            GraphicProperties(anchortype="as-char", verticalpos="top", verticalrel="baseline")
        )
        odt.automaticstyles.addElement(self.picture)
        self.columns: dict[str, Style] = {}
        self._odt = odt

    def column(self, width_cm: float) -> Style:
        key = f"{width_cm:.2f}"
        if key not in self.columns:
            style = Style(name=f"Col{len(self.columns)}", family="table-column")
            style.addElement(TableColumnProperties(columnwidth=f"{width_cm:.2f}cm"))
            self._odt.automaticstyles.addElement(style)
            self.columns[key] = style
        return self.columns[key]


def _cell(text: str, *, style: Style, box: Style) -> TableCell:
    cell = TableCell(stylename=box, valuetype="string")
    cell.addElement(P(stylename=style, text=text))
    return cell


def _table(
    styles: _Styles, name: str, columns: tuple[Column, ...], header: bool, rows: list[list[str]]
) -> OdfTable:
    table = OdfTable(name=name, stylename=styles.table)
    width = WIDTH_CM / max(len(columns), 1)
    for _column in columns:
        table.addElement(TableColumn(stylename=styles.column(width)))
    if header:
        head = TableHeaderRows()
        row = TableRow()
        for column in columns:
            row.addElement(_cell(column.label, style=styles.cell_head, box=styles.head_box))
        head.addElement(row)
        table.addElement(head)
    for values in rows:
        row = TableRow()
        for text, column in zip(values, columns, strict=True):
            style = styles.cell_num if column.numeric else styles.cell
            row.addElement(_cell(text, style=style, box=styles.cell_box))
        table.addElement(row)
    return table


def _png_size(png: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", png[16:24])
    return width, height


class _Writer:
    def __init__(self, document: Document) -> None:
        self.document = document
        self.odt = OpenDocumentText()
        self.styles = _Styles(self.odt)
        self.tables = 0
        self.pictures = 0

    def add(self, element: object) -> None:
        self.odt.text.addElement(element)

    def block(self, block: Block) -> None:
        language = self.document.language
        if isinstance(block, Paragraph):
            for text in block.paragraphs():
                self.add(P(stylename=self.styles.body, text=text))
        elif isinstance(block, Heading):
            self.add(H(outlinelevel=2, stylename=self.styles.h2, text=block.text))
        elif isinstance(block, FigureList):
            if block.title:
                self.add(H(outlinelevel=3, stylename=self.styles.h3, text=block.title))
            self.tables += 1
            columns = (Column("", None), Column("", 0))
            rows = [
                [item.label + (f" ({item.note})" if item.note else ""), item.text(language)]
                for item in block.items
            ]
            self.add(_table(self.styles, f"Chiffres{self.tables}", columns, False, rows))
            self.add(P(stylename=self.styles.body))
        elif isinstance(block, Table):
            if block.caption:
                self.add(H(outlinelevel=3, stylename=self.styles.h3, text=block.caption))
            self.tables += 1
            self.add(
                _table(
                    self.styles,
                    f"Tableau{self.tables}",
                    block.columns,
                    True,
                    block.text_rows(language),
                )
            )
            self.add(P(stylename=self.styles.body))
        else:
            self.chart(block)

    def chart(self, block: ChartBlock) -> None:
        self.add(H(outlinelevel=3, stylename=self.styles.h3, text=block.chart.title))
        png = block.chart.png()
        width, height = _png_size(png)
        self.pictures += 1
        href = self.odt.addPicture(f"Pictures/chart{self.pictures}.png", "image/png", png)
        frame = Frame(
            stylename=self.styles.picture,
            width=f"{WIDTH_CM}cm",
            height=f"{WIDTH_CM * height / width:.2f}cm",
            anchortype="as-char",
            name=f"Graphique{self.pictures}",
        )
        frame.addElement(Image(href=href))
        frame.addElement(Desc(text=block.chart.description))
        holder = P(stylename=self.styles.body)
        holder.addElement(frame)
        self.add(holder)
        for text in (block.chart.key, block.caption):
            if text:
                self.add(P(stylename=self.styles.small, text=text))

    def write(self) -> bytes:
        document = self.document
        words = labels(document.language)
        self.add(P(stylename=self.styles.title, text=document.title))
        if document.subtitle:
            self.add(P(stylename=self.styles.subtitle, text=document.subtitle))
        for note in document.notes:
            self.add(P(stylename=self.styles.note, text=note))
        if document.sections:
            self.add(H(outlinelevel=2, stylename=self.styles.h2, text=words["contents"]))
            for number, section in enumerate(document.sections, start=1):
                self.add(P(stylename=self.styles.body, text=f"{number}. {section.title}"))
        for number, section in enumerate(document.sections, start=1):
            self.add(
                H(
                    outlinelevel=1,
                    stylename=self.styles.break_before,
                    text=f"{number}. {section.title}",
                )
            )
            for block in section.blocks:
                self.block(block)
        buffer = io.BytesIO()
        self.odt.save(buffer)
        return buffer.getvalue()


def render_odt(document: Document) -> bytes:
    return _Writer(document).write()
