"""Every table of a report's page is named (issue #14, point 7): its caption from its
block, or, for a stored table without one, the heading it sits under."""

from __future__ import annotations

from django.template.loader import render_to_string

from cratb.documents import Column, Heading, Paragraph, Table
from cratb.reports.html import blocks


def _table(caption: str = "") -> Table:
    return Table(
        columns=(Column("Département"), Column("Équipes", 0)), rows=(("Ain", 3),), caption=caption
    )


def test_a_table_keeps_its_own_caption() -> None:
    out = blocks([Heading("Activité des EMA"), _table("Équipes par département, 2025")])
    assert out[1]["caption"] == "Équipes par département, 2025"


def test_a_table_without_caption_is_named_by_its_heading_else_its_columns() -> None:
    out = blocks([Heading("Activité des EMA"), Paragraph("Texte."), _table()])
    assert out[2]["caption"] == "Activité des EMA"
    assert blocks([_table()])[0]["caption"] == "Département / Équipes"


def test_the_page_puts_each_table_in_a_named_region_with_its_caption() -> None:
    html = render_to_string(
        "reports/_blocks.html", {"blocks": blocks([Heading("Activité des EMA"), _table()])}
    )
    assert (
        '<div class="table-wrap" tabindex="0" role="region" '
        'aria-label="Tableau : Activité des EMA"><table class="data">'
    ) in html
    assert "<caption>Activité des EMA</caption>" in html
