"""``cratb antibiogram``: the cumulative antibiogram of a setting (CSV, Excel or PDF)."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from cratb.cli import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, CommandError, default_warehouse
from cratb.engine.antibiogram import AntibiogramError, cumulative_antibiogram
from cratb.engine.antibiogram.export import FORMATS, write
from cratb.engine.backends import BackendError, open_session
from cratb.engine.warehouse import WarehouseError


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option} : date AAAA-MM-JJ attendue, lu « {text} »") from None


def run_antibiogram(args: argparse.Namespace) -> int:
    date_from = _day(args.date_from, "--from")
    date_to = _day(args.date_to, "--to")
    if date_from > date_to:
        raise CommandError(f"période vide : --from {date_from} est après --to {date_to}")
    out: Path = args.out
    if out.suffix.lower().lstrip(".") not in FORMATS:
        raise CommandError(
            f"--out : extension « {out.suffix} » inconnue ; extensions admises : .csv, .xlsx, .pdf"
        )
    warehouse: Path = args.warehouse or default_warehouse()
    try:
        with open_session(warehouse=warehouse, backend=args.backend) as session:
            ab = cumulative_antibiogram(
                session,
                setting=args.setting,
                date_from=date_from,
                date_to=date_to,
                specimen=args.specimen,
                min_isolates=args.min_isolates,
                episode_days=args.episode_days,
            )
    except AntibiogramError as exc:
        print(f"cratb : {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (BackendError, WarehouseError) as exc:
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
    print(f"Fichier {kind.upper()} écrit : {out}")
    return EXIT_OK
