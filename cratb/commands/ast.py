"""``cratb ast``: targeted susceptibility reporting (antibiogramme ciblé)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cratb.cli import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, default_warehouse
from cratb.engine.ast.batch import TargetReport, target_file
from cratb.engine.ast.rules import RuleError, load_rules, rules_path
from cratb.engine.sources import RefusedFile
from cratb.engine.warehouse import WarehouseError

MODE_LABELS = {
    "targeted": "rendu ciblé",
    "full_no_susceptible": "complet (aucun agent recommandé sensible)",
    "full_out_of_scope": "complet (hors du champ)",
    "full_unknown_situation": "complet (situation non renseignée)",
    "full_invalid": "complet (données illisibles)",
}


def _count(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


def run_target(args: argparse.Namespace) -> int:
    warehouse: Path = args.warehouse or default_warehouse()
    try:
        rules = load_rules()
        report = target_file(
            args.file,
            args.out,
            warehouse=warehouse,
            rules=rules,
            write_log=not args.no_log,
        )
    except (RefusedFile, RuleError) as exc:
        print(f"cratb : fichier refusé, rien n'a été écrit : {exc}", file=sys.stderr)
        return EXIT_USAGE
    except WarehouseError as exc:
        print(
            f"cratb : {exc} ; le fichier {args.out} est écrit mais le journal des rendus"
            " ciblés ne l'est pas (relancer, ou --no-log)",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    print(summary(report))
    return EXIT_OK


def summary(report: TargetReport) -> str:
    speed = report.isolates / report.seconds if report.seconds else 0.0
    lines = [
        f"Règles : {report.rules} ({rules_path()}).",
        f"{_count(report.isolates)} isolats ({_count(report.rows)} lignes) en"
        f" {report.seconds:.1f} s ({_count(round(speed))} isolats par seconde) :",
    ]
    for mode, label in MODE_LABELS.items():
        if report.modes.get(mode):
            lines.append(f"  {label} : {_count(report.modes[mode])}")
    if report.invalid_rows:
        lines.append(
            f"{_count(report.invalid_rows)} ligne(s) illisible(s) : leur isolat est rendu en"
            " entier. Premières :"
        )
        lines += [f"  {problem}" for problem in report.first_problems]
    lines.append(f"Fichier écrit : {report.out}")
    if report.logged:
        lines.append(f"Journal des rendus ciblés : {_count(report.logged)} isolats enregistrés.")
    return "\n".join(lines)


def run_rules(args: argparse.Namespace) -> int:
    try:
        rules = load_rules()
    except RuleError as exc:
        print(f"cratb : {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"{rules.title}")
    print(f"Règles : {rules.label}, du {rules.date} — fichier {rules.path}")
    for code, situation in rules.situations.items():
        print(f"\n{situation.label} ({code})")
        for number, tier in enumerate(situation.tiers, start=1):
            print(f"  rang {number} : {', '.join(tier.agents)}  [{tier.source}]")
        if situation.next:
            print(f"  puis : {rules.situations[situation.next].label}")
    print("\nSources :")
    for key, text in rules.sources.items():
        print(f"  {key} : {text}")
    return EXIT_OK


def run_sync(args: argparse.Namespace) -> int:
    from cratb.bootstrap import ConfigurationError, setup_django

    try:
        setup_django()
    except ConfigurationError as exc:
        print(f"cratb : {exc}", file=sys.stderr)
        return EXIT_FAILURE
    from cratb.resistance.services import sync_targeted_log

    warehouse: Path = args.warehouse or default_warehouse()
    try:
        copied = sync_targeted_log(warehouse=warehouse)
    except WarehouseError as exc:
        print(f"cratb : {exc}", file=sys.stderr)
        return EXIT_FAILURE
    print(f"Journal de l'API : {_count(copied)} rendu(s) copié(s) dans l'entrepôt {warehouse}.")
    return EXIT_OK
