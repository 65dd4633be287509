"""Publishing the indicator catalogue from the warehouse to the web database."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
from django.conf import settings
from django.db import transaction

from cratb.dashboards.models import DataImport, IndicatorValue, Publication
from cratb.engine import warehouse as store
from cratb.engine.backends import open_session
from cratb.engine.errors import EngineError
from cratb.engine.indicators import (
    CATALOGUE,
    Indicator,
    Query,
    available_years,
    compute,
)
from cratb.security import without_paths

__all__ = [
    "PublicationError",
    "create_publication",
    "delete_upload",
    "run_import",
    "run_publication",
]

LOCATION_COLUMNS = ("year", "month", "departement", "region")
BATCH = 2000


class PublicationError(RuntimeError):
    """A publication cannot run (no warehouse, unknown indicator…); French, one line."""


def create_publication(
    *,
    years: Iterable[int] = (),
    indicators: Iterable[str] = (),
    backend: str = "duckdb",
    requested_by: Any = None,
) -> Publication:
    indicators = list(indicators)
    unknown = [i for i in indicators if i not in CATALOGUE]
    if unknown:
        raise PublicationError(f"indicateur inconnu : {', '.join(unknown)}")
    return Publication.objects.create(
        years=sorted(set(years)),
        indicators=indicators,
        backend=backend,
        requested_by=requested_by,
    )


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) or math.isinf(number) else number


def _json_value(value: Any) -> Any:
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _values(
    publication: Publication,
    indicator: Indicator,
    grouping: tuple[str, ...],
    rows: list[dict[str, Any]],
    *,
    period: tuple[date, date],
) -> list[IndicatorValue]:
    standard = {"numerator", "denominator", "value", "ci_low", "ci_high"}
    by = [c for c in indicator.columns(grouping) if c not in standard]
    by = [c for c in by if c not in indicator.extra_columns]
    out = []
    for row in rows:
        out.append(
            IndicatorValue(
                publication=publication,
                indicator=indicator.id,
                grouping=",".join(by),
                period_start=period[0],
                period_end=period[1],
                year=row.get("year") or period[0].year,
                month=row.get("month") or "",
                departement=row.get("departement") or "",
                region=row.get("region") or "",
                dimensions={c: _json_value(row[c]) for c in by if c not in LOCATION_COLUMNS},
                individual="prescriber_id" in by,
                numerator=_number(row.get("numerator")),
                denominator=_number(row.get("denominator")),
                value=_number(row.get("value")),
                ci_low=_number(row.get("ci_low")),
                ci_high=_number(row.get("ci_high")),
                extra={c: _json_value(row[c]) for c in indicator.extra_columns if c in row},
            )
        )
    return out


def run_publication(
    publication: Publication,
    *,
    warehouse: Path | None = None,
    on_step: Callable[[Publication], None] | None = None,
) -> Publication:
    """Compute the publication's indicators for its years and store the values.

    The values are computed first (progress saved after each step, so a page can show
    it), then written in one transaction that also removes the values they replace:
    readers see either the previous publication or the new one, never a mix.
    """
    warehouse = warehouse or Path(settings.CRATB_WAREHOUSE)
    try:
        return _run(publication, warehouse=warehouse, on_step=on_step)
    except (EngineError, PublicationError) as exc:
        publication.fail(without_paths(str(exc)))
        return publication


def preparers() -> dict[str, Callable[..., object]]:
    """How the web platform does each preparation an indicator may declare
    (``PREPARATIONS`` of the catalogue), by its key."""
    from cratb.network.warehouse import write_territories
    from cratb.resistance.services import sync_targeted_log

    return {"targeted_reports": sync_targeted_log, "territories": write_territories}


def _run(
    publication: Publication,
    *,
    warehouse: Path,
    on_step: Callable[[Publication], None] | None,
) -> Publication:
    if not warehouse.exists():
        raise PublicationError(
            f"entrepôt introuvable : {warehouse} (importer des données d'abord : cratb import"
            " ou cratb demo)"
        )
    indicators = [CATALOGUE[i] for i in (publication.indicators or list(CATALOGUE))]
    values: list[IndicatorValue] = []
    warnings: list[str] = []
    for preparation in dict.fromkeys(p for i in indicators for p in i.prepare):
        preparers()[preparation](warehouse=warehouse)
    editions: dict[str, str] = {}
    engine = settings.CRATB_ENGINE
    with open_session(
        warehouse=warehouse,
        backend=publication.backend,
        memory_limit=engine.duckdb_memory_limit,
        spark=engine.spark,
    ) as session:
        plan: list[tuple[Indicator, int]] = []
        for indicator in indicators:
            if not all(session.has(t) for t in indicator.tables):
                warnings.append(
                    f"{indicator.id} : non publié, il manque les données"
                    f" {', '.join(t for t in indicator.tables if not session.has(t))}"
                )
                continue
            years = available_years(session, indicator)
            if publication.years:
                years = [y for y in years if y in publication.years]
            plan += [(indicator, y) for y in years]
        publication.years = sorted({y for _, y in plan}) or publication.years
        publication.start(steps_total=len(plan))
        for indicator, year in plan:
            period = (date(year, 1, 1), date(year, 12, 31))
            for grouping in indicator.publish_groupings():
                query = Query(by=grouping, date_from=period[0], date_to=period[1])
                result = compute(indicator.id, session, query)
                values += _values(
                    publication, indicator, grouping, result.table.to_pylist(), period=period
                )
                _merge_editions(editions, result.editions)
                warnings += [
                    f"{indicator.id} {year} : {w}"
                    for w in result.warnings
                    if f"{indicator.id} {year} : {w}" not in warnings
                ]
            publication.advance(message=f"{indicator.title_fr} — {year}")
            if on_step:
                on_step(publication)
    with transaction.atomic():
        covered = {(i.id, y) for i, y in plan}
        for indicator_id, year in covered:
            IndicatorValue.objects.filter(indicator=indicator_id, year=year).exclude(
                publication=publication
            ).delete()
        IndicatorValue.objects.bulk_create(values, batch_size=BATCH)
        publication.values_count = len(values)
        publication.warnings = warnings
        publication.editions = editions
        publication.succeed()
    return publication


#: Rejections kept in the web database for the import page (all are in the warehouse).
SHOWN_REJECTIONS = 200


def run_import(data_import: DataImport, *, warehouse: Path | None = None) -> DataImport:
    """Import an uploaded file into the warehouse and keep its report on the record.

    The raw file is deleted once the import has ended, whatever its outcome (accepted,
    refused, failed): only the report stays (docs/security.md). Messages name the file as
    the user named it, never by its place on the server."""
    try:
        return _import(data_import, warehouse=warehouse or Path(settings.CRATB_WAREHOUSE))
    finally:
        delete_upload(data_import)


def delete_upload(data_import: DataImport) -> None:
    """Remove the raw file of an import (and the report file written beside it)."""
    if not data_import.file.name:
        return
    path = Path(data_import.file.path)
    path.with_name(path.name + ".report.json").unlink(missing_ok=True)
    data_import.file.delete(save=False)
    DataImport.objects.filter(pk=data_import.pk).update(file="")


def _public(message: str, data_import: DataImport) -> str:
    names: dict[Path | str, str] = {}
    if data_import.file.name:
        names[Path(data_import.file.path)] = data_import.original_name
    return without_paths(message, names=names)


def _import(data_import: DataImport, *, warehouse: Path) -> DataImport:
    from cratb.engine.sources import RefusedFile, import_file

    salt = None
    if data_import.hash_ids:
        salt = settings.CRATB_ENGINE.id_salt
        if not salt.strip():
            data_import.refuse(
                "le hachage des identifiants demande le sel secret CRATB_ID_SALT,"
                " absent de la configuration du serveur",
            )
            return data_import
    data_import.start(stage="démarrage")
    path = Path(data_import.file.path)
    try:
        report = import_file(
            data_import.kind,
            path,
            warehouse=warehouse,
            report_path=path.with_name(path.name + ".report.json"),
            id_salt=salt,
            on_stage=data_import.set_stage,
            memory_limit=settings.CRATB_ENGINE.duckdb_memory_limit,
        )
    except RefusedFile as exc:
        data_import.refuse(_public(str(exc), data_import))
        return data_import
    except EngineError as exc:
        data_import.fail(_public(str(exc), data_import))
        return data_import
    payload = asdict(report)
    payload["rejections"] = payload["rejections"][:SHOWN_REJECTIONS]
    payload["file"] = data_import.original_name
    data_import.read, data_import.accepted = report.read, report.accepted
    data_import.rejected = report.rejected
    data_import.already_imported = report.already_imported
    data_import.report = payload
    data_import.succeed()
    return data_import


def _merge_editions(editions: dict[str, str], more: dict[str, str]) -> None:
    """Add ``more`` to ``editions``; the population years of the years published add up
    (« 2024, 2025 »), any other kind keeps its one edition."""
    for kind, edition in more.items():
        if kind == "population" and kind in editions:
            years = {y.strip() for y in f"{editions[kind]},{edition}".split(",") if y.strip()}
            editions[kind] = ", ".join(sorted(years))
        else:
            editions[kind] = edition


def warehouse_imports(warehouse: Path, *, limit: int = 50) -> tuple[list[dict[str, Any]], str]:
    """The files recorded in the warehouse (imported from the web *or* the command line),
    newest first, and a one-line French message when the warehouse cannot be read."""
    if not warehouse.exists():
        return [], ""
    try:
        con = store.connect(warehouse, read_only=True)
    except store.WarehouseError as exc:
        return [], without_paths(str(exc))
    try:
        found = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'imports'"
        ).fetchone()
        if not found or not found[0]:
            return [], ""
        rows = con.execute(
            "SELECT id, kind, file, read, accepted, rejected, imported_at FROM imports "
            "ORDER BY imported_at DESC, id DESC LIMIT ?",
            [limit],
        ).fetchall()
    except duckdb.Error as exc:
        return [], without_paths(f"entrepôt illisible : {str(exc).splitlines()[0]}")
    finally:
        con.close()
    return [
        {
            "id": int(i),
            "kind": str(kind),
            "file": Path(str(file)).name,
            "read": int(read),
            "accepted": int(accepted),
            "rejected": int(rejected),
            "imported_at": at,
        }
        for i, kind, file, read, accepted, rejected, at in rows
    ], ""
