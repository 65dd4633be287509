"""A document as an editable Word file (DOCX, python-docx): headings, text, tables with
numbers aligned right, charts as PNG pictures with their title and key."""

from __future__ import annotations

import io

from docx import Document as new_docx
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Cm, Pt

from cratb.documents.model import (
    Block,
    ChartBlock,
    Document,
    FigureList,
    Heading,
    Paragraph,
    Table,
)
from cratb.documents.pdf import CELL_SIZE, WIDTH_MM, column_widths
from cratb.documents.text import labels

__all__ = ["render_docx"]

WIDTH_CM = 17.0


def _add_table(doc: DocxDocument, block: Table, language: str) -> None:
    if block.caption:
        doc.add_heading(block.caption, level=3)
    table = doc.add_table(rows=1, cols=len(block.columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    for cell, column in zip(table.rows[0].cells, block.columns, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(column.label)
        run.bold = True
    for row in block.text_rows(language):
        cells = table.add_row().cells
        for cell, text, column in zip(cells, row, block.columns, strict=True):
            cell.text = text
            if column.numeric:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    # The PDF's column widths (from what each column holds, no word cut), scaled to the
    # page: equal columns squeezed the indicators' names into one syllable per line.
    widths = [w * WIDTH_CM * 10 / WIDTH_MM for w in column_widths(block, language)]
    table.autofit = False
    for column_cells, width in zip(table.columns, widths, strict=True):
        column_cells.width = Pt(width)
        for cell in column_cells.cells:
            cell.width = Pt(width)
            # The PDF's cell size, for which those widths were measured.
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(CELL_SIZE)
    doc.add_paragraph()


def _add_figures(doc: DocxDocument, block: FigureList, language: str) -> None:
    if block.title:
        doc.add_heading(block.title, level=3)
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for item in block.items:
        left, right = table.add_row().cells
        left.text = item.label + (f" ({item.note})" if item.note else "")
        right.text = ""
        run = right.paragraphs[0].add_run(item.text(language))
        run.bold = True
        right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.add_paragraph()


def _add_chart(doc: DocxDocument, block: ChartBlock) -> None:
    doc.add_heading(block.chart.title, level=3)
    doc.add_picture(io.BytesIO(block.chart.png()), width=Cm(WIDTH_CM))
    picture = doc.paragraphs[-1]
    # The text alternative of the picture, for screen readers.
    for prop in picture._p.iter():
        if prop.tag.endswith("}docPr"):
            prop.set("descr", block.chart.description)
    for text in (block.chart.key, block.caption):
        if text:
            paragraph = doc.add_paragraph(text)
            for run in paragraph.runs:
                run.font.size = Pt(8.5)


def _add_block(doc: DocxDocument, block: Block, language: str) -> None:
    if isinstance(block, Paragraph):
        for text in block.paragraphs():
            doc.add_paragraph(text)
    elif isinstance(block, Heading):
        doc.add_heading(block.text, level=2)
    elif isinstance(block, FigureList):
        _add_figures(doc, block, language)
    elif isinstance(block, Table):
        _add_table(doc, block, language)
    else:
        _add_chart(doc, block)


def render_docx(document: Document) -> bytes:
    words = labels(document.language)
    doc = new_docx()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    doc.styles["Normal"].font.name = "Liberation Sans"
    doc.styles["Normal"].font.size = Pt(10)
    doc.core_properties.title = document.title
    doc.core_properties.language = document.language
    doc.core_properties.author = "cratb"
    footer = " — ".join(
        p
        for p in (
            document.title,
            document.footer,
            document.dated and f"{words['dated']} {document.dated:%d/%m/%Y}",
        )
        if p
    )
    section.footer.paragraphs[0].text = footer

    doc.add_heading(document.title, level=0)
    if document.subtitle:
        doc.add_paragraph(document.subtitle, style="Subtitle")
    for note in document.notes:
        doc.add_paragraph(note)
    if document.sections:
        doc.add_heading(words["contents"], level=2)
        for number, part in enumerate(document.sections, start=1):
            doc.add_paragraph(f"{number}. {part.title}")
    for number, part in enumerate(document.sections, start=1):
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        doc.add_heading(f"{number}. {part.title}", level=1)
        for block in part.blocks:
            _add_block(doc, block, document.language)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
