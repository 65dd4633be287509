"""The annual report as a :class:`cratb.documents.Document`: the same document for the
page, the downloads and the command line.

A draft is built live: each section's figures computed now, with the current texts. A
validated report is the document frozen at validation (``AnnualReport.snapshot``): later
data changes do not alter it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils import timezone

from cratb.documents import Block, Document, Paragraph, Section, from_dict
from cratb.network.models import Territory
from cratb.reports.catalogue import report_sections
from cratb.reports.models import AnnualReport, SectionText
from cratb.reports.sections import ReportSection

__all__ = ["BuiltSection", "build_sections", "document_of", "live_document"]

TITLE = "Rapport annuel d'activité {year}"
SUBTITLE = "Centre régional en antibiothérapie (CRAtb)"


@dataclass(frozen=True)
class BuiltSection:
    """A section as the page shows it: its declaration, its text, its figures."""

    entry: ReportSection
    text: SectionText | None
    blocks: tuple[Block, ...]
    error: str = ""


def _subtitle() -> str:
    """« Centre régional en antibiothérapie (CRAtb) — Île-de-France »."""
    region = Territory.objects.filter(
        kind=Territory.Kind.REGION, code=settings.CRATB_REGION
    ).first()
    return f"{SUBTITLE} — {region.name}" if region else SUBTITLE


def build_sections(report: AnnualReport) -> list[BuiltSection]:
    """Every section's current text and its figures computed now."""
    texts = report.texts()
    out = []
    for entry in report_sections():
        error = ""
        try:
            blocks = tuple(entry.build(report.year))
        except Exception as exc:  # noqa: BLE001 - a section's failure must not hide the others
            error = f"Chiffres indisponibles : {exc}"
            blocks = (Paragraph(error),)
        out.append(BuiltSection(entry=entry, text=texts.get(entry.key), blocks=blocks, error=error))
    return out


def live_document(
    report: AnnualReport, sections: list[BuiltSection] | None = None, *, on: date | None = None
) -> Document:
    """The document of the report's current texts and figures computed now."""
    built = sections if sections is not None else build_sections(report)
    on = on or timezone.localdate()
    draft = not report.validated
    return Document(
        title=TITLE.format(year=report.year),
        subtitle=_subtitle(),
        notes=(
            f"Projet — version {report.version}" if draft else f"Version validée {report.version}",
            f"Données au {on:%d/%m/%Y}",
        ),
        dated=on,
        footer="Projet" if draft else "",
        sections=tuple(
            Section(
                title=b.entry.title,
                blocks=(*((Paragraph(b.text.text),) if b.text and b.text.text else ()), *b.blocks),
            )
            for b in built
        ),
    )


def document_of(report: AnnualReport) -> Document:
    """What the report prints: its frozen document once validated, else the live draft."""
    if report.validated and report.snapshot:
        return from_dict(report.snapshot)
    return live_document(report)
