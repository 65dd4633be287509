"""``cratb reference show|import-atc-ddd|import-aware``: reference tables and their editions.

New editions are written to the folder named by ``CRATB_REFERENCE_DIR`` when it is set
(an installed platform), otherwise into the project's own data folder.
"""

from __future__ import annotations

import argparse

from cratb.cli import EXIT_OK, CommandError
from cratb.engine import reference
from cratb.engine.reference import storage
from cratb.engine.reference.importers import (
    EditionReport,
    RefusedReferenceFile,
    import_atc_ddd,
    import_aware,
)

EDITION_LABELS = {
    "atc_ddd": "Index ATC/DDD de l'OMS",
    "aware": "Classification AWaRe de l'OMS",
    "population": "Population (INSEE)",
}


def run_reference(args: argparse.Namespace) -> int:
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
