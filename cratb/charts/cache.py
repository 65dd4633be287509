"""Rendered charts kept by the content of their specification.

Rendering a chart costs about 0.1 s (the first one of a process about 1 s, while the
renderer's JavaScript runtime starts), so every rendering is kept under a key made from
what determines it: the Vega-Lite specification (data included), the chart's text
alternative, the output kind and the renderer's version. Two layers:

- an in-process LRU (:class:`LruCache`), always on;
- an optional shared cache that the caller plugs in (:func:`use_shared_cache`), e.g. the
  web's Django cache, so every worker process profits from a rendering done by one.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Protocol

__all__ = ["LruCache", "SharedCache", "cached", "content_key", "memory", "use_shared_cache"]


class SharedCache(Protocol):
    """What a shared cache offers: Django's cache objects have these two methods."""

    def get(self, key: str) -> Any: ...

    def set(self, key: str, value: Any) -> None: ...


class LruCache:
    """A small thread-safe least-recently-used mapping."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> Any:
        with self._lock:
            if key not in self._items:
                self.misses += 1
                return None
            self.hits += 1
            self._items.move_to_end(key)
            return self._items[key]

    def set(self, key: str, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._items)


#: Some 300 charts of 10 to 60 kB each: a few megabytes per process at most.
memory = LruCache(maxsize=300)
_shared: SharedCache | None = None


def use_shared_cache(cache: SharedCache | None) -> None:
    """Plug a shared cache in beside the in-process one (None unplugs it)."""
    global _shared  # one process-wide setting, set once at start-up
    _shared = cache


def content_key(*parts: Any) -> str:
    """A key from JSON-serialisable parts: the same content gives the same key."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def cached(key: str, make: Callable[[], Any]) -> Any:
    """The value kept under ``key``, made (and kept in both layers) when absent."""
    value = memory.get(key)
    if value is not None:
        return value
    shared = _shared
    if shared is not None:
        value = shared.get("cratb.charts:" + key)
        if value is not None:
            memory.set(key, value)
            return value
    value = make()
    memory.set(key, value)
    if shared is not None:
        shared.set("cratb.charts:" + key, value)
    return value
