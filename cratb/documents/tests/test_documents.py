"""Each format is written, then opened by a reader of that format: the text, the tables'
French numbers and the chart must be there."""

from __future__ import annotations

import io
import zipfile

import pytest
from docx import Document as read_docx
from odf import teletype
from odf.opendocument import load as load_odt
from odf.table import Table as OdfTable
from odf.table import TableCell, TableRow
from pypdf import PdfReader

from cratb.charts import Bar, ranked_bars
from cratb.documents import (
    ChartBlock,
    Column,
    Document,
    DocumentFormatError,
    Figure,
    FigureList,
    Heading,
    Paragraph,
    Section,
    Table,
    format_of,
    from_dict,
    render,
    to_dict,
)
from cratb.documents.text import pdf_safe

NBSP = "\u00a0"


def _document() -> Document:
    chart = ranked_bars(
        [Bar("Essonne", 18.34, 17.0, 19.6), Bar("Paris", 21.55, 20.1, 23.0)],
        title="Prescriptions par département",
        unit="pour 1000 habitants",
        decimals=1,
        language="fr",
    )
    return Document(
        title="Rapport annuel d'activité 2025",
        subtitle="Centre régional en antibiothérapie",
        notes=("Version 3 — projet",),
        sections=(
            Section(
                "Surveillance",
                (
                    Paragraph("La consommation baisse.\n\nDeuxième paragraphe, accentué : é."),
                    Heading("Chiffres clés"),
                    FigureList(
                        (
                            Figure("Demandes d'avis", 12345),
                            Figure("Réponses dans le délai", 87.25, "%", 1),
                            Figure("Sans donnée", None),
                        )
                    ),
                    Table(
                        (
                            Column("Département"),
                            Column("Valeur", 1),
                            Column("Effectif", 0),
                        ),
                        (("Paris", 21.55, 1200), ("Essonne", None, 3)),
                        caption="Par département",
                    ),
                    ChartBlock(chart, caption="Source : publication du 2 mars."),
                ),
            ),
            Section("Conseil", (Paragraph("Texte du conseil."),)),
        ),
    )


def test_pdf_holds_the_text_the_french_numbers_and_the_chart() -> None:
    data = render(_document(), "pdf")
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Rapport annuel d'activité 2025" in text
    assert "1. Surveillance" in text and "2. Conseil" in text
    assert "Deuxième paragraphe, accentué : é." in text
    assert f"12{NBSP}345" in text or "12 345" in text
    assert "87,3 %" in text.replace(NBSP, " ")
    # Table: 21.55 rounds half up to 21,6 (never 21,5); a missing value is « — ».
    assert "21,6" in text and "—" in text
    assert "1 200" in text.replace(NBSP, " ")
    # The chart is drawn as vectors with real text: its labels are in the page's text.
    assert "Prescriptions par département" in text
    assert "18,3" in text
    assert "Source : publication du 2 mars." in text
    assert len(reader.pages) == 3  # title page, one page per section


def test_docx_opens_with_its_headings_tables_and_picture() -> None:
    data = render(_document(), "docx")
    doc = read_docx(io.BytesIO(data))
    paragraphs = [p.text for p in doc.paragraphs]
    assert "Rapport annuel d'activité 2025" in paragraphs
    assert "1. Surveillance" in paragraphs
    assert "Deuxième paragraphe, accentué : é." in paragraphs
    figures, table = doc.tables[0], doc.tables[1]
    assert [c.text for c in figures.rows[0].cells] == ["Demandes d'avis", f"12{NBSP}345"]
    assert figures.rows[1].cells[1].text == f"87,3{NBSP}%"
    assert figures.rows[2].cells[1].text == "—"
    assert [[c.text for c in row.cells] for row in table.rows] == [
        ["Département", "Valeur", "Effectif"],
        ["Paris", "21,6", f"1{NBSP}200"],
        ["Essonne", "—", "3"],
    ]
    assert doc.core_properties.title == "Rapport annuel d'activité 2025"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        pictures = [n for n in archive.namelist() if n.startswith("word/media/")]
        assert len(pictures) == 1
        assert archive.read(pictures[0]).startswith(b"\x89PNG")
        body = archive.read("word/document.xml").decode()
    # The picture carries the chart's text alternative.
    assert 'descr="Classement de 2' in body


def _odt_rows(table: OdfTable) -> list[list[str]]:
    return [
        [teletype.extractText(cell) for cell in row.getElementsByType(TableCell)]
        for row in table.getElementsByType(TableRow)
    ]


def test_odt_opens_with_its_headings_tables_and_picture() -> None:
    data = render(_document(), "odt")
    odt = load_odt(io.BytesIO(data))
    text = teletype.extractText(odt.text)
    assert "Rapport annuel d'activité 2025" in text
    assert "1. Surveillance" in text and "2. Conseil" in text
    assert "Deuxième paragraphe, accentué : é." in text
    figures, table = odt.text.getElementsByType(OdfTable)
    assert _odt_rows(figures)[0] == ["Demandes d'avis", f"12{NBSP}345"]
    assert _odt_rows(figures)[1] == ["Réponses dans le délai", f"87,3{NBSP}%"]
    assert _odt_rows(table) == [
        ["Département", "Valeur", "Effectif"],
        ["Paris", "21,6", f"1{NBSP}200"],
        ["Essonne", "—", "3"],
    ]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        pictures = [n for n in archive.namelist() if n.startswith("Pictures/")]
        assert len(pictures) == 1
        assert archive.read(pictures[0]).startswith(b"\x89PNG")
        assert archive.read("mimetype") == b"application/vnd.oasis.opendocument.text"


def test_english_documents_write_english_numbers() -> None:
    document = Document(
        title="Annual report",
        language="en",
        sections=(Section("Advice", (FigureList((Figure("Requests", 12345.0, "", 1),)),)),),
    )
    doc = read_docx(io.BytesIO(render(document, "docx")))
    assert doc.tables[0].rows[0].cells[1].text == "12,345.0"
    assert "Contents" in [p.text for p in doc.paragraphs]


def test_a_document_goes_to_json_and_back_unchanged() -> None:
    document = _document()
    assert from_dict(to_dict(document)) == document


@pytest.mark.parametrize(
    ("name", "fmt"), [("a.pdf", "pdf"), ("dir/B.DOCX", "docx"), ("rapport.odt", "odt")]
)
def test_the_format_comes_from_the_extension(name: str, fmt: str) -> None:
    assert format_of(name) == fmt


@pytest.mark.parametrize("name", ["rapport.doc", "rapport", "rapport.pdf.txt"])
def test_an_unknown_extension_is_refused_in_french(name: str) -> None:
    with pytest.raises(DocumentFormatError, match=r"extensions acceptées : \.pdf, \.docx ou \.odt"):
        format_of(name)
    with pytest.raises(DocumentFormatError, match="Format non pris en charge"):
        render(_document(), "doc")


def test_a_table_row_of_the_wrong_width_is_refused() -> None:
    with pytest.raises(ValueError, match="2 cells for 1 columns"):
        Table((Column("a"),), (("x", "y"),))


def test_characters_the_pdf_fonts_lack_are_replaced() -> None:
    assert pdf_safe("≥ 65\u202f%") == "≥ 65\u00a0%"
    assert pdf_safe("→ ✓ \u2264") == "-> oui ≤"
    assert pdf_safe("\u4e2d") == "?"
    assert pdf_safe("é — «»") == "é — «»"


def test_a_text_column_of_figures_is_aligned_right_and_kept_in_json() -> None:
    table = Table((Column("Canal"), Column("Délai médian", right=True)), (("Web", "4 h 15"),))
    document = Document(title="T", sections=(Section("S", (table,)),))
    assert from_dict(to_dict(document)) == document
    assert [c.numeric for c in table.columns] == [False, True]
    doc = read_docx(io.BytesIO(render(document, "docx")))
    cell = doc.tables[0].rows[1].cells[1]
    assert cell.text == "4 h 15"
    assert cell.paragraphs[0].alignment is not None  # right, as the numbers


def test_docx_tables_take_the_pdfs_column_widths() -> None:
    """Equal columns cut long names into syllables in Word: a DOCX table has the widths
    the PDF measures from its cells, at the PDF's cell size."""
    from docx.shared import Pt

    from cratb.documents.pdf import CELL_SIZE, WIDTH_MM, column_widths

    long_name = "Consommation d'antibiotiques des établissements de santé"
    block = Table(
        columns=(Column("Indicateur"), Column("Valeur", decimals=1)),
        rows=((long_name, 343.8),),
    )
    document = Document(title="T", sections=(Section("S", (block,)),))
    table = read_docx(io.BytesIO(render(document, "docx"))).tables[0]
    expected = [w * 170 / WIDTH_MM for w in column_widths(block, "fr")]
    got = [table.columns[i].width for i in range(2)]
    assert got[0] > got[1]  # not equal columns
    # Word stores widths in twentieths of a point: equal to within one point.
    assert all(abs(g / Pt(1) - e) < 1 for g, e in zip(got, expected, strict=True)), (got, expected)
    assert table.rows[1].cells[0].paragraphs[0].runs[0].font.size == Pt(CELL_SIZE)
