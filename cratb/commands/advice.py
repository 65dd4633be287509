"""``cratb advice``: the advice desk's jobs from a shell (cron, scripts).

``cratb advice remind`` runs the reminder job once (reminders, escalation, close-out
surveys); ``--schedule`` starts its self-scheduling chain in the job queue instead.
``cratb advice import-rota FILE`` imports an on-call rota CSV.
"""

from __future__ import annotations

import argparse
import sys

from cratb.cli import EXIT_FAILURE, EXIT_OK, CommandError


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
