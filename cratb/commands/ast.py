"""``cratb ast``: targeted susceptibility reporting (antibiogramme ciblé)."""

from __future__ import annotations

import argparse
import sys
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
    from cratb.engine.ast.batch import TargetReport
    from cratb.engine.config import EngineConfig


MODE_LABELS = {
    "targeted": "rendu ciblé",
    "full_no_susceptible": "complet (aucun agent recommandé sensible)",
    "full_out_of_scope": "complet (hors du champ)",
    "full_unknown_situation": "complet (situation non renseignée)",
    "full_invalid": "complet (données illisibles)",
}


class AstCommand(Command):
    name = "ast"
    help = "antibiogramme ciblé"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="ast_command", metavar="ACTION", required=True)
        p_target = actions.add_parser(
            "target", help="appliquer le rendu ciblé à un fichier d'isolats"
        )
        p_target.add_argument("file", metavar="FILE", type=Path)
        p_target.add_argument(
            "--out", type=Path, required=True, metavar="FILE", help="CSV, ou Parquet (.parquet)"
        )
        p_target.add_argument(
            "--no-log",
            action="store_true",
            help="ne pas inscrire les isolats au journal des rendus ciblés de l'entrepôt",
        )
        add_warehouse_option(p_target)
        actions.add_parser("rules", help="afficher les règles en vigueur et leurs sources")
        p_sync = actions.add_parser(
            "sync", help="copier dans l'entrepôt le journal des rendus ciblés de l'API"
        )
        add_warehouse_option(p_sync)

    def handle(self, args: argparse.Namespace, config: EngineConfig) -> int:
        action = {"target": run_target, "rules": run_rules, "sync": run_sync}
        return action[args.ast_command](args, config)


def _count(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


def run_target(args: argparse.Namespace, config: EngineConfig) -> int:
    from cratb.engine.ast.batch import target_file
    from cratb.engine.ast.rules import RuleError, load_rules
    from cratb.engine.sources import RefusedFile
    from cratb.engine.warehouse import WarehouseError

    try:
        rules = load_rules(rules_dir=config.rules_dir)
        report = target_file(
            args.file,
            args.out,
            warehouse=warehouse(args, config),
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
    print(summary(report, rules_file=rules.path))
    return EXIT_OK


def summary(report: TargetReport, *, rules_file: Path) -> str:
    speed = report.isolates / report.seconds if report.seconds else 0.0
    lines = [
        f"Règles : {report.rules} ({rules_file}).",
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


def run_rules(args: argparse.Namespace, config: EngineConfig) -> int:
    from cratb.engine.ast.rules import RuleError, load_rules

    try:
        rules = load_rules(rules_dir=config.rules_dir)
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


def run_sync(args: argparse.Namespace, config: EngineConfig) -> int:
    from cratb.bootstrap import ConfigurationError, setup_django
    from cratb.engine.warehouse import WarehouseError

    try:
        setup_django()
    except ConfigurationError as exc:
        print(f"cratb : {exc}", file=sys.stderr)
        return EXIT_FAILURE
    from cratb.resistance.services import sync_targeted_log

    target = warehouse(args, config)
    try:
        copied = sync_targeted_log(warehouse=target)
    except WarehouseError as exc:
        print(f"cratb : {exc}", file=sys.stderr)
        return EXIT_FAILURE
    print(f"Journal de l'API : {_count(copied)} rendu(s) copié(s) dans l'entrepôt {target}.")
    return EXIT_OK
