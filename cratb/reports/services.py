"""What the pages and the command line do with a report: open the draft of a year,
validate it (freeze the document), write it in a format."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.utils import timezone

from cratb.documents import render, to_dict
from cratb.reports.document import build_sections, document_of, live_document
from cratb.reports.models import AnnualReport, ReportError

__all__ = ["FIRST_YEAR", "open_report", "validate", "write"]

#: The first year a report may be written for (the 2019 baseline of the national targets).
FIRST_YEAR = 2019


def check_year(year: int) -> None:
    last = timezone.localdate().year
    if not FIRST_YEAR <= year <= last:
        raise ReportError(
            f"Année {year} impossible pour un rapport annuel : entre {FIRST_YEAR} et {last}."
        )


def open_report(year: int) -> AnnualReport:
    """The report of ``year``, created as a draft the first time."""
    check_year(year)
    report, _created = AnnualReport.objects.get_or_create(year=year)
    return report


def validate(report: AnnualReport, *, by: Any, expected_version: int) -> AnnualReport:
    """Freeze the report: its figures computed now and its current texts, with the date of
    the data. Refused when a section's figures fail, when it changed since ``expected_version``
    or when it is already validated."""
    if report.validated:
        raise ReportError(f"Le rapport {report.year} est déjà validé.")
    sections = build_sections(report)
    failed = [s.entry.title for s in sections if s.error]
    if failed:
        raise ReportError(
            "Validation impossible : chiffres indisponibles pour « " + " », « ".join(failed) + " »."
        )
    on = timezone.localdate()
    document = live_document(report, sections, on=on)
    who = by.get_full_name() or by.get_username()
    document = replace(
        document,
        notes=(f"Version validée le {on:%d/%m/%Y} par {who}", f"Données au {on:%d/%m/%Y}"),
        footer="",
    )
    report.freeze(to_dict(document), by=by, expected_version=expected_version, data_date=on)
    return report


def write(report: AnnualReport, fmt: str) -> bytes:
    """The report as ``fmt`` (pdf, docx, odt): the frozen document once validated."""
    return render(document_of(report), fmt)
