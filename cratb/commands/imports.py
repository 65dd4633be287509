"""``cratb import KIND FILE``: import one input file into the analytics warehouse."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from cratb.commands.base import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_USAGE,
    Command,
    add_warehouse_option,
    warehouse,
)

TYPE_CHECKING = False  # typing's flag without importing typing: `cratb --help` stays quick
if TYPE_CHECKING:
    from cratb.engine.config import EngineConfig
    from cratb.engine.sources import ImportReport


SHOWN_REASONS = 5


class ImportCommand(Command):
    name = "import"
    help = "importer un fichier (CSV ou Parquet) dans l'entrepôt"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "kind",
            metavar="KIND",
            help=(
                "dispensations, products, population, hospital_consumption, patient_days, isolates"
            ),
        )
        parser.add_argument("file", metavar="FILE", type=Path)
        parser.add_argument(
            "--report", type=Path, default=None, help="rapport JSON (défaut : FILE.report.json)"
        )
        parser.add_argument(
            "--format",
            dest="layout",
            choices=["auto", "long", "wide", "whonet", "hl7"],
            default="auto",
            help=(
                "isolats : format du fichier (défaut : reconnu ; long, large, export WHONET,"
                " messages HL7 v2 ORU^R01)"
            ),
        )
        for column, text in (
            ("lab-id", "laboratoire"),
            ("setting", "secteur (community, nursing_home, hospital)"),
            ("departement", "département (code INSEE)"),
        ):
            parser.add_argument(
                f"--{column}",
                dest=f"default_{column.replace('-', '_')}",
                default=None,
                metavar="VALEUR",
                help=f"isolats : {text} des lignes qui n'en donnent pas",
            )
        parser.add_argument(
            "--hash-ids",
            action="store_true",
            help="hacher les identifiants pseudonymes avec le sel secret CRATB_ID_SALT",
        )
        add_warehouse_option(parser)

    def handle(self, args: argparse.Namespace, config: EngineConfig) -> int:
        from cratb.engine.config import SALT_VARIABLE
        from cratb.engine.sources import RefusedFile, default_report_path, import_file
        from cratb.engine.warehouse import WarehouseError

        salt: str | None = None
        if args.hash_ids:
            salt = config.id_salt
            if not salt.strip():
                print(
                    f"cratb : --hash-ids demande le sel secret dans la variable {SALT_VARIABLE},"
                    " qui est vide ou absente.",
                    file=sys.stderr,
                )
                return EXIT_USAGE
        report_path = args.report or default_report_path(args.file)
        defaults = {
            column: value
            for column in ("lab_id", "setting", "departement")
            if (value := getattr(args, f"default_{column}", None))
        }
        try:
            report = import_file(
                args.kind,
                args.file,
                warehouse=warehouse(args, config),
                report_path=report_path,
                id_salt=salt,
                progress=sys.stderr.isatty(),
                layout=getattr(args, "layout", "auto"),
                defaults=defaults,
                memory_limit=config.duckdb_memory_limit,
            )
        except RefusedFile as exc:
            print(f"cratb : fichier refusé, rien n'a été importé : {exc}", file=sys.stderr)
            return EXIT_USAGE
        except WarehouseError as exc:
            print(f"cratb : {exc}", file=sys.stderr)
            return EXIT_FAILURE
        print(summary(report, report_path=str(report_path)))
        return EXIT_OK


def summary(report: ImportReport, *, report_path: str) -> str:
    """The few French lines printed after an import."""
    lines = []
    if report.already_imported:
        lines.append(
            f"{report.file} : déjà importé (import n° {report.import_id}), rien de nouveau"
            " n'a été enregistré."
        )
    lines.append(
        f"{report.kind} : {_count(report.read, 'ligne lue', 'lignes lues')},"
        f" {_count(report.accepted, 'acceptée', 'acceptées')},"
        f" {_count(report.rejected, 'rejetée', 'rejetées')}."
    )
    if report.ignored_columns:
        lines.append(f"Colonnes ignorées : {', '.join(report.ignored_columns)}.")
    if report.rejections:
        lines.append("Premiers rejets :")
        for rejection in report.rejections[:SHOWN_REASONS]:
            if rejection.place:
                where = f" ({rejection.column})" if rejection.column else ""
                at = rejection.place
            else:
                where = f", colonne {rejection.column}" if rejection.column else ""
                at = f"ligne de données {rejection.row}"
            lines.append(f"  {at}{where} : {rejection.reason}")
        by_column = Counter(r.column or "ligne entière" for r in report.rejections)
        if len(report.rejections) > SHOWN_REASONS:
            lines.append(
                "Rejets par colonne : "
                + ", ".join(f"{column} {n}" for column, n in by_column.most_common())
                + ("" if report.rejections_listed_all else " (sur les premiers rejets)")
            )
    lines.append(f"Rapport : {report_path}")
    return "\n".join(lines)


def _count(n: int, singular: str, plural: str) -> str:
    """French count: 0 and 1 take the singular; thousands are separated by a narrow space."""
    return f"{n:,}".replace(",", "\u202f") + " " + (plural if n > 1 else singular)
