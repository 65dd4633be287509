"""``manage.py import_rota FILE``: import an on-call rota CSV (same rules as the web page)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cratb.advice.rota import RefusedRotaFile, import_rota


class Command(BaseCommand):
    help = (
        "Importer un planning d'astreinte (CSV : departement, responder, starts_at, ends_at, team)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--report", type=Path, default=None, help="rapport JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path} illisible : {exc.strerror}") from exc
        try:
            report = import_rota(data, by=None)
        except RefusedRotaFile as exc:
            raise CommandError(f"fichier refusé, rien n'a été importé : {exc}") from exc
        self.stdout.write(
            f"{report.read} ligne(s) lue(s), {report.accepted} acceptée(s) "
            f"({report.created} nouvelle(s), {report.already_present} déjà présente(s)), "
            f"{report.rejected} rejetée(s)."
        )
        for rejection in report.rejected_rows:
            self.stdout.write(f"  ligne {rejection.row}, {rejection.column} : {rejection.reason}")
        if options["report"]:
            options["report"].write_text(
                json.dumps(report.as_dict(), ensure_ascii=False, indent=2), encoding="utf-8"
            )
