"""The neutral document model: what a report says, before it is drawn as PDF, DOCX or ODT.

A :class:`Document` is a title and :class:`Section` objects; a section holds *blocks*:
:class:`Paragraph` (plain text, paragraphs split on blank lines), :class:`Heading` (a
sub-heading), :class:`FigureList` (key figures: a label, a number and its unit),
:class:`Table` (columns that say how their numbers are written) and :class:`ChartBlock`
(a :class:`cratb.charts.Chart`: its Vega-Lite specification, drawn by each renderer).

Numbers stay numbers here: each renderer writes them with the one formatter of tables and
charts (:mod:`cratb.charts.numbers`), in the document's language (French: decimal comma,
no-break space between thousands). Everything is a frozen dataclass of plain values, so a
document turns into JSON and back (:func:`to_dict`, :func:`from_dict`): a validated report
keeps the document it printed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cratb.charts.core import Chart
from cratb.charts.numbers import EMPTY, format_number

__all__ = [
    "Block",
    "Cell",
    "ChartBlock",
    "Column",
    "Document",
    "Figure",
    "FigureList",
    "Heading",
    "Paragraph",
    "Section",
    "Table",
    "format_cell",
    "from_dict",
    "to_dict",
]

#: A table cell: text, a number (written with its column's decimals) or nothing (« — »).
Cell = str | int | float | None


@dataclass(frozen=True)
class Paragraph:
    """Plain text; blank lines separate paragraphs (no markup is interpreted)."""

    text: str

    def paragraphs(self) -> list[str]:
        parts = [" ".join(p.split()) for p in self.text.replace("\r\n", "\n").split("\n\n")]
        return [p for p in parts if p]


@dataclass(frozen=True)
class Heading:
    """A sub-heading inside a section."""

    text: str


@dataclass(frozen=True)
class Figure:
    """One key figure: « Demandes d'avis reçues : 1 234 »."""

    label: str
    value: int | float | str | None
    unit: str = ""
    decimals: int = 0
    note: str = ""

    def text(self, language: str) -> str:
        """The value as written, with its unit (« 62,5 % », « 1 234 demandes »)."""
        if self.value is None:
            return EMPTY
        if isinstance(self.value, str):
            written = self.value
        else:
            written = format_number(self.value, decimals=self.decimals, language=language)
        if not self.unit:
            return written
        return f"{written}\u00a0{self.unit}" if self.unit != "%" else f"{written}\u00a0%"


@dataclass(frozen=True)
class FigureList:
    items: tuple[Figure, ...]
    title: str = ""


@dataclass(frozen=True)
class Column:
    """A table column; ``decimals`` None: a text column, else its numbers' decimals."""

    label: str
    decimals: int | None = None
    #: A text column of values written elsewhere (« 4 h 15 »), aligned as numbers.
    right: bool = False

    @property
    def numeric(self) -> bool:
        """Aligned right: numbers, and text columns marked ``right``."""
        return self.decimals is not None or self.right


@dataclass(frozen=True)
class Table:
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    caption: str = ""

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(f"A row has {len(row)} cells for {len(self.columns)} columns")

    def text_rows(self, language: str) -> list[list[str]]:
        """Every cell as written (numbers by the one formatter)."""
        return [
            [
                format_cell(cell, column, language)
                for cell, column in zip(row, self.columns, strict=True)
            ]
            for row in self.rows
        ]


@dataclass(frozen=True)
class ChartBlock:
    """A chart; the renderers print its title, the drawing, then its key and caption."""

    chart: Chart
    caption: str = ""


Block = Paragraph | Heading | FigureList | Table | ChartBlock


@dataclass(frozen=True)
class Section:
    title: str
    blocks: tuple[Block, ...] = ()


@dataclass(frozen=True)
class Document:
    title: str
    sections: tuple[Section, ...] = ()
    subtitle: str = ""
    #: Lines printed under the title (author, data date, status).
    notes: tuple[str, ...] = ()
    language: str = "fr"
    #: The date printed in the footer of each page (the data's date for a frozen report).
    dated: date | None = None
    #: Printed in the footer of each page (e.g. « Projet » for a draft).
    footer: str = field(default="")


def format_cell(cell: Cell, column: Column, language: str) -> str:
    if cell is None:
        return EMPTY
    if isinstance(cell, bool):  # a bool is an int: write it as text
        return str(cell)
    if isinstance(cell, (int, float)) and column.decimals is not None:
        return format_number(cell, decimals=column.decimals, language=language)
    return str(cell)


# --- JSON ---------------------------------------------------------------------------

_KINDS: dict[str, type[Any]] = {
    "paragraph": Paragraph,
    "heading": Heading,
    "figures": FigureList,
    "table": Table,
    "chart": ChartBlock,
}
_NAMES = {kind: name for name, kind in _KINDS.items()}


def _chart_dict(chart: Chart) -> dict[str, Any]:
    return {
        "kind": chart.kind,
        "title": chart.title,
        "description": chart.description,
        "wide": chart.wide,
        "narrow": chart.narrow,
        "key": chart.key,
        "labels": list(chart.labels),
    }


def block_to_dict(block: Block) -> dict[str, Any]:
    name = _NAMES[type(block)]
    if isinstance(block, Paragraph | Heading):
        return {"type": name, "text": block.text}
    if isinstance(block, FigureList):
        return {
            "type": name,
            "title": block.title,
            "items": [
                {
                    "label": f.label,
                    "value": f.value,
                    "unit": f.unit,
                    "decimals": f.decimals,
                    "note": f.note,
                }
                for f in block.items
            ],
        }
    if isinstance(block, Table):
        return {
            "type": name,
            "caption": block.caption,
            "columns": [
                {"label": c.label, "decimals": c.decimals, "right": c.right} for c in block.columns
            ],
            "rows": [list(row) for row in block.rows],
        }
    return {"type": name, "caption": block.caption, "chart": _chart_dict(block.chart)}


def block_from_dict(data: dict[str, Any]) -> Block:
    kind = data.get("type")
    if kind in ("paragraph", "heading"):
        return Paragraph(str(data["text"])) if kind == "paragraph" else Heading(str(data["text"]))
    if kind == "figures":
        return FigureList(
            title=str(data.get("title", "")),
            items=tuple(
                Figure(
                    label=str(f["label"]),
                    value=f.get("value"),
                    unit=str(f.get("unit", "")),
                    decimals=int(f.get("decimals", 0)),
                    note=str(f.get("note", "")),
                )
                for f in data["items"]
            ),
        )
    if kind == "table":
        return Table(
            caption=str(data.get("caption", "")),
            columns=tuple(
                Column(
                    label=str(c["label"]),
                    decimals=c.get("decimals"),
                    right=bool(c.get("right", False)),
                )
                for c in data["columns"]
            ),
            rows=tuple(tuple(row) for row in data["rows"]),
        )
    if kind == "chart":
        c = data["chart"]
        return ChartBlock(
            caption=str(data.get("caption", "")),
            chart=Chart(
                kind=c["kind"],
                title=c["title"],
                description=c["description"],
                wide=c["wide"],
                narrow=c["narrow"],
                key=c.get("key", ""),
                labels=tuple(c.get("labels", ())),
            ),
        )
    raise ValueError(f"Unknown block type: {kind!r}")


def section_to_dict(section: Section) -> dict[str, Any]:
    return {"title": section.title, "blocks": [block_to_dict(b) for b in section.blocks]}


def section_from_dict(data: dict[str, Any]) -> Section:
    return Section(
        title=str(data["title"]), blocks=tuple(block_from_dict(b) for b in data["blocks"])
    )


def to_dict(document: Document) -> dict[str, Any]:
    return {
        "title": document.title,
        "subtitle": document.subtitle,
        "notes": list(document.notes),
        "language": document.language,
        "dated": document.dated.isoformat() if document.dated else None,
        "footer": document.footer,
        "sections": [section_to_dict(s) for s in document.sections],
    }


def from_dict(data: dict[str, Any]) -> Document:
    dated = data.get("dated")
    return Document(
        title=str(data["title"]),
        subtitle=str(data.get("subtitle", "")),
        notes=tuple(data.get("notes", ())),
        language=str(data.get("language", "fr")),
        dated=date.fromisoformat(dated) if dated else None,
        footer=str(data.get("footer", "")),
        sections=tuple(section_from_dict(s) for s in data["sections"]),
    )
