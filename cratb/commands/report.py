"""``cratb report annual --year YYYY --out FILE``: the CRAtb's annual activity report
written from a shell, the same document as the web's download.

The format comes from the file's extension (``.pdf``, ``.docx`` or ``.odt``). A validated
report is written as it was frozen; otherwise the draft, with its current texts and its
figures computed now (a year without a report gets the figures alone; nothing is created
in the database).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cratb.commands.base import EXIT_FAILURE, EXIT_OK, Command, CommandError

TYPE_CHECKING = False  # typing's flag without importing typing: `cratb --help` stays quick
if TYPE_CHECKING:
    from cratb.engine.config import EngineConfig


class ReportCommand(Command):
    name = "report"
    help = "rapport annuel d'activité du CRAtb (PDF, DOCX ou ODT)"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        kinds = parser.add_subparsers(dest="report_kind", metavar="RAPPORT", required=True)
        annual = kinds.add_parser("annual", help="rapport annuel d'activité d'une année")
        annual.add_argument("--year", type=int, required=True, help="année du rapport (AAAA)")
        annual.add_argument(
            "--out",
            type=Path,
            required=True,
            help="fichier à écrire ; son extension donne le format : .pdf, .docx ou .odt",
        )

    def handle(self, args: argparse.Namespace, config: EngineConfig) -> int:
        return run_annual(args)


def run_annual(args: argparse.Namespace) -> int:
    from cratb.documents import DocumentFormatError, format_of

    out: Path = args.out
    try:
        fmt = format_of(out)
    except DocumentFormatError as exc:
        raise CommandError(str(exc)) from exc
    if not out.parent.is_dir():
        raise CommandError(f"Dossier introuvable pour le fichier à écrire : {out.parent}")

    from cratb.bootstrap import ConfigurationError, setup_django

    try:
        setup_django()
    except ConfigurationError as exc:
        print(f"cratb : {exc}", file=sys.stderr)
        return EXIT_FAILURE
    from cratb.reports.models import AnnualReport, ReportError
    from cratb.reports.services import check_year, write

    try:
        check_year(args.year)
    except ReportError as exc:
        raise CommandError(str(exc)) from exc
    report = AnnualReport.objects.filter(year=args.year).first() or AnnualReport(year=args.year)
    data = write(report, fmt)
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise CommandError(f"Écriture impossible de {out} : {exc.strerror}") from exc
    state = "version validée" if report.validated else "projet"
    print(f"Rapport annuel {args.year} ({state}) écrit dans {out} ({len(data) // 1024} Ko).")
    return EXIT_OK
