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
    from cratb.engine.sources.opendata import store


SHOWN_REASONS = 5
OPEN_DATA_KINDS = ("open_medic", "bdpm", "insee_population")


class ImportCommand(Command):
    name = "import"
    help = "importer un fichier (CSV ou Parquet) dans l'entrepôt"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "kind",
            metavar="KIND",
            help=(
                "dispensations, products, population, hospital_consumption, patient_days,"
                " isolates, rapid_tests, rapid_test_kits, rapid_test_places,"
                " aggregated_dispensations ; données ouvertes : open_medic (une année,"
                " zip ou CSV), bdpm (le dossier des trois fichiers), insee_population (classeur"
                " des estimations par département)"
            ),
        )
        parser.add_argument("file", metavar="FILE", type=Path)
        parser.add_argument(
            "--overrides",
            type=Path,
            default=None,
            metavar="FICHIER",
            help=(
                "bdpm : fichier de corrections (défaut : la dernière édition de"
                " bdpm_overrides/ dans le dossier des référentiels locaux)"
            ),
        )
        parser.add_argument(
            "--year",
            type=int,
            default=None,
            help="open_medic : année (défaut : celle du nom du fichier) ; insee_population : "
            "n'importer que cette année",
        )
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
        if args.kind in OPEN_DATA_KINDS:
            return run_open_data(args, config)
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


def run_open_data(args: argparse.Namespace, config: EngineConfig) -> int:
    """``cratb import open_medic|bdpm|insee_population``: the open data (docs/open-data.md)."""
    from cratb.engine.sources import RefusedFile
    from cratb.engine.sources.opendata import store
    from cratb.engine.warehouse import WarehouseError

    target = warehouse(args, config)
    lines: list[str] = []
    try:
        if args.kind == "open_medic":
            done = store.import_open_medic(
                args.file, warehouse=target, year=args.year, memory_limit=config.duckdb_memory_limit
            )
            report = done.report
            if not report.already_imported:
                stored = _count(done.stored_rows, "ligne enregistrée", "lignes enregistrées")
                lines.append(
                    f"Open Medic {done.year} : {stored} (sommées par région, âge, sexe,"
                    " spécialité et CIP13 selon les codes de cratb)."
                )
            lines += [f"Attention : {w}." for w in done.warnings]
        elif args.kind == "bdpm":
            overrides = args.overrides
            if overrides is None and config.reference_dir is not None:
                from cratb.engine.sources.opendata.bdpm import latest_edition

                overrides = latest_edition(config.reference_dir)
            built = store.import_bdpm(
                args.file,
                warehouse=target,
                overrides=overrides,
                memory_limit=config.duckdb_memory_limit,
            )
            report = built.report
            lines += _bdpm_lines(built)
            lines += _coverage_lines(target, config)
        else:
            population = store.import_insee_population(
                args.file,
                warehouse=target,
                years=[args.year] if args.year else None,
                report_path=args.report,
                memory_limit=config.duckdb_memory_limit,
            )
            report = population.report
            read = _count(
                population.workbook_read, "ligne de territoire lue", "lignes de territoire lues"
            )
            bad = _count(len(population.workbook_rejections), "rejetée", "rejetées")
            years = ", ".join(map(str, population.years))
            lines.append(f"Classeur INSEE : années {years} ; {read}, {bad}.")
            lines += [f"  {r}" for r in population.workbook_rejections[:SHOWN_REASONS]]
    except RefusedFile as exc:
        print(f"cratb : fichier refusé, rien n'a été importé : {exc}", file=sys.stderr)
        return EXIT_USAGE
    except WarehouseError as exc:
        print(f"cratb : {exc}", file=sys.stderr)
        return EXIT_FAILURE
    report_path = args.report or default_open_data_report(args.file)
    if args.kind != "insee_population":
        try:
            report_path.write_text(report.to_json(), encoding="utf-8")
        except OSError as exc:
            print(f"cratb : impossible d'écrire le rapport {report_path} : {exc.strerror}")
            return EXIT_FAILURE
    print(summary(report, report_path=str(report_path)))
    for line in lines:
        print(line)
    return EXIT_OK


def default_open_data_report(path: Path) -> Path:
    """Beside the file (``FILE.report.json``); for the BDPM folder, inside it."""
    if path.is_dir():
        return path / "bdpm.report.json"
    return path.with_name(path.name + ".report.json")


def _bdpm_lines(built: store.BdpmImport) -> list[str]:
    counts = built.catalogue.counts
    lines = [
        f"Catalogue : {_count(counts.get('products', 0), 'produit', 'produits')}"
        f" ({counts.get('corrected', 0)} corrigés par le fichier de corrections"
        f"{' ' + built.overrides_file if built.overrides_file else ''}),"
        f" {_count(built.without_ddd, 'produit', 'produits')} sans DDJ calculable,"
        f" {_count(counts.get('unresolved', 0), 'présentation', 'présentations')} non"
        " construites (raisons dans le rapport).",
    ]
    if built.kept_by_hand:
        lines.append(
            f"{_count(len(built.kept_by_hand), 'produit', 'produits')} déjà importés à la main"
            " (cratb import products) gardés tels quels."
        )
    if built.bdpm_rejections:
        lines.append(
            f"{_count(len(built.bdpm_rejections), 'ligne', 'lignes')} de la BDPM rejetées :"
        )
        lines += [f"  {r}" for r in built.bdpm_rejections[:SHOWN_REASONS]]
    if built.atc_conflicts:
        lines.append(
            f"{len(built.atc_conflicts)} CIP13 portent plusieurs codes ATC dans Open Medic :"
            " le code le plus dispensé est retenu."
        )
    return lines


def _coverage_lines(target: Path, config: EngineConfig) -> list[str]:
    """The share of the J01 boxes of the aggregated dispensing that got a DDD."""
    from cratb.engine.backends import open_session
    from cratb.engine.indicators.aggregated import ddd_coverage

    with open_session(warehouse=target, memory_limit=config.duckdb_memory_limit) as session:
        coverage = ddd_coverage(session)
    if coverage is None or coverage.share is None:
        return []
    share = f"{coverage.share:.1f}".replace(".", ",")
    with_ddd = _count(coverage.boxes_with_ddd, "boîte", "boîtes")
    boxes = _count(coverage.boxes, "boîte", "boîtes")
    lines = [
        f"Boîtes J01 avec une DDJ : {share} % ({with_ddd} sur {boxes}, données agrégées de"
        " l'entrepôt)."
    ]
    for r in coverage.by_reason.to_pylist()[:SHOWN_REASONS]:
        lines.append(f"  {_count(int(r['boxes'] or 0), 'boîte', 'boîtes')} : {r['reason']}")
    missing = coverage.missing_products.to_pylist()
    if missing:
        lines.append(
            f"{_count(len(missing), 'CIP13 dispensé', 'CIP13 dispensés')} absents du catalogue"
            " (leurs boîtes sont hors des DDJ) ; les premiers :"
        )
        lines += [
            f"  {m['cip13']} ({m['atc']}) : {_count(int(m['boxes'] or 0), 'boîte', 'boîtes')}"
            for m in missing[:SHOWN_REASONS]
        ]
    return lines
