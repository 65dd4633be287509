"""The engine's one error base: ``EngineError``.

Every error the engine lets a caller see (a refused file, an unknown indicator, a locked
warehouse, a backend that cannot start…) is an ``EngineError`` whose message is French,
on one line, and says what to do; a caller that treats them alike catches this one class.
Each subclass keeps the built-in base it had (``ValueError`` for bad input,
``RuntimeError`` for a resource that fails), so code that relies on those still works.
"""

from __future__ import annotations

__all__ = ["EngineError"]


class EngineError(Exception):
    """An error of the engine a user can act on; the message is French, one line."""
