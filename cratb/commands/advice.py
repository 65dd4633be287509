"""``cratb advice``: the advice desk's jobs from a shell (cron, scripts).

``cratb advice remind`` runs the reminder job once (reminders, escalation, close-out
surveys); ``--schedule`` starts its self-scheduling chain in the job queue instead.
``cratb advice import-rota FILE`` imports an on-call rota CSV.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cratb.commands.base import EXIT_FAILURE, EXIT_OK, Command, CommandError

TYPE_CHECKING = False  # typing's flag without importing typing: `cratb --help` stays quick
if TYPE_CHECKING:
    from cratb.engine.config import EngineConfig


class AdviceCommand(Command):
    name = "advice"
    help = "conseil : relances, planning d'astreinte"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="advice_command", metavar="ACTION", required=True)
        p_remind = actions.add_parser(
            "remind", help="relances, alertes et questionnaires de suivi (une passe, pour cron)"
        )
        p_remind.add_argument(
            "--schedule",
            action="store_true",
            help="programmer plutôt la tâche périodique dans la file de tâches",
        )
        p_rota = actions.add_parser("import-rota", help="importer un planning d'astreinte (CSV)")
        p_rota.add_argument("file", type=Path, metavar="FILE")
        p_rota.add_argument("--report", type=Path, default=None, help="rapport JSON")

    def handle(self, args: argparse.Namespace, config: EngineConfig) -> int:
        return run_advice(args)


def run_advice(args: argparse.Namespace) -> int:
    from cratb.bootstrap import ConfigurationError, setup_django

    try:
        setup_django()
    except ConfigurationError as exc:
        print(f"cratb : {exc}", file=sys.stderr)
        return EXIT_FAILURE
    from django.core.management import CommandError as DjangoCommandError
    from django.core.management import call_command

    try:
        if args.advice_command == "remind":
            call_command("send_advice_reminders", schedule=args.schedule)
        else:
            call_command("import_rota", str(args.file), report=args.report)
    except DjangoCommandError as exc:
        raise CommandError(str(exc)) from exc
    return EXIT_OK
