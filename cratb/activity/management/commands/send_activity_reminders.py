"""``manage.py send_activity_reminders``: run the campaigns' reminder job once (for
cron), or start its self-scheduling chain in the job queue (``--schedule``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from cratb.activity.reminders import process
from cratb.activity.tasks import schedule_reminders


class Command(BaseCommand):
    help = (
        "Relances des campagnes de plans d'action et de rapports d'activité : avant la date "
        "limite, puis aux équipes en retard. Sans option : une passe (pour cron). "
        "--schedule : programme la tâche périodique dans la file de tâches."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="programmer la tâche qui se relance elle-même, si aucune n'attend",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["schedule"]:
            done = schedule_reminders()
            self.stdout.write(
                "Tâche de relance programmée."
                if done
                else "Tâche de relance déjà programmée (ou file sans report : utilisez cron)."
            )
            return
        report = process(now=timezone.now())
        self.stdout.write(
            f"Relances avant la date limite : {report.before_deadline} ; "
            f"équipes en retard relancées : {report.late}."
        )
