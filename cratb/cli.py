"""The ``cratb`` command line (CONTRACTS.md section 2).

This module only parses arguments and dispatches; the work is done by the
engine (pure Python) or, for commands that touch the web database, by Django
code in ``cratb.commands``. Exit codes: 0 success, 1 failure, 2 bad usage or
refused input. Errors a user can act on are printed as one line, never as a
traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2

DEFAULT_REGION = "11"


class CommandError(Exception):
    """An error the user can act on: printed as one line, exit code 2."""


def default_warehouse() -> Path:
    base = Path(os.environ.get("CRATB_VAR_DIR", Path(__file__).resolve().parent.parent / "var"))
    return Path(os.environ.get("CRATB_WAREHOUSE", base / "warehouse.duckdb"))


def _warehouse_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--warehouse",
        type=Path,
        default=None,
        help=(
            "fichier DuckDB de l'entrepôt analytique "
            "(défaut : $CRATB_WAREHOUSE ou var/warehouse.duckdb)"
        ),
    )


def _run_import(args: argparse.Namespace) -> int:
    from cratb.commands.imports import run_import

    return run_import(args)


def _run_demo(args: argparse.Namespace) -> int:
    from cratb.commands.demo import run_demo

    return run_demo(args)


def _run_indicators(args: argparse.Namespace) -> int:
    from cratb.commands import indicators

    handler = {
        "list": indicators.run_list,
        "compute": indicators.run_compute,
        "publish": indicators.run_publish,
    }[args.indicators_command]
    return handler(args)


def _run_ddd(args: argparse.Namespace) -> int:
    from cratb.commands.indicators import run_ddd_report

    return run_ddd_report(args)


def _run_lab_codes(args: argparse.Namespace) -> int:
    from cratb.commands.lab_codes import run_lab_codes

    return run_lab_codes(args)


def _run_ast(args: argparse.Namespace) -> int:
    from cratb.commands import ast

    handler = {"target": ast.run_target, "rules": ast.run_rules, "sync": ast.run_sync}
    return handler[args.ast_command](args)


def _run_antibiogram(args: argparse.Namespace) -> int:
    from cratb.commands.antibiogram import run_antibiogram

    return run_antibiogram(args)


def _run_reference(args: argparse.Namespace) -> int:
    from cratb.commands.reference import run_reference

    return run_reference(args)


def _run_advice(args: argparse.Namespace) -> int:
    from cratb.commands.advice import run_advice

    return run_advice(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cratb",
        description=(
            "cratb : surveillance, conseil et réseau d'un Centre Régional en Antibiothérapie."
        ),
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMANDE", required=True)

    p_import = sub.add_parser("import", help="importer un fichier (CSV ou Parquet) dans l'entrepôt")
    p_import.add_argument(
        "kind",
        metavar="KIND",
        help="dispensations, products, population, hospital_consumption, patient_days, isolates",
    )
    p_import.add_argument("file", metavar="FILE", type=Path)
    p_import.add_argument(
        "--report", type=Path, default=None, help="rapport JSON (défaut : FILE.report.json)"
    )
    p_import.add_argument(
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
        p_import.add_argument(
            f"--{column}",
            dest=f"default_{column.replace('-', '_')}",
            default=None,
            metavar="VALEUR",
            help=f"isolats : {text} des lignes qui n'en donnent pas",
        )
    p_import.add_argument(
        "--hash-ids",
        action="store_true",
        help="hacher les identifiants pseudonymes avec le sel secret CRATB_ID_SALT",
    )
    _warehouse_option(p_import)
    p_import.set_defaults(handler=_run_import)

    p_ind = sub.add_parser("indicators", help="catalogue d'indicateurs")
    ind_sub = p_ind.add_subparsers(dest="indicators_command", metavar="ACTION", required=True)
    p_list = ind_sub.add_parser(
        "list", help="lister les indicateurs (id, titre, unité, lower_is_better)"
    )
    p_list.add_argument(
        "--format", choices=["text", "csv"], default="text", help="présentation (défaut : text)"
    )
    p_list.add_argument(
        "-v", "--verbose", action="store_true", help="définitions complètes de chaque indicateur"
    )
    p_list.set_defaults(handler=_run_indicators)
    p_compute = ind_sub.add_parser("compute", help="calculer un indicateur")
    p_compute.add_argument("id", metavar="ID")
    p_compute.add_argument(
        "--by", default="", help="colonnes de regroupement, séparées par des virgules"
    )
    p_compute.add_argument(
        "--from", dest="date_from", default=None, metavar="DATE", help="premier jour (AAAA-MM-JJ)"
    )
    p_compute.add_argument(
        "--to", dest="date_to", default=None, metavar="DATE", help="dernier jour (AAAA-MM-JJ)"
    )
    p_compute.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="FILE.csv|FILE.parquet",
        help="fichier résultat (.csv, .parquet ou .xlsx) ; défaut : tableau à l'écran",
    )
    p_compute.add_argument("--backend", choices=["duckdb", "spark"], default="duckdb")
    p_compute.add_argument(
        "--param",
        action="append",
        metavar="NOM=VALEUR",
        help="paramètre de l'indicateur (ex. baseline_year=2019) ; répétable",
    )
    _warehouse_option(p_compute)
    p_compute.set_defaults(handler=_run_indicators)
    p_publish = ind_sub.add_parser(
        "publish",
        help="calculer le catalogue et publier les valeurs dans la base web (tableaux de bord)",
    )
    p_publish.add_argument(
        "--year",
        type=int,
        action="append",
        default=None,
        help="année à publier (répétable ; défaut : toutes les années des données)",
    )
    p_publish.add_argument(
        "--indicator",
        action="append",
        default=None,
        metavar="ID",
        help="indicateur à publier (répétable ; défaut : tout le catalogue)",
    )
    p_publish.add_argument("--backend", choices=["duckdb", "spark"], default="duckdb")
    _warehouse_option(p_publish)
    p_publish.set_defaults(handler=_run_indicators)

    p_ddd = sub.add_parser("ddd", help="DDJ par produit")
    ddd_sub = p_ddd.add_subparsers(dest="ddd_command", metavar="ACTION", required=True)
    p_report = ddd_sub.add_parser(
        "report", help="DDJ par boîte de chaque produit, avec le motif quand elle manque"
    )
    p_report.add_argument(
        "--out", type=Path, default=None, help="fichier résultat (.csv, .parquet ou .xlsx)"
    )
    _warehouse_option(p_report)
    p_report.set_defaults(handler=_run_ddd)

    p_ast = sub.add_parser("ast", help="antibiogramme ciblé")
    ast_sub = p_ast.add_subparsers(dest="ast_command", metavar="ACTION", required=True)
    p_target = ast_sub.add_parser("target", help="appliquer le rendu ciblé à un fichier d'isolats")
    p_target.add_argument("file", metavar="FILE", type=Path)
    p_target.add_argument(
        "--out", type=Path, required=True, metavar="FILE", help="CSV, ou Parquet (.parquet)"
    )
    p_target.add_argument(
        "--no-log",
        action="store_true",
        help="ne pas inscrire les isolats au journal des rendus ciblés de l'entrepôt",
    )
    _warehouse_option(p_target)
    p_target.set_defaults(handler=_run_ast)
    p_rules = ast_sub.add_parser("rules", help="afficher les règles en vigueur et leurs sources")
    p_rules.set_defaults(handler=_run_ast)
    p_sync = ast_sub.add_parser(
        "sync", help="copier dans l'entrepôt le journal des rendus ciblés de l'API"
    )
    _warehouse_option(p_sync)
    p_sync.set_defaults(handler=_run_ast)

    p_ab = sub.add_parser(
        "antibiogram",
        help="antibiogramme cumulé (CLSI M39) d'un secteur : CSV, Excel ou PDF",
    )
    p_ab.add_argument("--setting", required=True, choices=["community", "nursing_home", "hospital"])
    p_ab.add_argument("--from", dest="date_from", required=True, metavar="DATE")
    p_ab.add_argument("--to", dest="date_to", required=True, metavar="DATE")
    p_ab.add_argument(
        "--specimen",
        choices=["urine", "blood", "respiratory", "skin", "other"],
        default=None,
        help="un type de prélèvement seulement (défaut : tous)",
    )
    p_ab.add_argument("--min-isolates", type=int, default=30, help="seuil d'effectif (défaut 30)")
    p_ab.add_argument(
        "--episode-days", type=int, default=365, help="durée d'un épisode (défaut 365 jours)"
    )
    p_ab.add_argument("--out", type=Path, required=True, metavar="FILE.csv|FILE.xlsx|FILE.pdf")
    p_ab.add_argument("--backend", choices=["duckdb", "spark"], default="duckdb")
    _warehouse_option(p_ab)
    p_ab.set_defaults(handler=_run_antibiogram)

    p_codes = sub.add_parser(
        "lab-codes",
        help="table de correspondance des codes d'antibiotiques des laboratoires (→ WHONET)",
    )
    codes_sub = p_codes.add_subparsers(dest="lab_codes_command", metavar="ACTION", required=True)
    p_codes_show = codes_sub.add_parser("show", help="afficher la version en vigueur")
    _warehouse_option(p_codes_show)
    p_codes_show.set_defaults(handler=_run_lab_codes)
    p_codes_import = codes_sub.add_parser(
        "import", help="remplacer la table par un CSV lab_id,lab_code,whonet (nouvelle version)"
    )
    p_codes_import.add_argument("file", metavar="FILE", type=Path)
    p_codes_import.add_argument("--note", default="", help="motif de la modification")
    _warehouse_option(p_codes_import)
    p_codes_import.set_defaults(handler=_run_lab_codes)
    p_codes_export = codes_sub.add_parser("export", help="écrire la version en vigueur en CSV")
    p_codes_export.add_argument(
        "file", metavar="FILE", type=Path, nargs="?", default=None, help="défaut : la sortie"
    )
    _warehouse_option(p_codes_export)
    p_codes_export.set_defaults(handler=_run_lab_codes)

    p_demo = sub.add_parser(
        "demo", help="générer une région de démonstration (fichiers d'entrée puis import)"
    )
    p_demo.add_argument(
        "--region",
        default=DEFAULT_REGION,
        help="code INSEE de la région (défaut : 11, Île-de-France)",
    )
    p_demo.add_argument(
        "--scale",
        type=float,
        default=0.01,
        help="part de la population simulée (1 = toute la région ; défaut : 0.01)",
    )
    p_demo.add_argument("--seed", type=int, default=1, help="graine du générateur (défaut : 1)")
    p_demo.add_argument("--year", type=int, default=2025, help="année simulée (défaut : 2025)")
    p_demo.add_argument(
        "--baseline-year",
        type=int,
        default=2019,
        help=(
            "année de référence ajoutée aux délivrances, au niveau national de cette année-là"
            " (défaut : 2019, référence de l'objectif national ; 0 : aucune)"
        ),
    )
    p_demo.add_argument("--out", type=Path, default=None, help="dossier des fichiers générés")
    p_demo.add_argument(
        "--files-only", action="store_true", help="écrire les fichiers sans les importer"
    )
    p_demo.add_argument(
        "--no-web",
        action="store_true",
        help="ne pas créer les comptes et le répertoire de démonstration dans la base web",
    )
    _warehouse_option(p_demo)
    p_demo.set_defaults(handler=_run_demo)

    p_ref = sub.add_parser("reference", help="données de référence (ATC/DDD, AWaRe, territoires)")
    ref_sub = p_ref.add_subparsers(dest="reference_command", metavar="ACTION", required=True)
    p_show = ref_sub.add_parser("show", help="afficher les éditions des tables de référence")
    p_show.set_defaults(handler=_run_reference)
    p_atc = ref_sub.add_parser("import-atc-ddd", help="importer l'index ATC/DDD officiel de l'OMS")
    p_atc.add_argument("file", type=Path)
    p_atc.add_argument("--edition", required=True, help="date de l'édition, ex. 2026-04-25")
    p_atc.set_defaults(handler=_run_reference)
    p_aware = ref_sub.add_parser("import-aware", help="importer le classeur AWaRe de l'OMS")
    p_aware.add_argument("file", type=Path)
    p_aware.add_argument("--edition", required=True, help="année de l'édition, ex. 2025")
    p_aware.set_defaults(handler=_run_reference)
    p_advice = sub.add_parser("advice", help="conseil : relances, planning d'astreinte")
    advice_sub = p_advice.add_subparsers(dest="advice_command", metavar="ACTION", required=True)
    p_remind = advice_sub.add_parser(
        "remind", help="relances, alertes et questionnaires de suivi (une passe, pour cron)"
    )
    p_remind.add_argument(
        "--schedule",
        action="store_true",
        help="programmer plutôt la tâche périodique dans la file de tâches",
    )
    p_remind.set_defaults(handler=_run_advice)
    p_rota = advice_sub.add_parser("import-rota", help="importer un planning d'astreinte (CSV)")
    p_rota.add_argument("file", type=Path, metavar="FILE")
    p_rota.add_argument("--report", type=Path, default=None, help="rapport JSON")
    p_rota.set_defaults(handler=_run_advice)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
    except CommandError as exc:
        print(f"cratb : {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("cratb : interrompu.", file=sys.stderr)
        return EXIT_FAILURE
    return code


if __name__ == "__main__":
    sys.exit(main())
