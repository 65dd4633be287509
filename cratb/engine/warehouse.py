"""The analytics warehouse: one DuckDB file holding the imported tables.

Only one process may write a DuckDB file at a time; DuckDB's own lock error is turned
into a French message the operator can act on.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from cratb.engine.errors import EngineError

__all__ = ["MEMORY_LIMIT_VARIABLE", "WarehouseError", "connect"]

#: The most memory DuckDB may use (imports and computations); beyond it, it spills to disk.
MEMORY_LIMIT_VARIABLE = "CRATB_DUCKDB_MEMORY_LIMIT"


class WarehouseError(EngineError, RuntimeError):
    """The warehouse cannot be opened (locked, unreadable, not a DuckDB file): French one line."""


def connect(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (and, unless ``read_only``, create) the warehouse at ``path``."""
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
    limit = os.environ.get(MEMORY_LIMIT_VARIABLE, "").strip()
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
