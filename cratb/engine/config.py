"""The engine's configuration: the one place, with ``cratb/settings.py``, that reads the
environment.

``EngineConfig.from_environ()`` reads the variables of ``.env.example`` that concern
the engine once and returns plain values: the warehouse file, the local folders of
reference editions and targeted-reporting rules, DuckDB's memory limit, the Spark
settings, the salt of ``--hash-ids``. The command line builds one per run; the web's
settings build theirs with the same constructor (``settings.CRATB_ENGINE``), so the two
never disagree. Every engine function receives the values it needs as arguments;
nothing below this module reads the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "MEMORY_LIMIT_VARIABLE",
    "PROJECT_DIR",
    "REFERENCE_DIR_VARIABLE",
    "RULES_DIR_VARIABLE",
    "SALT_VARIABLE",
    "EngineConfig",
    "SparkSettings",
]

#: The project's root folder: ``var/`` under it is the default local data folder.
PROJECT_DIR = Path(__file__).resolve().parent.parent.parent
#: The variables whose names the engine's messages give to an operator.
MEMORY_LIMIT_VARIABLE = "CRATB_DUCKDB_MEMORY_LIMIT"
REFERENCE_DIR_VARIABLE = "CRATB_REFERENCE_DIR"
RULES_DIR_VARIABLE = "CRATB_AST_RULES_DIR"
SALT_VARIABLE = "CRATB_ID_SALT"


@dataclass(frozen=True)
class SparkSettings:
    """How the Spark backend starts: its master, the driver's memory and the number of
    partitions of its aggregations (strings, as Spark reads them)."""

    master: str = "local[*]"
    driver_memory: str = "4g"
    shuffle_partitions: str = "8"


@dataclass(frozen=True)
class EngineConfig:
    """Where the engine's files are and how it runs, as plain values."""

    var_dir: Path
    warehouse: Path
    reference_dir: Path | None = None
    rules_dir: Path | None = None
    duckdb_memory_limit: str | None = None
    spark: SparkSettings = field(default_factory=SparkSettings)
    id_salt: str = ""
    #: ``CRATB_DEMO`` as given (None when unset): ``cratb demo`` marks its data folder as a
    #: demonstration unless it is false (the web settings read the same variable).
    demo: bool | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> EngineConfig:
        """The configuration the environment gives (``os.environ`` unless ``environ``);
        an absent variable takes its default (``.env.example``). The warehouse is
        resolved here once: ``CRATB_WAREHOUSE``, else ``warehouse.duckdb`` in the local
        data folder (``CRATB_VAR_DIR``, else ``var/`` in the project); a command's
        ``--warehouse`` wins over it (``cratb.commands.base.warehouse``)."""
        env = os.environ if environ is None else environ
        var_dir = Path(env.get("CRATB_VAR_DIR", PROJECT_DIR / "var"))
        defaults = SparkSettings()
        return cls(
            var_dir=var_dir,
            warehouse=Path(env.get("CRATB_WAREHOUSE", var_dir / "warehouse.duckdb")),
            reference_dir=_folder(env.get(REFERENCE_DIR_VARIABLE)),
            rules_dir=_folder(env.get(RULES_DIR_VARIABLE)),
            duckdb_memory_limit=env.get(MEMORY_LIMIT_VARIABLE, "").strip() or None,
            spark=SparkSettings(
                master=env.get("CRATB_SPARK_MASTER", defaults.master),
                driver_memory=env.get("CRATB_SPARK_MEMORY", defaults.driver_memory),
                shuffle_partitions=env.get("CRATB_SPARK_PARTITIONS", defaults.shuffle_partitions),
            ),
            id_salt=env.get(SALT_VARIABLE, ""),
            demo=_flag(env.get("CRATB_DEMO")),
        )


def _flag(value: str | None) -> bool | None:
    """An optional yes/no variable: None when unset or empty."""
    if value is None or not value.strip():
        return None
    return value.strip().lower() not in {"0", "false", "no", "off"}


def _folder(value: str | None) -> Path | None:
    """An optional folder: unset and empty both mean none."""
    return Path(value) if value else None
