"""Blocks of a document as the page shows them: the same strings as the downloads (one
number formatter), the charts inlined as SVG with their key."""

from __future__ import annotations

from typing import Any

from django.utils.safestring import mark_safe

from cratb.documents import Block, ChartBlock, FigureList, Heading, Paragraph, Table

LANGUAGE = "fr"  # the report is the CRAtb's French document


def table_caption(table: Table, heading: str) -> str:
    """The table's name on the page: its own caption; for a table built without one (an
    older stored snapshot), the heading it sits under, else what its columns hold."""
    if table.caption.strip():
        return table.caption
    if heading.strip():
        return heading
    return " / ".join(c.label for c in table.columns)


def blocks(items: tuple[Block, ...] | list[Block]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    heading = ""  # the last section heading met, names a table without a caption
    for block in items:
        if isinstance(block, Paragraph):
            out.append({"kind": "paragraph", "paragraphs": block.paragraphs()})
        elif isinstance(block, Heading):
            heading = block.text
            out.append({"kind": "heading", "text": block.text})
        elif isinstance(block, FigureList):
            out.append(
                {
                    "kind": "figures",
                    "title": block.title,
                    "items": [
                        {"label": f.label, "text": f.text(LANGUAGE), "note": f.note}
                        for f in block.items
                    ],
                }
            )
        elif isinstance(block, Table):
            out.append(
                {
                    "kind": "table",
                    "caption": table_caption(block, heading),
                    "columns": block.columns,
                    "rows": [
                        list(zip(row, block.columns, strict=True))
                        for row in block.text_rows(LANGUAGE)
                    ],
                }
            )
        elif isinstance(block, ChartBlock):
            out.append(
                {
                    "kind": "chart",
                    "title": block.chart.title,
                    "html": mark_safe(block.chart.html()),  # noqa: S308 - rendered by cratb.charts
                    "key": block.chart.key,
                    "caption": block.caption,
                }
            )
    return out
