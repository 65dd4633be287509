"""``cratb lab-codes``: the correspondence table of the labs' own antibiotic codes."""

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
    from cratb.engine.config import EngineConfig


class LabCodesCommand(Command):
    name = "lab-codes"
    help = "table de correspondance des codes d'antibiotiques des laboratoires (→ WHONET)"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="lab_codes_command", metavar="ACTION", required=True)
        p_show = actions.add_parser("show", help="afficher la version en vigueur")
        add_warehouse_option(p_show)
        p_import = actions.add_parser(
            "import", help="remplacer la table par un CSV lab_id,lab_code,whonet (nouvelle version)"
        )
        p_import.add_argument("file", metavar="FILE", type=Path)
        p_import.add_argument("--note", default="", help="motif de la modification")
        add_warehouse_option(p_import)
        p_export = actions.add_parser("export", help="écrire la version en vigueur en CSV")
        p_export.add_argument(
            "file", metavar="FILE", type=Path, nargs="?", default=None, help="défaut : la sortie"
        )
        add_warehouse_option(p_export)

    def handle(self, args: argparse.Namespace, config: EngineConfig) -> int:
        return run_lab_codes(args, config)


def run_lab_codes(args: argparse.Namespace, config: EngineConfig) -> int:
    from cratb.engine.sources import lab_codes
    from cratb.engine.warehouse import WarehouseError

    target = warehouse(args, config)
    try:
        if args.lab_codes_command == "show":
            return _show(target)
        if args.lab_codes_command == "export":
            codes = lab_codes.read_current(target)
            text = lab_codes.to_csv(codes)
            if args.file is None or str(args.file) == "-":
                sys.stdout.write(text)
            else:
                args.file.write_text(text, encoding="utf-8")
                print(f"Version {codes.version} ({len(codes.rows)} codes) écrite dans {args.file}.")
            return EXIT_OK
        return _import(target, args.file, note=args.note)
    except lab_codes.LabCodeError as exc:
        print(f"cratb : table de correspondance refusée, rien n'a été enregistré : {exc}",
              file=sys.stderr)  # fmt: skip
        return EXIT_USAGE
    except WarehouseError as exc:
        print(f"cratb : {exc}", file=sys.stderr)
        return EXIT_FAILURE


def _show(warehouse: Path) -> int:
    from cratb.engine.sources import lab_codes

    codes = lab_codes.read_current(warehouse)
    if not codes.version:
        print(
            "Aucune table de correspondance enregistrée : les codes doivent être des codes WHONET."
        )
        return EXIT_OK
    print(
        f"Version {codes.version}, du {codes.changed_at} par {codes.changed_by}"
        + (f" ({codes.note})" if codes.note else "")
        + f" : {len(codes.rows)} codes."
    )
    for row in codes.rows:
        print(f"  {row.lab_id:<20} {row.lab_code:<12} → {row.whonet}")
    return EXIT_OK


def _import(warehouse: Path, path: Path, *, note: str) -> int:
    import getpass

    from cratb.engine.sources import lab_codes

    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        text = path.read_text(encoding="cp1252")
    except OSError as exc:
        print(f"cratb : fichier illisible {path} : {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    before = lab_codes.read_current(warehouse).version
    saved = lab_codes.save(
        warehouse,
        lab_codes.parse_csv(text),
        changed_by=f"{getpass.getuser()} (ligne de commande)",
        note=note or f"import de {path.name}",
    )
    if saved.version == before:
        print(f"Table identique à la version {saved.version} : rien de nouveau n'a été enregistré.")
    else:
        print(f"Version {saved.version} enregistrée : {len(saved.rows)} codes.")
    return EXIT_OK
