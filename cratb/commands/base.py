"""What every ``cratb`` command shares: exit codes, ``CommandError``, the ``--warehouse``
option and its default, and ``Command``, the declaration each command module makes.

A command module defines a ``Command`` subclass (as a Django management command does):
its ``name`` and ``help`` on the command list, ``add_arguments`` to declare its
arguments (and its actions, as subparsers), and ``handle`` to do the work with the
engine configuration read once for the run. ``cratb/cli.py`` loops over them. The
engine and Django are imported inside ``handle`` and the functions it calls, never at
the top of a command module: ``cratb --help`` declares every command without loading
them.
"""

from __future__ import annotations

import argparse
from pathlib import Path

TYPE_CHECKING = False  # typing's flag without importing typing: `cratb --help` stays quick
if TYPE_CHECKING:
    from typing import ClassVar

    from cratb.engine.config import EngineConfig

__all__ = [
    "EXIT_FAILURE",
    "EXIT_OK",
    "EXIT_USAGE",
    "Command",
    "CommandError",
    "add_warehouse_option",
    "warehouse",
]

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


class CommandError(Exception):
    """An error the user can act on: printed as one line, exit code 2."""


class Command:
    """One ``cratb`` command: its arguments and its handler."""

    name: ClassVar[str]
    help: ClassVar[str]

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """Declare the command's arguments (and actions) on its own parser."""

    def handle(self, args: argparse.Namespace, config: EngineConfig) -> int:
        """Do the work; return the exit code, or raise ``CommandError``."""
        raise NotImplementedError


def add_warehouse_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--warehouse",
        type=Path,
        default=None,
        help=(
            "fichier DuckDB de l'entrepôt analytique "
            "(défaut : $CRATB_WAREHOUSE ou var/warehouse.duckdb)"
        ),
    )


def warehouse(args: argparse.Namespace, config: EngineConfig) -> Path:
    """The warehouse a command works on: ``--warehouse``, else the configuration's."""
    given: Path | None = args.warehouse
    return given if given is not None else config.warehouse
