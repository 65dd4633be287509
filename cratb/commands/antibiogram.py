"""``cratb antibiogram``: the cumulative antibiogram of a setting (CSV, Excel or PDF)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cratb.commands.base import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_USAGE,
    Command,
    CommandError,
    add_warehouse_option,
    warehouse,
)

TYPE_CHECKING = False  # typing's flag without importing typing: `cratb --help` stays quick
if TYPE_CHECKING:
    from datetime import date

    from cratb.engine.config import EngineConfig


class AntibiogramCommand(Command):
    name = "antibiogram"
    help = "antibiogramme cumulé (CLSI M39) d'un secteur : CSV, Excel ou PDF"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--setting", required=True, choices=["community", "nursing_home", "hospital"]
        )
        parser.add_argument("--from", dest="date_from", required=True, metavar="DATE")
        parser.add_argument("--to", dest="date_to", required=True, metavar="DATE")
        parser.add_argument(
            "--specimen",
            choices=["urine", "blood", "respiratory", "skin", "other"],
            default=None,
            help="un type de prélèvement seulement (défaut : tous)",
        )
        parser.add_argument(
            "--min-isolates", type=int, default=30, help="seuil d'effectif (défaut 30)"
        )
        parser.add_argument(
            "--episode-days", type=int, default=365, help="durée d'un épisode (défaut 365 jours)"
        )
        parser.add_argument(
            "--first-isolate",
            choices=["episode", "phenotype"],
            default="episode",
            help=(
                "règle du premier isolat : episode (CLSI M39, défaut) ou phenotype (un"
                " nouveau premier isolat dans l'épisode quand l'antibiogramme change de plus"
                " de 2 points, comme le paquet R AMR)"
            ),
        )
        parser.add_argument(
            "--out", type=Path, required=True, metavar="FILE.csv|FILE.xlsx|FILE.pdf"
        )
        parser.add_argument("--backend", choices=["duckdb", "spark"], default="duckdb")
        add_warehouse_option(parser)

    def handle(self, args: argparse.Namespace, config: EngineConfig) -> int:
        return run_antibiogram(args, config)


def _day(text: str, option: str) -> date:
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option} : date AAAA-MM-JJ attendue, lu « {text} »") from None


def run_antibiogram(args: argparse.Namespace, config: EngineConfig) -> int:
    from cratb.engine.antibiogram import AntibiogramError, cumulative_antibiogram
    from cratb.engine.antibiogram.export import FORMATS, write
    from cratb.engine.backends import open_session
    from cratb.engine.errors import EngineError

    date_from = _day(args.date_from, "--from")
    date_to = _day(args.date_to, "--to")
    if date_from > date_to:
        raise CommandError(f"période vide : --from {date_from} est après --to {date_to}")
    out: Path = args.out
    if out.suffix.lower().lstrip(".") not in FORMATS:
        raise CommandError(
            f"--out : extension « {out.suffix} » inconnue ; extensions admises : .csv, .xlsx, .pdf"
        )
    try:
        with open_session(
            warehouse=warehouse(args, config),
            backend=args.backend,
            memory_limit=config.duckdb_memory_limit,
            spark=config.spark,
        ) as session:
            ab = cumulative_antibiogram(
                session,
                setting=args.setting,
                date_from=date_from,
                date_to=date_to,
                specimen=args.specimen,
                min_isolates=args.min_isolates,
                episode_days=args.episode_days,
                first_isolate=args.first_isolate,
            )
    except AntibiogramError as exc:
        print(f"cratb : {exc}", file=sys.stderr)
        return EXIT_USAGE
    except EngineError as exc:
        print(f"cratb : {exc}", file=sys.stderr)
        return EXIT_FAILURE
    try:
        kind = write(ab, out)
    except OSError as exc:
        print(f"cratb : impossible d'écrire {out} : {exc.strerror}", file=sys.stderr)
        return EXIT_FAILURE
    low = sum(1 for c in ab.cells if c.low_count)
    print(
        f"{ab.title} — {ab.subtitle} : {len(ab.organisms)} espèces, {len(ab.antibiotics)}"
        f" antibiotiques, {len(ab.cells)} cases dont {low} à effectif faible"
        f" (< {ab.min_isolates} isolats)."
    )
    print(f"Méthode : {ab.first_isolate_method}")
    print(f"Fichier {kind.upper()} écrit : {out}")
    return EXIT_OK
