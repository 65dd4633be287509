"""Importers for new editions of the WHO reference tables.

- ``import_atc_ddd``: the WHO ATC/DDD index as distributed in CSV (columns ``atc_code,
  atc_name, ddd, uom, adm_r, note``; the names ``atc, unit, route`` are accepted too).
  Only the antibacterial part is kept (see ``SCOPE``).
- ``import_aware``: the WHO AWaRe spreadsheet (xlsx with columns ``Antibiotic, Class,
  ATC code, Category, Listed on EML/EMLc``, or the same as CSV). WHO marks route-specific
  entries with a ``_IV`` or ``_oral`` suffix on the name; they become routes ``P`` and ``O``.

Either writes ``<kind>/<edition>.csv`` in the data folder and makes it the current edition
in ``editions.json``. A file with any bad row is refused whole, with a one-line French
message naming the row and the column: a reference table is never half imported.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cratb.engine import reference
from cratb.engine.errors import EngineError
from cratb.engine.reference import storage

# The antibacterials for systemic use and the non-J01 agents WHO classifies in AWaRe
# (oral vancomycin, colistin, fidaxomicin…, rifamycins, oral imidazoles).
SCOPE = ("J01", "A07AA", "J04AB", "P01AB")
ATC_RE = re.compile(r"^[A-Z](\d{2}([A-Z]([A-Z](\d{2})?)?)?)?$")
EDITION_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,39}$")
ROUTE_RE = re.compile(r"^[A-Za-z][A-Za-z. ]{0,29}$")
UNITS = frozenset({"g", "mg", "mcg", "MU", "TU", "U", "UD", "mmol", "ml"})

ATC_DDD_COLUMNS = {
    "atc": ("atc_code", "atc"),
    "atc_name": ("atc_name", "name"),
    "ddd": ("ddd",),
    "unit": ("uom", "unit"),
    "route": ("adm_r", "route"),
    "note": ("note", "notes"),
}
AWARE_COLUMNS = {
    "antibiotic": ("antibiotic",),
    "class": ("class",),
    "atc": ("atc code", "atc_code", "atc"),
    "category": ("category", "aware_2023", "aware"),
    "eml": ("listed on eml/emlc", "listed_eml_emlc", "eml"),
}
ROUTE_SUFFIXES = {"_iv": "P", "_oral": "O"}


class RefusedReferenceFile(EngineError, ValueError):
    """The file cannot become a reference edition; the message is one French line."""


@dataclass(frozen=True)
class EditionReport:
    kind: str  # "atc_ddd" or "aware"
    edition: str
    path: Path  # the edition file written
    rows: int  # rows kept
    skipped: int  # rows outside the antibacterial scope or without an ATC code
    unchanged: bool  # the same edition with the same content was already there


# --- reading ----------------------------------------------------------------------------


def _decode(raw: bytes, source: Path) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RefusedReferenceFile(f"{source.name} : encodage illisible (UTF-8 ou Latin-1 attendu)")


def _csv_rows(path: Path) -> list[list[str]]:
    try:
        text = _decode(path.read_bytes(), path)
    except OSError as exc:
        raise RefusedReferenceFile(f"{path} : fichier illisible ({exc.strerror})") from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if any(row)]


def _xlsx_rows(path: Path, *, wanted: Iterable[str]) -> list[list[str]]:
    from openpyxl import load_workbook  # only needed for spreadsheets

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a bad file
        raise RefusedReferenceFile(f"{path.name} : classeur xlsx illisible ({exc})") from None
    wanted_set = {w.lower() for w in wanted}
    try:
        for sheet in workbook.worksheets:
            rows = [
                ["" if cell is None else str(cell).strip() for cell in row]
                for row in sheet.iter_rows(values_only=True)
            ]
            rows = [row for row in rows if any(row)]
            for start, row in enumerate(rows[:20]):
                if wanted_set <= {cell.lower() for cell in row}:
                    return rows[start:]
    finally:
        workbook.close()
    raise RefusedReferenceFile(
        f"{path.name} : aucune feuille avec les colonnes {', '.join(sorted(wanted_set))}"
    )


def _header_index(
    header: Sequence[str],
    columns: dict[str, tuple[str, ...]],
    *,
    required: Iterable[str],
    source: Path,
) -> dict[str, int]:
    normalised = [" ".join(cell.strip().lower().split()) for cell in header]
    index: dict[str, int] = {}
    for key, aliases in columns.items():
        for alias in aliases:
            matches = [i for i, name in enumerate(normalised) if name.startswith(alias)]
            if matches:
                index[key] = matches[0]
                break
    missing = [columns[key][0] for key in required if key not in index]
    if missing:
        raise RefusedReferenceFile(
            f"{source.name} : colonne obligatoire absente : {', '.join(missing)}"
        )
    return index


def _cell(row: Sequence[str], index: dict[str, int], key: str) -> str:
    position = index.get(key)
    if position is None or position >= len(row):
        return ""
    return row[position].strip()


def _check_edition(edition: str) -> str:
    edition = edition.strip()
    if not EDITION_RE.match(edition):
        raise RefusedReferenceFile(
            f"édition invalide : « {edition} » (lettres, chiffres, « . », « - » ou « _ »)"
        )
    return edition


# --- writing ----------------------------------------------------------------------------


def _publish(
    *, kind: str, edition: str, text: str, rows: int, skipped: int, data_dir: Path | None
) -> EditionReport:
    folder = data_dir if data_dir is not None else storage.write_dir()
    target = folder / kind / f"{edition}.csv"
    unchanged = False
    if target.is_file():
        if target.read_text(encoding="utf-8") != text:
            raise RefusedReferenceFile(
                f"l'édition {kind} « {edition} » existe déjà avec un autre contenu ({target}) ; "
                "choisissez un autre nom d'édition"
            )
        unchanged = True
    else:
        storage.atomic_write_text(target, text)
    storage.write_editions(folder, {kind: edition})
    reference.clear_caches()
    return EditionReport(
        kind=kind, edition=edition, path=target, rows=rows, skipped=skipped, unchanged=unchanged
    )


def _number(text: str, *, where: str) -> float:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise RefusedReferenceFile(f"{where} : « {text} » n'est pas un nombre") from None
    if not value > 0:
        raise RefusedReferenceFile(f"{where} : la DDD doit être positive (« {text} »)")
    return value


def _format_number(value: float) -> str:
    return f"{value:g}"


# --- ATC/DDD ----------------------------------------------------------------------------


def import_atc_ddd(path: Path, *, edition: str, data_dir: Path | None = None) -> EditionReport:
    """Import a WHO ATC/DDD index file as the edition ``edition`` (e.g. "2026-04-25")."""
    edition = _check_edition(edition)
    rows = _csv_rows(path)
    if not rows:
        raise RefusedReferenceFile(f"{path.name} : fichier vide")
    index = _header_index(
        rows[0], ATC_DDD_COLUMNS, required=("atc", "atc_name", "ddd", "unit", "route"), source=path
    )
    kept: list[dict[str, str]] = []
    seen: set[tuple[str, str, str, str]] = set()
    skipped = 0
    for number, row in enumerate(rows[1:], start=1):
        where = f"{path.name}, ligne {number}"
        atc = _cell(row, index, "atc").upper()
        if not ATC_RE.match(atc):
            raise RefusedReferenceFile(f"{where}, colonne atc_code : code ATC invalide « {atc} »")
        if not (atc == "J" or atc.startswith(SCOPE)):
            skipped += 1
            continue
        ddd_text, unit = _cell(row, index, "ddd"), _cell(row, index, "unit")
        route = _cell(row, index, "route")
        record = {
            "atc": atc,
            "atc_name": _cell(row, index, "atc_name"),
            "route": "",
            "ddd": "",
            "unit": "",
            "note": _cell(row, index, "note"),
        }
        if ddd_text.upper() in ("", "NA"):
            if unit or route:
                raise RefusedReferenceFile(f"{where}, colonne ddd : valeur absente pour {atc}")
        else:
            if len(atc) != 7:
                raise RefusedReferenceFile(
                    f"{where}, colonne ddd : une DDD n'existe qu'au niveau 5 de l'ATC ({atc})"
                )
            value = _number(ddd_text, where=f"{where}, colonne ddd")
            if unit not in UNITS:
                raise RefusedReferenceFile(
                    f"{where}, colonne uom : unité inconnue « {unit} » "
                    f"(attendu : {', '.join(sorted(UNITS))})"
                )
            if not ROUTE_RE.match(route):
                raise RefusedReferenceFile(f"{where}, colonne adm_r : voie invalide « {route} »")
            record.update(ddd=_format_number(value), unit=unit, route=route)
        key = (record["atc"], record["route"], record["ddd"], record["note"])
        if key in seen:
            continue
        seen.add(key)
        kept.append(record)
    if not any(r["atc"].startswith("J01") and r["ddd"] for r in kept):
        raise RefusedReferenceFile(
            f"{path.name} : aucune DDD d'antibactérien (J01) dans le fichier"
        )
    kept.sort(key=lambda r: (r["atc"], r["route"], r["ddd"]))
    text = storage.csv_text(("atc", "atc_name", "route", "ddd", "unit", "note"), kept)
    return _publish(
        kind="atc_ddd",
        edition=edition,
        text=text,
        rows=len(kept),
        skipped=skipped,
        data_dir=data_dir,
    )


# --- AWaRe ------------------------------------------------------------------------------


def _aware_route(name: str) -> tuple[str, str]:
    lowered = name.lower()
    for suffix, route in ROUTE_SUFFIXES.items():
        if lowered.endswith(suffix):
            return name[: -len(suffix)], route
    return name, ""


def import_aware(path: Path, *, edition: str, data_dir: Path | None = None) -> EditionReport:
    """Import the WHO AWaRe classification (xlsx or CSV) as the edition ``edition``."""
    edition = _check_edition(edition)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        if not path.is_file():
            raise RefusedReferenceFile(f"{path} : fichier introuvable")
        rows = _xlsx_rows(path, wanted=("antibiotic", "category"))
    else:
        rows = _csv_rows(path)
    if not rows:
        raise RefusedReferenceFile(f"{path.name} : fichier vide")
    index = _header_index(
        rows[0], AWARE_COLUMNS, required=("antibiotic", "atc", "category"), source=path
    )
    kept: dict[tuple[str, str], dict[str, str]] = {}
    skipped = 0
    for number, row in enumerate(rows[1:], start=1):
        where = f"{path.name}, ligne {number}"
        name = _cell(row, index, "antibiotic")
        if not name:
            continue
        atc = _cell(row, index, "atc").upper().replace(" ", "")
        if not ATC_RE.match(atc) or len(atc) != 7:
            # WHO lists a few agents with an ATC code "to be assigned": nothing to join on.
            skipped += 1
            continue
        category = _cell(row, index, "category").capitalize()
        if category not in reference.AWARE_CATEGORIES:
            raise RefusedReferenceFile(
                f"{where}, colonne Category : « {_cell(row, index, 'category')} » "
                "(attendu : Access, Watch ou Reserve)"
            )
        antibiotic, route = _aware_route(name)
        key = (atc, route)
        previous = kept.get(key)
        if previous is not None and previous["category"] != category:
            raise RefusedReferenceFile(
                f"{where} : {atc} classé à la fois {previous['category']} et {category}"
            )
        kept[key] = {
            "atc": atc,
            "antibiotic": antibiotic,
            "class": _cell(row, index, "class"),
            "route": route,
            "category": category,
            "eml": _cell(row, index, "eml"),
        }
    if not kept:
        raise RefusedReferenceFile(f"{path.name} : aucun antibiotique classé dans le fichier")
    ordered = [kept[key] for key in sorted(kept)]
    text = storage.csv_text(("atc", "antibiotic", "class", "route", "category", "eml"), ordered)
    return _publish(
        kind="aware",
        edition=edition,
        text=text,
        rows=len(ordered),
        skipped=skipped,
        data_dir=data_dir,
    )
