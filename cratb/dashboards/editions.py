"""The editions of the reference tables, said in words for the pages.

A publication records ``{"atc_ddd": "2026-04-25", "aware": "2023", "population": "2025"}``;
readers see « classification ATC/DDJ de l'OMS (index du 25 avril 2026) », « classification
AWaRe de l'OMS 2023 », « population de 2025 (table de population importée) ».
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def _day(text: str) -> str:
    try:
        return date_format(date.fromisoformat(text), "j F Y")
    except ValueError:
        return text


def edition_in_words(kind: str, edition: str) -> str:
    """One edition in words, in the page's language; an unknown kind as « kind edition »."""
    if kind == "atc_ddd":
        return _("classification ATC/DDJ de l'OMS (index du %(day)s)") % {"day": _day(edition)}
    if kind == "aware":
        return _("classification AWaRe de l'OMS %(year)s") % {"year": edition}
    if kind == "population":
        years = [y.strip() for y in edition.split(",") if y.strip()]
        listed = (
            " ".join(years)
            if len(years) < 2
            else _("%(first)s et %(last)s")
            % {
                "first": ", ".join(years[:-1]),
                "last": years[-1],
            }
        )
        return ngettext(
            "population de %(years)s (table de population importée)",
            "populations de %(years)s (table de population importée)",
            len(years),
        ) % {"years": listed}
    return f"{kind} {edition}"


def editions_in_words(editions: Mapping[str, str]) -> list[str]:
    return [edition_in_words(kind, str(edition)) for kind, edition in editions.items()]
