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
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from cratb.cli import EXIT_FAILURE, EXIT_OK, CommandError, default_warehouse
from cratb.engine.demo import IMPORT_ORDER, DemoError, DemoFiles, DemoSpec, generate
from cratb.engine.demo.resistance import DemoSampleError, load_samples, write_samples
from cratb.engine.sources import RefusedFile

PROJECT_DIR = Path(__file__).resolve().parent.parent.parent


def default_demo_dir(spec: DemoSpec) -> Path:
    """``var/demo/<region>-<scale>-<seed>-<year>/`` under $CRATB_VAR_DIR or the project."""
    base = Path(os.environ.get("CRATB_VAR_DIR", PROJECT_DIR / "var"))
    return base / "demo" / spec.folder_name


def _count(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def _plural(n: int, word: str) -> str:
    return f"{_count(n)} {word}{'s' if n > 1 else ''}"


def mark_demo() -> None:
    """This data folder holds a demonstration platform: the web settings turn debug pages
    and a local secret key on for it (cratb/settings.py). CRATB_DEMO=false: no mark."""
    if os.environ.get("CRATB_DEMO", "").strip().lower() in {"0", "false", "no", "off"}:
        return
    base = Path(os.environ.get("CRATB_VAR_DIR", PROJECT_DIR / "var"))
    base.mkdir(parents=True, exist_ok=True)
    (base / "demo-mode").write_text(
        "Plateforme de démonstration créée par « cratb demo » : pages de débogage et clé\n"
        "secrète locale. Supprimez ce fichier pour la traiter comme une production.\n",
        encoding="utf-8",
    )
    os.environ.setdefault("CRATB_DEMO", "true")


def format_logins(rows: Sequence[tuple[str, str, str]]) -> str:
    """The demo logins as a plain-text table (identifiant, mot de passe, rôle)."""
    header = ("Identifiant", "Mot de passe", "Rôle")
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(3)]
    line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

    def fmt(row: tuple[str, str, str]) -> str:
        return "| " + " | ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) + " |"

    return "\n".join([line, fmt(header), line, *(fmt(r) for r in rows), line])


def _import_files(files: DemoFiles, *, warehouse: Path, progress: bool) -> int:
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
    from cratb.accounts.demo import ensure_demo_users
    from cratb.network.demo import build_demo as build_directory
    from cratb.network.territories import sync_territories
    from cratb.resistance.demo import build_demo as build_lab
    from cratb.training.demo import build_demo as build_training

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
    from cratb.advice.demo import build_demo as build_advice_demo

    advice = build_advice_demo(region_code=spec.region_code, seed=spec.seed, year=spec.year)
    print(f"  conseil : {advice}")
    lab = build_lab(region_code=spec.region_code, warehouse=warehouse)
    if lab is not None:
        print(f"  laboratoire de démonstration {lab.lab_id} : jeton d'API {lab.token}")
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


def run_demo(args: argparse.Namespace) -> int:
    from cratb.bootstrap import ConfigurationError

    try:
        spec = DemoSpec(
            region_code=str(args.region), scale=args.scale, seed=args.seed, year=args.year
        )
    except DemoError as exc:
        raise CommandError(str(exc)) from exc
    out_dir: Path = args.out or default_demo_dir(spec)
    warehouse: Path = args.warehouse or default_warehouse()
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

    print(f"==> Import dans l'entrepôt {warehouse}")
    rejected = _import_files(files, warehouse=warehouse, progress=on_terminal)
    if not rejected:
        try:
            lines = load_samples(
                samples,
                warehouse=warehouse,
                isolates_csv=files.files["isolates"],
                out_dir=out_dir,
                seed=spec.seed,
            )
        except (DemoSampleError, RefusedFile) as exc:
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
    mark_demo()
    try:
        logins = _web(spec, files, warehouse)
    except ConfigurationError as exc:
        print(f"cratb : {exc}", file=sys.stderr)
        return EXIT_FAILURE
    print("==> Publication des indicateurs de la région de démonstration")
    published = _publish(warehouse)
    if published is not None:
        print(f"cratb : publication des indicateurs impossible : {published}", file=sys.stderr)
        return EXIT_FAILURE
    print("\nComptes de démonstration (pour un poste de démonstration uniquement) :")
    print(format_logins(logins))
    print(f"Terminé en {time.perf_counter() - started:.1f} s.")
    return EXIT_OK
