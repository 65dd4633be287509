"""French alphabetical order for every list people read.

Python sorts by code point: « colistine » before « céfaclor » (``o`` < ``é``), capitals
before small letters. :func:`french_key` orders as a French dictionary does, without a
system locale (the servers' locales differ): letters compared without their accents and
case first, accents and case only to break ties (« cote » < « côte »), ligatures spelt out
(« œ » as « oe »). No Django, no engine: the web apps and the engine may both use it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import TypeVar

T = TypeVar("T")

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})


def _base(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def french_key(text: object) -> tuple[str, str, str]:
    """The sort key of ``text`` in French order (``None`` sorts as an empty string)."""
    return _key("" if text is None else str(text))


@lru_cache(maxsize=8192)
def _key(value: str) -> tuple[str, str, str]:
    # Kept per string: the same labels are sorted on every page view.
    return (_base(value), value.casefold(), value)


def french_sorted(items: Iterable[T], key: Callable[[T], object] | None = None) -> list[T]:
    """``items`` in French order of ``key(item)`` (of the item itself by default)."""
    if key is None:
        return sorted(items, key=french_key)
    pick = key
    return sorted(items, key=lambda item: french_key(pick(item)))
