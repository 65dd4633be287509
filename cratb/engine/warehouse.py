"""The analytics warehouse: one DuckDB file holding the imported tables.

Only one process may write a DuckDB file at a time; DuckDB's own lock error is turned
into a French message the operator can act on. The path and the memory limit are given
by the caller (``config.EngineConfig``).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from cratb.engine.config import MEMORY_LIMIT_VARIABLE
from cratb.engine.errors import EngineError

__all__ = ["WarehouseError", "connect"]


class WarehouseError(EngineError, RuntimeError):
    """The warehouse cannot be opened (locked, unreadable, not a DuckDB file): French one line."""


def connect(
    path: Path, *, read_only: bool = False, memory_limit: str | None = None
) -> duckdb.DuckDBPyConnection:
    """Open (and, unless ``read_only``, create) the warehouse at ``path``; ``memory_limit``
    (e.g. ``4GB``) is the most memory DuckDB may use there, beyond which it spills to
    disk (DuckDB's default when none: 80 % of the machine's memory)."""
    if read_only and not path.exists():
        raise WarehouseError(f"entrepôt introuvable : {path}")
    try:
        if not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
        connection = duckdb.connect(str(path), read_only=read_only)
    except OSError as exc:
        raise WarehouseError(f"impossible de créer l'entrepôt {path} : {exc.strerror}") from exc
    except duckdb.IOException as exc:
        if "could not set lock" in str(exc).lower():
            raise WarehouseError(
                f"entrepôt {path} occupé par un autre processus (import en cours ?) ; "
                "réessayer quand il aura fini"
            ) from exc
        raise WarehouseError(f"entrepôt {path} illisible : {_first_line(exc)}") from exc
    except duckdb.Error as exc:
        raise WarehouseError(f"entrepôt {path} illisible : {_first_line(exc)}") from exc
    # DuckDB draws its own progress bar on a terminal; callers report progress themselves.
    connection.execute("SET enable_progress_bar = false")
    limit = (memory_limit or "").strip()
    if limit:
        try:
            connection.execute("SET memory_limit = ?", [limit])
        except duckdb.Error as exc:
            connection.close()
            raise WarehouseError(
                f"{MEMORY_LIMIT_VARIABLE}={limit!r} : taille attendue, ex. 4GB ou 512MB"
            ) from exc
    return connection


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
