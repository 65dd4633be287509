"""Documents: a small neutral model of a report (title, sections, paragraphs, key figures,
tables, charts) written as a printable PDF (reportlab, charts as vectors through
:mod:`cratb.charts.printing`) or as an editable DOCX (python-docx) or ODT (odfpy) document
(charts as PNG pictures).

Pure Python: no Django, nothing of the web apps nor of the engine (import-linter
contract), like :mod:`cratb.charts`, so the web, the command line and the engine's exports
can all print with it. Numbers are written by the one formatter of the charts
(:mod:`cratb.charts.numbers`): French decimal comma, grouped thousands. See
docs/documents.md.

    from cratb.documents import Document, Section, Paragraph, render
    data = render(Document(title="Rapport", sections=(...)), "pdf")
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath

from cratb.documents.model import (
    Block,
    Cell,
    ChartBlock,
    Column,
    Document,
    Figure,
    FigureList,
    Heading,
    Paragraph,
    Section,
    Table,
    from_dict,
    to_dict,
)

__all__ = [
    "FORMATS",
    "Block",
    "Cell",
    "ChartBlock",
    "Column",
    "Document",
    "DocumentFormatError",
    "Figure",
    "FigureList",
    "Heading",
    "Paragraph",
    "Section",
    "Table",
    "content_type",
    "format_of",
    "from_dict",
    "render",
    "to_dict",
]

#: The formats written, and their MIME types.
FORMATS: dict[str, str] = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
}


class DocumentFormatError(ValueError):
    """A format (or file extension) that is not one of :data:`FORMATS`; its message is a
    French sentence for the user."""


def format_of(path: str | PurePath) -> str:
    """The format named by a file's extension (``rapport.odt`` → ``odt``)."""
    suffix = PurePath(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise DocumentFormatError(
            f"Format de fichier non pris en charge : « {PurePath(path).name} » "
            "(extensions acceptées : .pdf, .docx ou .odt)."
        )
    return suffix


def content_type(fmt: str) -> str:
    if fmt not in FORMATS:
        raise DocumentFormatError(
            f"Format non pris en charge : « {fmt} » (formats acceptés : pdf, docx, odt)."
        )
    return FORMATS[fmt]


def _renderer(fmt: str) -> Callable[[Document], bytes]:
    content_type(fmt)
    # Each writer is imported only when used (python-docx and odfpy are slow to import).
    if fmt == "pdf":
        from cratb.documents.pdf import render_pdf

        return render_pdf
    if fmt == "docx":
        from cratb.documents.word import render_docx

        return render_docx
    from cratb.documents.opendocument import render_odt

    return render_odt


def render(document: Document, fmt: str) -> bytes:
    """The document written as ``fmt`` (``pdf``, ``docx`` or ``odt``)."""
    return _renderer(fmt)(document)
