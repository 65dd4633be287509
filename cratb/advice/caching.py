"""Page parts kept in each server process's cache, keyed on what they depend on.

Every key holds the requests' change stamp (``AdviceRequest.objects.change_stamp()``):
a change to any request is seen at once through every process, with no shared cache.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

T = TypeVar("T")


def cached(key: str, build: Callable[[], T], *, seconds: int, enabled: bool = True) -> T:
    """The value kept under ``key``, or ``build()`` kept there for ``seconds``."""
    if enabled:
        found: T | None = cache.get(key)
        if found is not None:
            return found
    value = build()
    if enabled:
        cache.set(key, value, seconds)
    return value
