"""``cratb demo``: build a demonstration region (interfaces.md section C).

1. write the input files of CONTRACTS.md for the region (engine, pure);
2. import each of them into the warehouse (engine importers);
3. unless ``--no-web``: mark the data folder as a demonstration (``var/demo-mode``:
   debug pages and a local secret key, cratb/settings.py), territories and one demo user
   per role in the web database, then print the demo logins.

Safe to run twice: the files are byte-identical, so the importers store
nothing new, and the demo users are kept.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from cratb.commands.base import (
    EXIT_FAILURE,
    EXIT_OK,
    Command,
    CommandError,
    add_warehouse_option,
    warehouse,
)

TYPE_CHECKING = False  # typing's flag without importing typing: `cratb --help` stays quick
if TYPE_CHECKING:
    from cratb.engine.config import EngineConfig
    from cratb.engine.demo import DemoFiles, DemoSpec


DEFAULT_REGION = "11"


class DemoCommand(Command):
    name = "demo"
    help = "générer une région de démonstration (fichiers d'entrée puis import)"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--region",
            default=DEFAULT_REGION,
            help="code INSEE de la région (défaut : 11, Île-de-France)",
        )
        parser.add_argument(
            "--scale",
            type=float,
            default=0.01,
            help="part de la population simulée (1 = toute la région ; défaut : 0.01)",
        )
        parser.add_argument("--seed", type=int, default=1, help="graine du générateur (défaut : 1)")
        parser.add_argument("--year", type=int, default=2025, help="année simulée (défaut : 2025)")
        parser.add_argument(
            "--baseline-year",
            type=int,
            default=2019,
            help=(
                "année de référence ajoutée aux délivrances, au niveau national de cette"
                " année-là (défaut : 2019, référence de l'objectif national ; 0 : aucune)"
            ),
        )
        parser.add_argument("--out", type=Path, default=None, help="dossier des fichiers générés")
        parser.add_argument(
            "--files-only", action="store_true", help="écrire les fichiers sans les importer"
        )
        parser.add_argument(
            "--no-web",
            action="store_true",
            help="ne pas créer les comptes et le répertoire de démonstration dans la base web",
        )
        add_warehouse_option(parser)

    def handle(self, args: argparse.Namespace, config: EngineConfig) -> int:
        return run_demo(args, config)


def default_demo_dir(spec: DemoSpec, *, var_dir: Path) -> Path:
    """``demo/<region>-<scale>-<seed>-<year>/`` in the local data folder ``var_dir``
    ($CRATB_VAR_DIR, else ``var/`` in the project)."""
    return var_dir / "demo" / spec.folder_name


def _count(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def _plural(n: int, word: str) -> str:
    return f"{_count(n)} {word}{'s' if n > 1 else ''}"


def mark_demo(config: EngineConfig) -> None:
    """This data folder holds a demonstration platform: the web settings turn debug pages
    and a local secret key on for it (cratb/settings.py). CRATB_DEMO=false: no mark."""
    if config.demo is False:
        return
    config.var_dir.mkdir(parents=True, exist_ok=True)
    (config.var_dir / "demo-mode").write_text(
        "Plateforme de démonstration créée par « cratb demo » : pages de débogage et clé\n"
        "secrète locale. Supprimez ce fichier pour la traiter comme une production.\n",
        encoding="utf-8",
    )


def format_logins(rows: Sequence[tuple[str, str, str]]) -> str:
    """The demo logins as a plain-text table (identifiant, mot de passe, rôle)."""
    header = ("Identifiant", "Mot de passe", "Rôle")
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(3)]
    line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

    def fmt(row: tuple[str, str, str]) -> str:
        return "| " + " | ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) + " |"

    return "\n".join([line, fmt(header), line, *(fmt(r) for r in rows), line])


def _import_files(
    files: DemoFiles, *, warehouse: Path, progress: bool, memory_limit: str | None
) -> int:
    from cratb.engine.demo import IMPORT_ORDER
    from cratb.engine.sources import RefusedFile, import_file

    rejected = 0
    work = [(kind, files.files[kind]) for kind in IMPORT_ORDER if kind in files.files]
    work += list(files.baseline.items())
    for kind, path in work:
        try:
            report = import_file(
                kind,
                path,
                warehouse=warehouse,
                report_path=path.with_name(f"{path.stem}.report.json"),
                progress=progress,
                memory_limit=memory_limit,
            )
        except RefusedFile as exc:
            raise CommandError(f"{path} refusé : {exc}") from exc
        state = "déjà importé, rien de nouveau" if report.already_imported else "importé"
        print(
            f"  {path.stem} : {_plural(report.read, 'ligne')} lue{'s' if report.read > 1 else ''}, "
            f"{_count(report.accepted)} acceptée{'s' if report.accepted > 1 else ''}, "
            f"{_count(report.rejected)} rejetée{'s' if report.rejected > 1 else ''} ({state})"
        )
        rejected += report.rejected
    return rejected


def _web(spec: DemoSpec, files: DemoFiles, warehouse: Path) -> list[tuple[str, str, str]]:
    from cratb.bootstrap import setup_django

    setup_django()
    from cratb.demo.accounts import ensure_demo_users
    from cratb.demo.network import build_demo as build_directory
    from cratb.demo.resistance import build_demo as build_lab
    from cratb.demo.training import build_demo as build_training
    from cratb.network.territories import sync_territories

    written = sync_territories()
    print(f"  territoires : {_plural(written, 'ligne')} écrite{'s' if written > 1 else ''}")
    logins = [
        (x.username, x.password, x.role_label)
        for x in ensure_demo_users(region_code=spec.region_code)
    ]
    directory = build_directory(
        region_code=spec.region_code,
        seed=spec.seed,
        scale=spec.scale,
        establishments=files.establishments,
    )
    print(f"  annuaire : {directory.summary}")
    training = build_training(region_code=spec.region_code, seed=spec.seed, year=spec.year)
    print(f"  formation : {training.summary}")
    from cratb.demo.guidelines import build_demo as build_guidelines

    print(f"  recommandations : {build_guidelines().summary}")
    from cratb.demo.letters import build_demo as build_letters

    print(f"  actualités et lettres : {build_letters().summary}")
    from cratb.demo.site import build_demo as build_site

    print(f"  site public : {build_site(region_code=spec.region_code).summary}")
    from cratb.demo.advice import build_demo as build_advice_demo

    advice = build_advice_demo(region_code=spec.region_code, seed=spec.seed, year=spec.year)
    print(f"  conseil : {advice}")
    from cratb.demo.audits import build_demo as build_audits

    audits = build_audits(region_code=spec.region_code, seed=spec.seed, year=spec.year)
    print(f"  audits : {audits.summary}")
    # After the audits: the EMA activity reports count the audits their teams took part in.
    from cratb.demo.activity import build_demo as build_activity

    activity = build_activity(region_code=spec.region_code, seed=spec.seed, year=spec.year)
    print(f"  activité : {activity.summary}")
    from cratb.demo.outreach import build_demo as build_outreach

    outreach = build_outreach(
        seed=spec.seed, year=spec.year, warehouse=warehouse, visits=files.visits
    )
    print(f"  campagnes : {outreach.summary}")
    lab = build_lab(region_code=spec.region_code, warehouse=warehouse, year=spec.year)
    if lab is not None:
        print(f"  laboratoire de démonstration {lab.lab_id} : jeton d'API {lab.token}")
        print(
            f"  laboratoire de démonstration : {lab.contrary} résultats contraires aux"
            " résistances naturelles (page « Résultats à vérifier »)"
        )
    return logins


def _publish(warehouse: Path) -> str | None:
    """Publish the catalogue computed on the demo data; the error message, or None."""
    from cratb.dashboards.services import create_publication, run_publication

    publication = run_publication(create_publication(), warehouse=warehouse)
    if publication.status != publication.Status.DONE:
        return publication.message
    print(
        f"  {_count(publication.values_count)} valeurs publiées"
        f" ({len(publication.warnings)} avertissement"
        f"{'s' if len(publication.warnings) > 1 else ''} :"
        " voir la page « Publications » de la plateforme)"
    )
    return None


def run_demo(args: argparse.Namespace, config: EngineConfig) -> int:
    from cratb.bootstrap import ConfigurationError
    from cratb.engine.demo import DemoError, DemoSpec, generate
    from cratb.engine.demo.resistance import load_samples, write_samples
    from cratb.engine.errors import EngineError

    try:
        spec = DemoSpec(
            region_code=str(args.region), scale=args.scale, seed=args.seed, year=args.year
        )
    except DemoError as exc:
        raise CommandError(str(exc)) from exc
    out_dir: Path = args.out or default_demo_dir(spec, var_dir=config.var_dir)
    target = warehouse(args, config)
    on_terminal = sys.stdout.isatty()
    started = time.perf_counter()

    print(f"==> Région de démonstration : fichiers dans {out_dir}")
    try:
        files = generate(
            spec,
            out_dir=out_dir,
            progress=lambda message: print(message, flush=True),
            baseline_year=None if args.baseline_year == 0 else args.baseline_year,
        )
        samples = write_samples(
            out_dir=out_dir,
            region_code=spec.region_code,
            year=spec.year,
            tag=spec.tag,
            seed=spec.seed,
        )
    except DemoError as exc:
        raise CommandError(str(exc)) from exc
    except OSError as exc:
        raise CommandError(f"écriture impossible dans {out_dir} : {exc.strerror}") from exc
    print(
        f"  {_count(sum(files.rows.values()))} lignes écrites en "
        f"{time.perf_counter() - started:.1f} s"
    )
    if args.files_only:
        return EXIT_OK

    print(f"==> Import dans l'entrepôt {target}")
    rejected = _import_files(
        files, warehouse=target, progress=on_terminal, memory_limit=config.duckdb_memory_limit
    )
    if not rejected:
        try:
            lines = load_samples(
                samples,
                warehouse=target,
                isolates_csv=files.files["isolates"],
                out_dir=out_dir,
                seed=spec.seed,
                rules_dir=config.rules_dir,
                memory_limit=config.duckdb_memory_limit,
            )
        except EngineError as exc:
            raise CommandError(str(exc)) from exc
        for line in lines:
            print(line)
    if rejected:
        print(
            f"cratb : {_plural(rejected, 'ligne')} de démonstration rejetée"
            f"{'s' if rejected > 1 else ''} : voir les rapports *.report.json dans {out_dir}.",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    if args.no_web:
        print(f"Terminé en {time.perf_counter() - started:.1f} s.")
        return EXIT_OK

    print("==> Base web : territoires et comptes de démonstration")
    mark_demo(config)
    try:
        logins = _web(spec, files, target)
    except ConfigurationError as exc:
        print(f"cratb : {exc}", file=sys.stderr)
        return EXIT_FAILURE
    print("==> Publication des indicateurs de la région de démonstration")
    published = _publish(target)
    if published is not None:
        print(f"cratb : publication des indicateurs impossible : {published}", file=sys.stderr)
        return EXIT_FAILURE
    from cratb.demo.reports import build_demo as build_report

    print(f"  rapport annuel : {build_report(year=spec.year).summary}")
    from cratb.demo.feedback import build_demo as build_feedback

    print(f"  rapports de retour : {build_feedback(year=spec.year).summary}")
    print("\nComptes de démonstration (pour un poste de démonstration uniquement) :")
    print(format_logins(logins))
    print(f"Terminé en {time.perf_counter() - started:.1f} s.")
    return EXIT_OK
