"""``manage.py purge_import_files``: delete the uploaded files that nothing needs any more.

- raw files of web imports that have ended (earlier versions kept them forever under
  ``MEDIA_ROOT/imports/``), and files there that no import refers to; the imports' reports
  stay;
- directory files left waiting for a confirmation that never came
  (``CRATB_PENDING_IMPORT_MINUTES``);
- attachments of the advice form kept for a correction that never came
  (``CRATB_PENDING_ATTACHMENT_MINUTES``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from cratb.advice import uploads
from cratb.dashboards.models import DataImport
from cratb.dashboards.services import delete_upload
from cratb.network import pending


class Command(BaseCommand):
    help = (
        "Supprime les fichiers déposés devenus inutiles : fichiers bruts des imports "
        "terminés (les rapports sont gardés), fichiers d'annuaire jamais confirmés, pièces "
        "jointes en attente expirées."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="compter sans rien supprimer")

    def handle(self, *args: Any, **options: Any) -> None:
        dry = bool(options["dry_run"])
        ended = DataImport.objects.exclude(file="").exclude(
            status__in=(DataImport.Status.QUEUED, DataImport.Status.RUNNING)
        )
        records = 0
        for data_import in ended.iterator():
            records += 1
            if not dry:
                delete_upload(data_import)
        in_use = {
            str(Path(settings.MEDIA_ROOT) / name)
            for name in DataImport.objects.exclude(file="").values_list("file", flat=True)
        }
        orphans = 0
        root = Path(settings.MEDIA_ROOT) / "imports"
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file() and str(path) not in in_use and not _report_of(path, in_use):
                    orphans += 1
                    if not dry:
                        path.unlink(missing_ok=True)
        waiting = 0 if dry else pending.purge()
        attachments = 0 if dry else uploads.delete_stale_pending()
        verb = "à supprimer" if dry else "supprimés"
        self.stdout.write(
            f"Imports terminés : {records} fichier(s) brut(s) {verb} ; fichiers orphelins"
            f" sous imports/ : {orphans} {verb} ; fichiers d'annuaire non confirmés :"
            f" {waiting} ; pièces jointes en attente expirées : {attachments}."
        )


def _report_of(path: Path, in_use: set[str]) -> bool:
    """The report written beside a file still being imported."""
    return path.name.endswith(".report.json") and str(path)[: -len(".report.json")] in in_use
