"""The sections of the annual report, and how another app adds one (a registry).

A section is a key, a title, an order and a **figures function**: ``build(year)`` returns
the blocks of generated figures (:mod:`cratb.documents`: key figures, tables, charts) for
that year, computed by the same code as the page they come from. The report adds to each
section the coordination's editable text.

Another app plugs its section in without the report importing it everywhere: it exposes a
function in its own module (it must not import ``cratb.reports``, which sits above it)::

    # cratb/activity/summaries.py
    from cratb.documents import Block, FigureList, Figure, Table, Column

    def annual_report_blocks(year: int) -> list[Block]:
        rows = synthesis(year)          # the same function as the synthesis page
        return [FigureList((Figure("Rapports d'EMA validés", rows.validated), ...)), ...]

and one line of :mod:`cratb.reports.catalogue` registers it::

    register(ReportSection("ema", "Activité des EMA", activity.annual_report_blocks,
                           order=50, source="activity:home"))

Rules for a figures function: French text (the report is the CRAtb's French document to
the agency); numbers left as numbers (the writers format them); only regional aggregates
(the agency reads the report: no patient, no individual prescriber); a section with
nothing for the year returns a :class:`~cratb.documents.Paragraph` saying so. An
exception is shown in the draft as « chiffres indisponibles » with its reason, and a
report whose figures failed cannot be validated.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cratb.documents import Block

__all__ = ["ReportSection", "register", "registered"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportSection:
    key: str  # stable: the texts of the section are stored under it
    title: str
    build: Callable[[int], Sequence[Block]]
    order: int
    #: The URL name of the page the figures come from (a link beside them).
    source: str = ""
    #: What the text of the section is expected to say (shown to the editor).
    guidance: str = ""


_REGISTRY: dict[str, ReportSection] = {}


def register(entry: ReportSection) -> ReportSection:
    """Add a section (a second registration under the same key replaces the first)."""
    _REGISTRY[entry.key] = entry
    return entry


def registered() -> list[ReportSection]:
    """Every section registered so far, in their order (read them through
    :func:`cratb.reports.catalogue.report_sections`, which registers the built-in ones)."""
    return sorted(_REGISTRY.values(), key=lambda s: (s.order, s.key))
