"""The ``cratb`` command line (CONTRACTS.md section 2).

This module only builds the parser from the commands and dispatches: each module of
``cratb.commands`` declares one command's arguments and its handler
(``commands/base.py``), which calls the engine (pure Python) or, for commands that touch
the web database, Django. The environment is read once per run, into the engine
configuration handed to the handler. Exit codes: 0 success, 1 failure, 2 bad usage or
refused input. Errors a user can act on are printed as one line, never as a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from cratb.commands.advice import AdviceCommand
from cratb.commands.antibiogram import AntibiogramCommand
from cratb.commands.ast import AstCommand
from cratb.commands.base import EXIT_FAILURE, EXIT_USAGE, Command, CommandError
from cratb.commands.demo import DemoCommand
from cratb.commands.imports import ImportCommand
from cratb.commands.indicators import DddCommand, IndicatorsCommand
from cratb.commands.lab_codes import LabCodesCommand
from cratb.commands.reference import ReferenceCommand
from cratb.commands.report import ReportCommand

#: The commands, in the order ``cratb --help`` lists them.
COMMANDS: tuple[type[Command], ...] = (
    ImportCommand,
    IndicatorsCommand,
    DddCommand,
    AstCommand,
    AntibiogramCommand,
    LabCodesCommand,
    DemoCommand,
    ReferenceCommand,
    AdviceCommand,
    ReportCommand,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cratb",
        description=(
            "cratb : surveillance, conseil et réseau d'un Centre Régional en Antibiothérapie."
        ),
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMANDE", required=True)
    for command_class in COMMANDS:
        command = command_class()
        command_parser = sub.add_parser(command.name, help=command.help)
        command.add_arguments(command_parser)
        command_parser.set_defaults(handler=command.handle)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Read after parsing: `cratb --help` and a usage error load none of the engine.
    from cratb.engine import reference
    from cratb.engine.config import EngineConfig

    config = EngineConfig.from_environ()
    # The reference tables are shared by the whole run: they search the region's own
    # editions first, wherever the engine reads them.
    reference.use_local_dir(config.reference_dir)
    try:
        code: int = args.handler(args, config)
    except CommandError as exc:
        print(f"cratb : {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("cratb : interrompu.", file=sys.stderr)
        return EXIT_FAILURE
    return code


if __name__ == "__main__":
    sys.exit(main())
