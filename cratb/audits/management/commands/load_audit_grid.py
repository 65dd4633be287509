"""``manage.py load_audit_grid FILE…``: store audit grids from YAML files, each as a new
version (or the first of a new grid); a refused file stores nothing and says why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cratb.audits.grids import GridError
from cratb.audits.models import AuditGrid

EXAMPLES = Path(__file__).resolve().parents[2] / "grid_files"


class Command(BaseCommand):
    help = "Enregistrer des grilles d'audit depuis des fichiers YAML (nouvelle version)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", type=Path, help="fichiers YAML")
        parser.add_argument(
            "--examples", action="store_true", help="les deux grilles d'exemple livrées"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        files: list[Path] = list(options["files"])
        if options["examples"]:
            files += sorted(EXAMPLES.glob("*.yaml"))
        if not files:
            raise CommandError("Indiquez au moins un fichier YAML (ou --examples).")
        refused = 0
        for path in files:
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                self.stderr.write(f"{path} : illisible ({exc.__class__.__name__}).")
                refused += 1
                continue
            try:
                code = _existing_code(text)
                version = AuditGrid.save_version(text, code=code)
            except GridError as exc:
                for problem in exc.problems:
                    self.stderr.write(f"{path} : grille refusée : {problem}")
                refused += 1
                continue
            self.stdout.write(f"{path.name} : « {version.grid.title} », version {version.number}.")
        if refused:
            raise CommandError(f"{refused} fichier(s) refusé(s) : rien n'en a été enregistré.")


def _existing_code(text: str) -> str | None:
    """The grid's code when it already exists (the file is then a new version)."""
    from cratb.audits.grids import parse_yaml

    grid, _data = parse_yaml(text)
    return grid.code if AuditGrid.objects.filter(code=grid.code).exists() else None
