"""``cratb reference show|import-atc-ddd|import-aware``: reference tables and their editions.

New editions are written to the folder named by ``CRATB_REFERENCE_DIR`` when it is set
(an installed platform), otherwise into the project's own data folder: ``cratb/cli.py``
hands that folder to the reference tables before any command runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from cratb.commands.base import EXIT_OK, Command, CommandError

TYPE_CHECKING = False  # typing's flag without importing typing: `cratb --help` stays quick
if TYPE_CHECKING:
    from cratb.engine.config import EngineConfig
    from cratb.engine.reference.importers import EditionReport


EDITION_LABELS = {
    "atc_ddd": "Index ATC/DDD de l'OMS",
    "aware": "Classification AWaRe de l'OMS",
    "population": "Population (INSEE)",
}


class ReferenceCommand(Command):
    name = "reference"
    help = "données de référence (ATC/DDD, AWaRe, territoires)"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="reference_command", metavar="ACTION", required=True)
        actions.add_parser("show", help="afficher les éditions des tables de référence")
        p_atc = actions.add_parser(
            "import-atc-ddd", help="importer l'index ATC/DDD officiel de l'OMS"
        )
        p_atc.add_argument("file", type=Path)
        p_atc.add_argument("--edition", required=True, help="date de l'édition, ex. 2026-04-25")
        p_aware = actions.add_parser("import-aware", help="importer le classeur AWaRe de l'OMS")
        p_aware.add_argument("file", type=Path)
        p_aware.add_argument("--edition", required=True, help="année de l'édition, ex. 2025")

    def handle(self, args: argparse.Namespace, config: EngineConfig) -> int:
        return run_reference(args)


def run_reference(args: argparse.Namespace) -> int:
    from cratb.engine.reference.importers import (
        RefusedReferenceFile,
        import_atc_ddd,
        import_aware,
    )

    action: str = args.reference_command
    if action == "show":
        return _show()
    importer = {"import-atc-ddd": import_atc_ddd, "import-aware": import_aware}[action]
    try:
        report = importer(args.file, edition=args.edition)
    except RefusedReferenceFile as exc:
        raise CommandError(str(exc)) from None
    _print_report(report)
    return EXIT_OK


def _show() -> int:
    from cratb.engine import reference
    from cratb.engine.reference import storage

    current = reference.editions()
    for key, label in EDITION_LABELS.items():
        print(f"{label} : édition {current.get(key, 'absente')}")
    agents = reference.antibacterials()
    with_ddd = sum(1 for ab in agents.values() if ab.ddds)
    with_aware = sum(1 for ab in agents.values() if ab.aware)
    print(
        f"Antibactériens : {len(agents)} (dont {with_ddd} avec DDD OMS, "
        f"{with_aware} classés AWaRe, {sum(ab.critical for ab in agents.values())} critiques)"
    )
    print(
        f"Territoires : {len(reference.regions())} régions, "
        f"{len(reference.departements())} départements"
    )
    print("Dossiers lus : " + ", ".join(str(folder) for folder in storage.search_dirs()))
    return EXIT_OK


def _print_report(report: EditionReport) -> None:
    label = EDITION_LABELS[report.kind]
    if report.unchanged:
        print(f"{label} : édition {report.edition} déjà présente, inchangée ({report.path}).")
    else:
        print(
            f"{label} : édition {report.edition} écrite ({report.rows} lignes, "
            f"{report.skipped} hors champ) dans {report.path}."
        )
    print(f"Édition en usage : {report.edition}.")
