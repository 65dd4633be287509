"""``cratb indicators list|compute|publish`` and ``cratb ddd report``."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable, Sequence
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
    from datetime import date

    from cratb.engine.config import EngineConfig
    from cratb.engine.indicators import Indicator

SHOWN_ROWS = 40


class IndicatorsCommand(Command):
    name = "indicators"
    help = "catalogue d'indicateurs"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="indicators_command", metavar="ACTION", required=True)
        p_list = actions.add_parser(
            "list", help="lister les indicateurs (id, titre, unité, lower_is_better)"
        )
        p_list.add_argument(
            "--format",
            choices=["text", "csv", "markdown"],
            default="text",
            help=(
                "présentation (défaut : text ; markdown : le tableau du catalogue de"
                " docs/indicators.md)"
            ),
        )
        p_list.add_argument(
            "-v",
            "--verbose",
            action="store_true",
            help="définitions complètes de chaque indicateur",
        )
        p_compute = actions.add_parser("compute", help="calculer un indicateur")
        p_compute.add_argument("id", metavar="ID")
        p_compute.add_argument(
            "--by", default="", help="colonnes de regroupement, séparées par des virgules"
        )
        p_compute.add_argument(
            "--from",
            dest="date_from",
            default=None,
            metavar="DATE",
            help="premier jour (AAAA-MM-JJ)",
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
        p_compute.add_argument(
            "--source",
            choices=["lines", "aggregate"],
            default=None,
            help=(
                "consommation de ville : lignes de délivrance (lines) ou données agrégées,"
                " Open Medic… (aggregate) ; défaut : les lignes si elles sont importées"
            ),
        )
        add_warehouse_option(p_compute)
        p_publish = actions.add_parser(
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
        add_warehouse_option(p_publish)

    def handle(self, args: argparse.Namespace, config: EngineConfig) -> int:
        action = {"list": run_list, "compute": run_compute, "publish": run_publish}
        return action[args.indicators_command](args, config)


class DddCommand(Command):
    name = "ddd"
    help = "DDJ par produit"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="ddd_command", metavar="ACTION", required=True)
        p_report = actions.add_parser(
            "report", help="DDJ par boîte de chaque produit, avec le motif quand elle manque"
        )
        p_report.add_argument(
            "--out", type=Path, default=None, help="fichier résultat (.csv, .parquet ou .xlsx)"
        )
        add_warehouse_option(p_report)

    def handle(self, args: argparse.Namespace, config: EngineConfig) -> int:
        return run_ddd_report(args, config)


def parse_date(text: str | None, option: str) -> date | None:
    from datetime import date

    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option} {text} : date attendue au format AAAA-MM-JJ") from None


def parse_by(text: str) -> tuple[str, ...]:
    return tuple(c.strip().lower() for c in text.split(",") if c.strip())


def parse_params(items: Sequence[str]) -> dict[str, float]:
    params: dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        try:
            if not sep:
                raise ValueError
            params[name.strip()] = float(value.replace(",", "."))
        except ValueError:
            raise CommandError(
                f"--param {item} : NOM=NOMBRE attendu (ex. baseline_year=2019)"
            ) from None
    return params


def run_list(args: argparse.Namespace, config: EngineConfig) -> int:
    import pyarrow as pa

    from cratb.engine.indicators import CATALOGUE
    from cratb.engine.tabular import write_table

    rows = [
        (
            ind.id,
            ind.title_fr,
            ind.unit,
            "oui" if ind.lower_is_better else ("non" if ind.lower_is_better is False else "—"),
        )
        for ind in CATALOGUE.values()
    ]
    if args.format == "csv":
        out = pa.table(
            {
                "id": [r[0] for r in rows],
                "title": [r[1] for r in rows],
                "unit": [r[2] for r in rows],
                "lower_is_better": [CATALOGUE[r[0]].lower_is_better for r in rows],
            }
        )
        write_table(out, sys.stdout)
        return EXIT_OK
    if args.format == "markdown":
        print(markdown_catalogue(CATALOGUE.values()), end="")
        return EXIT_OK
    print(format_rows(("id", "titre", "unité", "plus bas = mieux"), rows))
    if args.verbose:
        for ind in CATALOGUE.values():
            print(f"\n{ind.id} — {ind.title_fr} / {ind.title_en}")
            print(f"  unité : {ind.unit}")
            print(f"  numérateur : {ind.numerator}")
            print(f"  dénominateur : {ind.denominator}")
            print(f"  --by admis : {', '.join(ind.by) or 'aucun'}")
            if ind.parameters:
                print(
                    f"  paramètres : {', '.join(f'{k}={v:g}' for k, v in ind.parameters.items())}"
                )
            for target in ind.targets:
                print(f"  objectif : {target.label} ({target.source})")
            print(f"  source : {ind.source}")
            print(f"  grain : {ind.description}")
    return EXIT_OK


def markdown_catalogue(indicators: Iterable[Indicator]) -> str:
    """The catalogue table of docs/indicators.md (English, as the docs are): one row per
    indicator with its title, unit, whether lower is better and its --by columns."""
    better = {True: "yes", False: "no", None: "—"}
    lines = [
        "| id | title | unit | lower is better | `--by` |",
        "|---|---|---|---|---|",
    ]
    for ind in indicators:
        by = ", ".join(ind.by) or "—"
        if ind.always_by:
            by += f" (always {', '.join(ind.always_by)})"
        cells = (f"`{ind.id}`", ind.title_en, ind.unit_en, better[ind.lower_is_better], by)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def format_rows(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    texts = [[_cell(v) for v in row] for row in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in texts)) for i, h in enumerate(header)]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in texts]
    return "\n".join(lines)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e4 else f"{value:.0f}"
    return str(value)


def run_compute(args: argparse.Namespace, config: EngineConfig) -> int:
    from cratb.engine.backends import open_session
    from cratb.engine.errors import EngineError
    from cratb.engine.indicators import Query, compute
    from cratb.engine.tabular import TabularError, write_table
    from cratb.engine.warehouse import WarehouseError

    query = Query(
        by=parse_by(args.by),
        date_from=parse_date(args.date_from, "--from"),
        date_to=parse_date(args.date_to, "--to"),
        params=parse_params(args.param or []),
        source=args.source,
    )
    if args.out is not None and args.out.suffix.lower() not in (".csv", ".parquet", ".xlsx"):
        raise CommandError(f"--out {args.out} : extension .csv, .parquet ou .xlsx attendue")
    started = time.perf_counter()
    if sys.stderr.isatty():
        print(f"  {args.id} : calcul sur {args.backend}…", file=sys.stderr, flush=True)
    try:
        with open_session(
            warehouse=warehouse(args, config),
            backend=args.backend,
            memory_limit=config.duckdb_memory_limit,
            spark=config.spark,
        ) as session:
            result = compute(args.id, session, query)
    except WarehouseError as exc:
        print(f"cratb : {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except EngineError as exc:
        raise CommandError(str(exc)) from exc
    for warning in result.warnings:
        print(f"cratb : attention : {warning}", file=sys.stderr)
    table = result.table
    if args.out is not None:
        try:
            write_table(table, args.out)
        except TabularError as exc:
            raise CommandError(str(exc)) from exc
        print(
            f"{result.indicator.id} : {table.num_rows} ligne(s), période {result.date_from} –"
            f" {result.date_to}, écrites dans {args.out} ({time.perf_counter() - started:.1f} s)"
        )
        return EXIT_OK
    print(
        f"{result.indicator.id} — {result.indicator.title_fr} ({result.indicator.unit}),"
        f" période {result.date_from} – {result.date_to}"
    )
    rows = table.slice(0, SHOWN_ROWS).to_pylist()
    print(format_rows(table.column_names, [list(r.values()) for r in rows]))
    if table.num_rows > SHOWN_ROWS:
        print(f"… {table.num_rows - SHOWN_ROWS} ligne(s) de plus : utiliser --out FICHIER.csv")
    return EXIT_OK


def run_ddd_report(args: argparse.Namespace, config: EngineConfig) -> int:
    from cratb.engine.backends import open_session
    from cratb.engine.errors import EngineError
    from cratb.engine.indicators.reports import ddd_report
    from cratb.engine.tabular import TabularError, write_table
    from cratb.engine.warehouse import WarehouseError

    try:
        with open_session(
            warehouse=warehouse(args, config), memory_limit=config.duckdb_memory_limit
        ) as session:
            table = ddd_report(session)
    except WarehouseError as exc:
        print(f"cratb : {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except EngineError as exc:
        raise CommandError(str(exc)) from exc
    if args.out is not None:
        try:
            write_table(table, args.out)
        except TabularError as exc:
            raise CommandError(str(exc)) from exc
        print(f"DDJ par produit : {table.num_rows} produit(s) écrits dans {args.out}")
        return EXIT_OK
    statuses = table.column("ddd_status").to_pylist()
    problems = sum(s in ("not_computable", "unknown_product") for s in statuses)
    rows = [
        (r["cip13"], r["label"] or "", r["atc"] or "", r["route"] or "", r["ddd_per_box"],
         r["ddd_status_label"], r["dispensed_boxes"], r["ddd_reason"])
        for r in table.to_pylist()
    ]  # fmt: skip
    print(
        format_rows(
            ("cip13", "libellé", "atc", "voie", "DDJ/boîte", "statut", "boîtes", "motif"), rows
        )
    )
    print(
        f"{table.num_rows} produit(s), dont {problems} sans DDJ calculable"
        + (" : leurs boîtes sont exclues des DDJ." if problems else ".")
    )
    return EXIT_OK


def run_publish(args: argparse.Namespace, config: EngineConfig) -> int:
    """Compute the catalogue for the chosen years and publish it to the web database."""
    from cratb.bootstrap import ConfigurationError, setup_django

    try:
        setup_django()
    except ConfigurationError as exc:
        print(f"cratb : {exc}", file=sys.stderr)
        return EXIT_FAILURE
    from cratb.dashboards.services import PublicationError, create_publication, run_publication

    try:
        publication = create_publication(
            years=args.year or (), indicators=args.indicator or (), backend=args.backend
        )
    except PublicationError as exc:
        raise CommandError(str(exc)) from exc
    started = time.perf_counter()

    def step(p: object) -> None:
        print(
            f"  [{p.steps_done}/{p.steps_total}] {p.message}",  # type: ignore[attr-defined]
            flush=True,
        )

    publication = run_publication(publication, warehouse=warehouse(args, config), on_step=step)
    for warning in publication.warnings:
        print(f"cratb : attention : {warning}", file=sys.stderr)
    if publication.status != publication.Status.DONE:
        print(f"cratb : publication impossible : {publication.message}", file=sys.stderr)
        return EXIT_FAILURE
    print(
        f"Publication n° {publication.pk} : {publication.values_count} valeur(s) pour"
        f" {', '.join(str(y) for y in publication.years)} en"
        f" {time.perf_counter() - started:.1f} s."
    )
    return EXIT_OK
