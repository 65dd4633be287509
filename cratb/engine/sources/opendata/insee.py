"""Reading INSEE's population estimates by département (or region), sex and age band.

INSEE publishes « Estimation de la population au 1er janvier, par département, sexe et
grande classe d'âge » (``estim-pop-dep-sexe-gca-1975-<year>.xlsx``) and the same by
five-year age band (``estim-pop-dep-sexe-aq-1975-<year>.xlsx``), and both by region
(``estim-pop-nreg-sexe-…``). Layout of each workbook:

- one sheet per year, named by the year (« 2024 »); other sheets (notes) are ignored;
- title rows above the header (« Estimation de la population au 1er janvier 2024, par
  département, sexe et grande classe d'âge »);
- a header of two rows: « Départements » (or « Régions »), then the groups « Ensemble »,
  « Hommes », « Femmes », each a cell merged over its columns; below them the age bands
  (« 0 à 19 ans », « 20 à 39 ans » … « 75 ans et plus », or « 0 à 4 ans » … « 95 ans et
  plus ») and « Total »;
- one row per département: code (« 01 », « 2A », « 971 ») in the first column, name in
  the second, then the counts;
- total rows (« France métropolitaine », « DOM », « France métropolitaine et DOM ») and
  footnotes (« Source : Insee, estimations de population (résultats provisoires arrêtés
  fin 2023) ») below: skipped, and listed.

Rows come out at the finest grain the file gives (year × territory × sex × age band),
as ``population`` rows (CONTRACTS.md 1.3); the « Total » and « Ensemble » columns are
used to check each row (a row whose bands do not add up is rejected, not repaired). The
workbook is streamed (openpyxl read-only): a sheet is never held whole in memory.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pyarrow as pa

from cratb.engine import reference
from cratb.engine.sources.opendata.text import fold, french_number
from cratb.engine.sources.report import RefusedFile

__all__ = [
    "POPULATION_SCHEMA",
    "InseePopulation",
    "PopulationRejection",
    "age_band",
    "read_population",
]

POPULATION_SCHEMA = pa.schema(
    [
        ("year", pa.int32()),
        ("departement", pa.string()),  # NULL in a file by region
        ("region", pa.string()),
        ("sex", pa.string()),  # F, M
        ("age_band", pa.string()),  # « 0-19 », « 75+ »
        ("population", pa.int64()),
        ("provisional", pa.bool_()),  # INSEE's provisional estimates (the latest years)
    ]
)
_SEXES = {"ENSEMBLE": None, "HOMMES": "M", "FEMMES": "F"}
_BAND = re.compile(r"^(\d+) (?:A|-) (\d+) ANS?$")
_OPEN_BAND = re.compile(r"^(\d+) ANS? (?:ET|OU) PLUS$")
_UNDER = re.compile(r"^MOINS DE (\d+) ANS?$")
_YEAR = re.compile(r"^\s*(\d{4})\s*$")


@dataclass(frozen=True)
class PopulationRejection:
    sheet: str
    row: int  # row of the sheet, as a spreadsheet shows it (1-based)
    column: str | None  # the header of the faulty column, None for the whole row
    reason: str


@dataclass
class InseePopulation:
    """Population rows (``POPULATION_SCHEMA``), the rows rejected with their reasons,
    the rows skipped (totals, notes) and the counts of territory rows."""

    level: str  # departement or region
    table: pa.Table
    rejections: list[PopulationRejection]
    read: int  # territory rows read, over all year sheets
    accepted: int
    skipped: list[tuple[str, int, str]] = field(default_factory=list)  # sheet, row, text
    sheets: list[str] = field(default_factory=list)
    ignored_sheets: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        rejected = len({(r.sheet, r.row) for r in self.rejections})
        if self.read != self.accepted + rejected:
            raise AssertionError(f"{self.read} read != {self.accepted} + {rejected} rejected")

    @property
    def rejected(self) -> int:
        return len({(r.sheet, r.row) for r in self.rejections})


def age_band(label: str) -> str | None:
    """The project's age band of an INSEE column label: « 0 à 19 ans » → ``0-19``,
    « 75 ans et plus » → ``75+``, « Moins de 20 ans » → ``0-19``; None otherwise."""
    text = fold(label)
    if m := _BAND.match(text):
        return f"{int(m.group(1))}-{int(m.group(2))}"
    if m := _OPEN_BAND.match(text):
        return f"{int(m.group(1))}+"
    if m := _UNDER.match(text):
        return f"0-{int(m.group(1)) - 1}"
    return None


@dataclass(frozen=True)
class _Column:
    index: int
    sex: str | None  # None: Ensemble
    band: str | None  # None: Total
    header: str


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _layout(rows: Sequence[Sequence[object]]) -> tuple[list[_Column], int, str] | None:
    """The count columns, the index of the first data row and the level, found from the
    two header rows (groups, then age bands) among the first rows of a sheet."""
    for i in range(len(rows) - 1):
        groups = [fold(_text(c)) for c in rows[i]]
        if "HOMMES" not in groups or "FEMMES" not in groups:
            continue
        first = fold(_text(rows[i][0]))
        level = "region" if first.startswith("REGION") else "departement"
        bands = rows[i + 1]
        columns = []
        current: str | None = None
        for j, cell in enumerate(bands):
            group = groups[j] if j < len(groups) else ""
            if group in _SEXES:
                current = group
            label = _text(cell)
            if current is None or not label:
                continue
            header = f"{current.capitalize()} {label}"
            if fold(label) == "TOTAL":
                columns.append(_Column(j, _SEXES[current], None, header))
            elif band := age_band(label):
                columns.append(_Column(j, _SEXES[current], band, header))
        if columns:
            return columns, i + 2, level
    return None


def _code(value: object) -> str:
    text = _text(value).upper()
    return f"0{text}" if text.isdigit() and len(text) == 1 else text


def _count(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    number = french_number(_text(value))
    return int(number) if number is not None and number.is_integer() else None


def _open(path: Path) -> openpyxl.Workbook:
    if not path.is_file():
        raise RefusedFile(f"fichier introuvable : {path}")
    with path.open("rb") as f:
        head = f.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise RefusedFile(
            f"{path.name} : classeur Excel 97-2003 (.xls) : l'enregistrer au format .xlsx"
        )
    if not head.startswith(b"PK\x03\x04"):
        raise RefusedFile(f"{path.name} : pas un classeur .xlsx")
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise RefusedFile(f"{path.name} : classeur .xlsx illisible ({exc})") from exc


def _rows(sheet: object) -> Iterator[tuple[object, ...]]:
    iter_rows = getattr(sheet, "iter_rows", None)
    if iter_rows is None:  # a chart sheet
        return iter(())
    rows: Iterator[tuple[object, ...]] = iter_rows(values_only=True)
    return rows


def read_population(path: Path, *, years: Sequence[int] | None = None) -> InseePopulation:
    """Read an INSEE estimates workbook (every year sheet, or only ``years``); RefusedFile
    (one French line) when it is not a readable .xlsx or has no year sheet with the
    expected header."""
    workbook = _open(path)
    out: list[dict[str, object]] = []
    rejections: list[PopulationRejection] = []
    skipped: list[tuple[str, int, str]] = []
    sheets: list[str] = []
    ignored: list[str] = []
    read = accepted = 0
    levels: set[str] = set()
    try:
        for name in workbook.sheetnames:
            m = _YEAR.match(name)
            if not m or (years is not None and int(m.group(1)) not in years):
                ignored.append(name)
                continue
            year = int(m.group(1))
            sheet = _Sheet(name, year, _rows(workbook[name]), path.name)
            rows, sheet_rejections = sheet.read()
            sheets.append(name)
            levels.add(sheet.level)
            out.extend(rows)
            rejections.extend(sheet_rejections)
            skipped.extend(sheet.skipped)
            read += sheet.read_rows
            accepted += sheet.accepted_rows
    finally:
        workbook.close()
    if not sheets:
        raise RefusedFile(
            f"{path.name} : aucune feuille nommée par une année (« 2024 »…) ;"
            f" feuilles lues : {', '.join(ignored) or 'aucune'}"
        )
    if len(levels) > 1:
        raise RefusedFile(f"{path.name} : feuilles par département et par région mêlées")
    return InseePopulation(
        level=levels.pop(),
        table=pa.Table.from_pylist(out, schema=POPULATION_SCHEMA),
        rejections=rejections,
        read=read,
        accepted=accepted,
        skipped=skipped,
        sheets=sheets,
        ignored_sheets=ignored,
    )


class _Sheet:
    """One year sheet, read row by row."""

    HEADER_ROWS = 15  # the header is found among the first rows

    def __init__(self, name: str, year: int, rows: Iterator[tuple[object, ...]], file: str):
        self.name, self.year, self.rows, self.file = name, year, rows, file
        self.level = "departement"
        self.skipped: list[tuple[str, int, str]] = []
        self.read_rows = self.accepted_rows = 0

    def read(self) -> tuple[list[dict[str, object]], list[PopulationRejection]]:
        head = []
        for row in self.rows:
            head.append(row)
            if len(head) == self.HEADER_ROWS:
                break
        layout = _layout(head)
        if layout is None:
            raise RefusedFile(
                f"{self.file}, feuille {self.name} : en-tête introuvable (groupes Ensemble,"
                " Hommes, Femmes au-dessus des tranches d'âge et Total)"
            )
        columns, first_data, self.level = layout
        known = reference.regions() if self.level == "region" else reference.departements()
        provisional = False
        seen: dict[str, int] = {}
        out: list[dict[str, object]] = []
        rejections: list[PopulationRejection] = []
        data = [*head[first_data:]]

        def every_row() -> Iterator[tuple[int, tuple[object, ...]]]:
            yield from enumerate(data, start=first_data + 1)
            yield from enumerate(self.rows, start=len(head) + 1)

        for number, row in every_row():
            texts = [_text(c) for c in row if _text(c)]
            if any("PROVISOIRE" in fold(t) for t in texts):
                provisional = True
            code = _code(row[0] if row else None)
            if not re.fullmatch(r"\d{2,3}|2A|2B", code):
                if texts:
                    self.skipped.append((self.name, number, " ".join(texts)[:120]))
                continue
            self.read_rows += 1
            reasons = self._check(row, code, columns, known, seen.get(code))
            if reasons:
                rejections.extend(
                    PopulationRejection(self.name, number, column, reason)
                    for column, reason in reasons
                )
                continue
            seen[code] = number
            self.accepted_rows += 1
            for column in columns:
                if column.sex is None or column.band is None:
                    continue
                out.append(
                    {
                        "year": self.year,
                        "departement": code if self.level == "departement" else None,
                        "region": code
                        if self.level == "region"
                        else reference.departement(code).region_code,
                        "sex": column.sex,
                        "age_band": column.band,
                        "population": _count(row[column.index]),
                    }
                )
        for row_out in out:
            row_out["provisional"] = provisional
        return out, rejections

    def _check(
        self,
        row: Sequence[object],
        code: str,
        columns: list[_Column],
        known: dict[str, reference.Region] | dict[str, reference.Departement],
        first: int | None,
    ) -> list[tuple[str | None, str]]:
        what = "région" if self.level == "region" else "département"
        if code not in known:
            return [(None, f"code {what} INSEE inconnu « {code} »")]
        if first is not None:
            return [(None, f"{what} {code} déjà lu ligne {first}")]
        values: dict[tuple[str | None, str | None], int] = {}
        reasons: list[tuple[str | None, str]] = []
        for column in columns:
            cell = row[column.index] if column.index < len(row) else None
            value = _count(cell)
            if value is None or value < 0:
                shown = _text(cell) or "vide"
                reasons.append((column.header, f"nombre entier positif attendu, lu « {shown} »"))
            else:
                values[(column.sex, column.band)] = value
        if reasons:
            return reasons
        bands = sorted({c.band for c in columns if c.band is not None})
        for sex in {c.sex for c in columns}:
            total = values.get((sex, None))
            parts = [values[(sex, b)] for b in bands if (sex, b) in values]
            if total is not None and parts and sum(parts) != total:
                group = {None: "Ensemble", "M": "Hommes", "F": "Femmes"}[sex]
                reasons.append(
                    (
                        f"{group} Total",
                        f"total {total} ≠ somme des tranches d'âge {sum(parts)}",
                    )
                )
        for band in [*bands, None]:
            both = values.get(("M", band)), values.get(("F", band))
            whole = values.get((None, band))
            if whole is not None and None not in both and whole != sum(v or 0 for v in both):
                shown = band or "Total"
                reasons.append(
                    (
                        f"Ensemble {shown}",
                        f"ensemble {whole} ≠ hommes + femmes {sum(v or 0 for v in both)}",
                    )
                )
        if not any(c.sex is not None and c.band is not None for c in columns):
            reasons.append((None, "ni Hommes ni Femmes par tranche d'âge dans cette feuille"))
        return reasons
