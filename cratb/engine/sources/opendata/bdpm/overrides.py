"""The region's corrections to the product catalogue built from the drug database.

A CSV file with the columns of ``products`` (CONTRACTS.md 1.2) and a ``reason``: ``cip13``
and ``reason`` are required, every other cell may be left empty, and a filled cell wins
over what was parsed from the BDPM (a file can fix only the ATC code of a presentation,
or give only the DDD per box of a combination without a WHO DDD). A presentation absent
from the BDPM can be given whole. ``,`` or ``;`` separated, UTF-8 or Windows-1252, decimal
comma or point.

Versioning: corrections are kept in the region's reference folder as
``bdpm_overrides/<YYYY-MM-DD>.csv``, one file per edition, never edited in place; the
edition is the file's date and is recorded with every product it changed, so a figure
can always be traced to the corrections it used. ``latest_edition`` finds the newest.

A file with any bad row is refused whole, naming the line and the column: corrections are
few and hand-written, so a partly applied file would hide a typing error.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

from cratb.engine.sources.opendata.text import decode, french_number
from cratb.engine.sources.report import RefusedFile

__all__ = [
    "COLUMNS",
    "FOLDER",
    "Override",
    "Overrides",
    "latest_edition",
    "read_overrides",
]

FOLDER = "bdpm_overrides"
COLUMNS = (
    "cip13",
    "label",
    "atc",
    "route",
    "units_per_box",
    "amount_per_unit",
    "amount_unit",
    "ddd_per_box",
    "reason",
)
ROUTES = ("O", "P", "R", "Inhal")
AMOUNT_UNITS = ("g", "mg", "MU")
_EDITION = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CIP13 = re.compile(r"^\d{13}$")
_ATC5 = re.compile(r"^[A-Z]\d{2}[A-Z]{2}\d{2}$")


@dataclass(frozen=True)
class Override:
    """One corrected presentation; None means « keep what was parsed »."""

    cip13: str
    reason: str
    line: int
    label: str | None = None
    atc: str | None = None
    route: str | None = None
    units_per_box: float | None = None
    amount_per_unit: float | None = None
    amount_unit: str | None = None
    ddd_per_box: float | None = None


@dataclass(frozen=True)
class Overrides:
    edition: str  # the file's date, YYYY-MM-DD, or its name when not dated
    file: str
    sha256: str
    rows: dict[str, Override]

    def atc_codes(self) -> dict[str, str]:
        """CIP13 → ATC code, for the presentations whose code the file gives."""
        return {cip13: o.atc for cip13, o in self.rows.items() if o.atc}


def latest_edition(reference_dir: Path) -> Path | None:
    """The newest ``bdpm_overrides/<YYYY-MM-DD>.csv`` of a reference folder, or None."""
    folder = reference_dir / FOLDER
    if not folder.is_dir():
        return None
    dated = sorted(p for p in folder.glob("*.csv") if _EDITION.match(p.stem))
    return dated[-1] if dated else None


def _refuse(path: Path, line: int, column: str, why: str) -> RefusedFile:
    return RefusedFile(f"{path.name}, ligne {line}, colonne « {column} » : {why}")


def _positive(path: Path, line: int, column: str, cell: str) -> float | None:
    if not cell:
        return None
    value = french_number(cell)
    if value is None:
        raise _refuse(path, line, column, f"nombre attendu, lu « {cell} »")
    if value <= 0:
        raise _refuse(path, line, column, f"doit être strictement positif : « {cell} »")
    return value


def read_overrides(path: Path) -> Overrides:
    """Read and check a corrections file; RefusedFile (one French line naming the line
    and column) on the first bad cell."""
    if not path.is_file():
        raise RefusedFile(f"fichier de corrections introuvable : {path}")
    data = path.read_bytes()
    text, _ = decode(data)
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        names = [n.strip().lower() for n in next(reader)]
    except StopIteration:
        raise RefusedFile(f"{path.name} : fichier de corrections vide") from None
    for required in ("cip13", "reason"):
        if required not in names:
            raise RefusedFile(f"{path.name} : colonne obligatoire « {required} » manquante")
    unknown = [n for n in names if n not in COLUMNS]
    if unknown:
        raise RefusedFile(
            f"{path.name} : colonne inconnue « {unknown[0]} » ; colonnes admises :"
            f" {', '.join(COLUMNS)}"
        )
    rows: dict[str, Override] = {}
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(names):
            raise RefusedFile(
                f"{path.name}, ligne {line} : {len(cells)} champs lus, {len(names)} attendus"
            )
        row = {n: c.strip() for n, c in zip(names, cells, strict=True)}
        cip13 = row["cip13"]
        if not _CIP13.match(cip13):
            raise _refuse(path, line, "cip13", f"13 chiffres attendus, lu « {cip13} »")
        if cip13 in rows:
            raise _refuse(path, line, "cip13", f"« {cip13} » déjà corrigé ligne {rows[cip13].line}")
        if not row["reason"]:
            raise _refuse(path, line, "reason", "la raison de la correction est obligatoire")
        atc = row.get("atc", "").upper() or None
        if atc and not _ATC5.match(atc):
            raise _refuse(path, line, "atc", f"code ATC de niveau 5 attendu, lu « {atc} »")
        route = row.get("route", "") or None
        if route and route not in ROUTES:
            raise _refuse(
                path,
                line,
                "route",
                f"valeur inconnue « {route} » ; valeurs admises : O, P, R, Inhal",
            )
        unit = row.get("amount_unit", "") or None
        if unit and unit not in AMOUNT_UNITS:
            raise _refuse(
                path,
                line,
                "amount_unit",
                f"valeur inconnue « {unit} » ; valeurs admises : g, mg, MU",
            )
        amount = _positive(path, line, "amount_per_unit", row.get("amount_per_unit", ""))
        if (amount is None) != (unit is None):
            raise _refuse(
                path,
                line,
                "amount_unit",
                "amount_per_unit et amount_unit vont ensemble (les deux ou aucun)",
            )
        rows[cip13] = Override(
            cip13=cip13,
            reason=row["reason"],
            line=line,
            label=row.get("label", "") or None,
            atc=atc,
            route=route,
            units_per_box=_positive(path, line, "units_per_box", row.get("units_per_box", "")),
            amount_per_unit=amount,
            amount_unit=unit,
            ddd_per_box=_positive(path, line, "ddd_per_box", row.get("ddd_per_box", "")),
        )
    edition = path.stem if _EDITION.match(path.stem) else path.name
    return Overrides(
        edition=edition, file=path.name, sha256=hashlib.sha256(data).hexdigest(), rows=rows
    )
