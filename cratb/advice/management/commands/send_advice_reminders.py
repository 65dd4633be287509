"""``manage.py send_advice_reminders``: run the reminder job once (for cron), or start
its self-scheduling chain in the job queue (``--schedule``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from cratb.advice.reminders import process
from cratb.advice.tasks import schedule_reminders


class Command(BaseCommand):
    help = (
        "Relances des demandes d'avis hors délai, alertes à la coordination, questionnaires "
        "de suivi. Sans option : une passe (pour cron). --schedule : programme la tâche "
        "périodique dans la file de tâches (worker db_worker)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="programmer la tâche qui se relance elle-même, si aucune n'attend",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["schedule"]:
            if schedule_reminders():
                self.stdout.write("Tâche de relance programmée.")
            else:
                self.stdout.write(
                    "Tâche de relance déjà programmée (ou file sans report : utilisez cron)."
                )
            return
        report = process(now=timezone.now())
        self.stdout.write(
            f"Relances : {report.reminded} ; alertes à la coordination : {report.escalated} ; "
            f"questionnaires de suivi : {report.surveys} ; fichiers abandonnés supprimés : "
            f"{report.stale_files}."
        )
