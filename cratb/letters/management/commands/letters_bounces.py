"""Mark the addresses a mail server returned as undeliverable: one address per line of a
text file (the bounces collected from the sending mailbox); no letter goes to them again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email

from cratb.letters.models import Bounce


class Command(BaseCommand):
    help = "Marque en échec les adresses d'un fichier texte (une par ligne)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            lines = path.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Fichier illisible : {path.name} ({type(exc).__name__}).") from None
        marked = known = 0
        rejected: list[str] = []
        for number, line in enumerate(lines, start=1):
            email = line.strip().lower()
            if not email or email.startswith("#"):
                continue
            try:
                validate_email(email)
            except ValidationError:
                rejected.append(f"ligne {number} : « {email[:80]} » n'est pas une adresse")
                continue
            _bounce, created = Bounce.objects.get_or_create(
                email=email, defaults={"source": path.name[:200]}
            )
            marked += created
            known += not created
        for reason in rejected:
            self.stderr.write(reason)
        self.stdout.write(
            f"{marked} adresse(s) marquée(s) en échec, {known} déjà marquée(s),"
            f" {len(rejected)} ligne(s) rejetée(s)."
        )
