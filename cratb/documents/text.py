"""The few words every renderer prints, and the characters the PDF's fonts can draw."""

from __future__ import annotations

from cratb.charts.numbers import language_of

__all__ = ["labels", "pdf_safe"]

_LABELS = {
    "fr": {"contents": "Sommaire", "page": "Page", "dated": "données au", "figure": "Figure"},
    "en": {"contents": "Contents", "page": "Page", "dated": "data as of", "figure": "Figure"},
}

#: Characters the PDF's font (Bitstream Vera Sans: WinAnsi, plus « ≤ ≥ ≠ ») cannot draw,
#: and what is printed instead.
_REPLACEMENTS = {
    "\u202f": "\u00a0",  # narrow no-break space
    "\u2009": " ",
    "→": "->",
    "←": "<-",
    "✓": "oui",
}


def labels(language: str) -> dict[str, str]:
    return _LABELS[language_of(language)]


def pdf_safe(text: str) -> str:
    """``text`` with the characters the PDF's font cannot draw replaced (no blank boxes)."""
    for old, new in _REPLACEMENTS.items():
        text = text.replace(old, new)
    return "".join(c if c in _BEYOND_WINANSI else _winansi(c) for c in text)


_BEYOND_WINANSI = frozenset("≤≥≠")


def _winansi(character: str) -> str:
    return character.encode("cp1252", errors="replace").decode("cp1252")
