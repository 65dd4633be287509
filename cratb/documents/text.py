"""The few words every renderer prints, and the characters the PDF's fonts can draw."""

from __future__ import annotations

from cratb.charts.numbers import language_of

__all__ = ["labels", "pdf_safe"]

_LABELS = {
    "fr": {"contents": "Sommaire", "page": "Page", "dated": "données au", "figure": "Figure"},
    "en": {"contents": "Contents", "page": "Page", "dated": "data as of", "figure": "Figure"},
}

#: Characters outside the PDF standard fonts' encoding (WinAnsi), and what is printed.
_REPLACEMENTS = {
    "\u202f": "\u00a0",  # narrow no-break space
    "\u2009": " ",
    "≥": ">=",
    "≤": "<=",
    "≠": "!=",
    "→": "->",
    "←": "<-",
    "✓": "oui",
}


def labels(language: str) -> dict[str, str]:
    return _LABELS[language_of(language)]


def pdf_safe(text: str) -> str:
    """``text`` with the characters Helvetica cannot draw replaced (no blank boxes)."""
    for old, new in _REPLACEMENTS.items():
        text = text.replace(old, new)
    return text.encode("cp1252", errors="replace").decode("cp1252")
