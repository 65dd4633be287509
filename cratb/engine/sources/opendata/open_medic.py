"""Reading a year of Open Medic (Assurance Maladie) into aggregated dispensing rows.

Open Medic (« base complète sur les dépenses de médicaments interrégimes ») is published
once a year as ``OPEN_MEDIC_<YEAR>.zip`` holding ``OPEN_MEDIC_<YEAR>.CSV``: one row per
CIP13 × age band × sex × region of the beneficiary × prescriber specialty, with the boxes
dispensed in community pharmacies and the amounts reimbursed. ``;``-separated, decimal
comma (amounts may group thousands with dots: ``1.234,56``), Latin-1, a header row whose
column names change case from year to year (``age``/``AGE``, ``l_cip13``/``L_CIP13``):
ATC1, l_ATC1 … ATC5, L_ATC5, CIP13, l_cip13, TOP_GEN, GEN_NUM, age, sexe, BEN_REG,
PSP_SPE, BOITES, REM, BSE (the ``NB_`` files add NBC, the number of consumers).

The source's codes are mapped to cratb's vocabularies (tables below, and in
docs/open-data.md): age 0 / 20 / 60 / 99 → ``0-19`` / ``20-59`` / ``60+`` / unknown; sex
1 / 2 / 9 → ``M`` / ``F`` / unknown; BEN_REG, the 2016 INSEE region codes, with 5 for all
overseas départements together, 93 for Provence-Alpes-Côte d'Azur and Corsica together,
0 / 9 / 99 unknown; PSP_SPE, the prescriber's specialty, to ``prescriber_specialty``.
Unknown in the source is NULL here; a code the source does not define rejects the row.

The file is read by DuckDB's CSV reader (an Open Medic year is about a million rows),
every row checked in SQL; ``read = accepted + rejected`` always holds.
"""

# ruff: noqa: S608 - only literals built by ``literal`` and fixed names reach the SQL text.
from __future__ import annotations

import codecs
import gzip
import re
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Protocol

import duckdb
import pyarrow as pa

from cratb.engine.sources.opendata.text import (
    CHUNK,
    LATIN1_FALLBACK,
    sha256_and_utf8,
    transcode_to_utf8,
)
from cratb.engine.sources.report import RefusedFile
from cratb.engine.sources.rules import literal

__all__ = [
    "ACCEPTED_SCHEMA",
    "AGE_BANDS",
    "REGIONS",
    "REJECTED_SCHEMA",
    "SEXES",
    "SPECIALTIES",
    "OpenMedicYear",
    "atc_by_cip13",
    "read_open_medic",
]

# age: Open Medic's age band at the time of dispensing.
AGE_BANDS: dict[str, str | None] = {"0": "0-19", "20": "20-59", "60": "60+", "99": None}
# sexe
SEXES: dict[str, str | None] = {"1": "M", "2": "F", "9": None}
# BEN_REG: INSEE 2016 region codes; two codes group several regions (their COG codes
# joined by « + », so that a population can be summed for them).
REGIONS: dict[str, str | None] = {
    "11": "11",  # Île-de-France
    "24": "24",  # Centre-Val de Loire
    "27": "27",  # Bourgogne-Franche-Comté
    "28": "28",  # Normandie
    "32": "32",  # Hauts-de-France
    "44": "44",  # Grand Est
    "52": "52",  # Pays de la Loire
    "53": "53",  # Bretagne
    "75": "75",  # Nouvelle-Aquitaine
    "76": "76",  # Occitanie
    "84": "84",  # Auvergne-Rhône-Alpes
    "93": "93+94",  # Provence-Alpes-Côte d'Azur and Corse, together in Open Medic
    "5": "01+02+03+04+06",  # « Régions et départements d'outre-mer », together
    "0": None,  # unknown
    "9": None,
    "99": None,
}
# PSP_SPE: the prescriber's specialty (« libéral » = in private practice).
SPECIALTIES: dict[str, str | None] = {
    "1": "general_practice",  # médecine générale libérale
    "2": "other_specialty",  # anesthésiologie-réanimation
    "3": "other_specialty",  # pathologie cardio-vasculaire
    "4": "other_specialty",  # chirurgie
    "5": "other_specialty",  # dermatologie et vénérologie
    "6": "other_specialty",  # radiologie
    "7": "other_specialty",  # gynécologie obstétrique
    "8": "other_specialty",  # gastro-entérologie et hépatologie
    "9": "other_specialty",  # médecine interne
    "11": "other_specialty",  # oto-rhino-laryngologie
    "12": "other_specialty",  # pédiatrie
    "13": "other_specialty",  # pneumologie
    "14": "other_specialty",  # rhumatologie
    "15": "other_specialty",  # ophtalmologie
    "17": "other_specialty",  # psychiatrie
    "18": "other_specialty",  # stomatologie (physicians)
    "19": "dentistry",  # chirurgie dentaire
    "31": "other_specialty",  # médecine physique et de réadaptation
    "32": "other_specialty",  # neurologie
    "35": "other_specialty",  # néphrologie
    "36": "dentistry",  # chirurgie dentaire (spécialiste ODF)
    "37": "other_specialty",  # anatomie-cytologie-pathologique
    "38": "other_specialty",  # directeur de laboratoire médecin
    "42": "other_specialty",  # endocrinologie et métabolismes
    "90": "hospital",  # prescripteurs salariés (hospital prescriptions filled in town)
    # « prescripteurs de ville autres que médecins (dentistes, auxiliaires médicaux,
    # laboratoires, sages-femmes) »: midwives cannot be told apart from the others.
    "98": "other",
    "99": None,  # valeur inconnue
}

# Source columns, lower case: (name in the output, required).
_COLUMNS = {
    "cip13": ("cip13", True),
    "atc5": ("atc", True),
    "age": ("source_age", True),
    "sexe": ("source_sex", True),
    "ben_reg": ("source_region", True),
    "psp_spe": ("source_specialty", True),
    "boites": ("boxes", True),
    "l_cip13": ("cip13_label", False),
    "top_gen": ("generic_status", False),
    "gen_num": ("generic_group", False),
    "rem": ("reimbursed", False),
    "bse": ("reimbursement_base", False),
    "nbc": ("patients", False),
}
_DUPLICATE_KEY = ("cip13", "source_age", "source_sex", "source_region", "source_specialty")

ACCEPTED_SCHEMA = pa.schema(
    [
        ("year", pa.int32()),
        ("region", pa.string()),
        ("age_band", pa.string()),
        ("sex", pa.string()),
        ("prescriber_specialty", pa.string()),
        ("cip13", pa.string()),
        ("atc", pa.string()),
        ("boxes", pa.int64()),
        ("patients", pa.int64()),  # NBC, when the file has it
        ("cip13_label", pa.string()),
        ("reimbursed", pa.float64()),  # REM, euros
        ("reimbursement_base", pa.float64()),  # BSE, euros
        ("generic_status", pa.string()),  # TOP_GEN as written
        ("generic_group", pa.string()),  # GEN_NUM as written
        ("source_age", pa.string()),
        ("source_sex", pa.string()),
        ("source_region", pa.string()),
        ("source_specialty", pa.string()),
    ]
)
REJECTED_SCHEMA = pa.schema(
    [
        ("row", pa.int64()),  # data row: 1 is the line after the header
        ("column", pa.string()),  # source column name, NULL for a malformed line
        ("reason", pa.string()),
        ("raw", pa.string()),  # the row's cells as JSON (or the line as read)
    ]
)

_MALFORMED = {
    "MISSING COLUMNS": "ligne mal formée : des champs manquent ({n} attendus)",
    "TOO MANY COLUMNS": "ligne mal formée : trop de champs ({n} attendus)",
    "UNQUOTED VALUE": "ligne mal formée : guillemet mal placé",
    "LINE SIZE OVER MAXIMUM": "ligne trop longue",
}
_YEAR = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)")
_INTEGER = r"^-?(\d+|\d{1,3}(\.\d{3})+)$"


@dataclass
class OpenMedicYear:
    """An Open Medic year read: accepted rows (``ACCEPTED_SCHEMA``), rejected rows with
    their reasons (``REJECTED_SCHEMA``, one row per faulty cell) and the counts."""

    year: int
    file: str
    sha256: str
    encoding: str
    read: int
    accepted: pa.Table
    rejected: pa.Table
    rejected_rows: int
    ignored_columns: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.read != self.accepted.num_rows + self.rejected_rows:
            raise AssertionError(
                f"{self.file}: {self.read} read != {self.accepted.num_rows} accepted"
                f" + {self.rejected_rows} rejected"
            )


def _year(path: Path, year: int | None) -> int:
    if year is None:
        found = _YEAR.findall(path.name)
        if len(set(found)) != 1:
            raise RefusedFile(
                f"{path.name} : année introuvable dans le nom du fichier"
                " (OPEN_MEDIC_AAAA) : la donner explicitement"
            )
        year = int(found[0])
    last = date.today().year + 1
    if not 1990 <= year <= last:
        raise RefusedFile(f"{path.name} : année hors de la période plausible 1990–{last} : {year}")
    return year


@contextmanager
def _utf8_csv(path: Path, workdir: Path | None) -> Iterator[tuple[Path, str]]:
    """The CSV to read, in UTF-8, and the encoding of the original: extracted from the
    zip (or gzip) and transcoded into a temporary folder when needed."""
    if not path.is_file():
        raise RefusedFile(f"fichier introuvable : {path}")
    if path.stat().st_size == 0:
        raise RefusedFile(f"{path.name} : fichier vide")
    with path.open("rb") as f:
        head = f.read(4)
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        target = Path(tmp) / "open_medic.csv"
        if head == b"PK\x03\x04":
            yield target, _unzip(path, target)
        elif head[:2] == b"\x1f\x8b":
            yield target, _gunzip(path, target)
        elif sha256_and_utf8(path)[1]:
            yield path, "utf-8"
        else:
            transcode_to_utf8(path, target)
            yield target, "windows-1252"


class _Stream(Protocol):
    """A binary stream opened in a ``with``: a zip member, a gzip file."""

    def read(self, size: int = -1, /) -> bytes: ...
    def __enter__(self) -> _Stream: ...
    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
        /,
    ) -> None: ...


def _copy_as_utf8(open_source: Callable[[], _Stream], target: Path) -> str:
    """Copy a stream as UTF-8 in one pass, transcoding from Windows-1252 on the way, and
    say which it was: a stream that turns out to be UTF-8 (with non-ASCII characters) is
    copied again as it is."""
    checker = codecs.getincrementaldecoder("utf-8")()
    utf8, ascii_only = True, True
    with open_source() as src, target.open("wb") as dst:
        while chunk := src.read(CHUNK):
            if utf8:
                try:
                    checker.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
            ascii_only = ascii_only and chunk.isascii()
            dst.write(chunk.decode("cp1252", errors=LATIN1_FALLBACK).encode("utf-8"))
    if utf8:
        try:
            checker.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    if not utf8:
        return "windows-1252"
    if not ascii_only:
        with open_source() as src, target.open("wb") as dst:
            shutil.copyfileobj(src, dst, CHUNK)
    return "utf-8"


def _unzip(path: Path, target: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            members = [
                m
                for m in archive.infolist()
                if not m.is_dir() and m.filename.lower().endswith((".csv", ".txt"))
            ]
            if len(members) != 1:
                listed = ", ".join(m.filename for m in archive.infolist()) or "aucun"
                raise RefusedFile(
                    f"{path.name} : un seul fichier CSV attendu dans l'archive, lu : {listed}"
                )
            return _copy_as_utf8(lambda: archive.open(members[0]), target)
    except (zipfile.BadZipFile, EOFError, zlib.error, OSError) as exc:
        raise RefusedFile(
            f"{path.name} : archive ZIP illisible ou tronquée ({exc}) : la télécharger à nouveau"
        ) from exc


def _gunzip(path: Path, target: Path) -> str:
    try:
        return _copy_as_utf8(lambda: gzip.open(path, "rb"), target)
    except (OSError, EOFError, zlib.error) as exc:
        raise RefusedFile(f"{path.name} : fichier gzip illisible ou tronqué ({exc})") from exc


def _header(path: Path, name: str) -> tuple[list[str], str]:
    with path.open(encoding="utf-8") as f:
        line = f.readline().lstrip("\ufeff").rstrip("\r\n")
    if not line.strip():
        raise RefusedFile(f"{name} : la première ligne (en-tête des colonnes) est vide")
    delimiter = max((";", ",", "\t"), key=line.count)
    return [cell.strip().strip('"') for cell in line.split(delimiter)], delimiter


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as f:
        f.seek(-1, 2)
        return f.read(1) == b"\n"


def _quoted(prefix: str, v: str) -> str:
    """SQL of a French reason ending with the offending cell: ``prefix « value »``."""
    return f"{literal(prefix + ' « ')} || left({v}, 40) || ' »'"


def _code_sql(v: str) -> str:
    """A code as Open Medic writes it, leading zeros dropped (« 05 » is 5, « 00 » is 0);
    anything else is left as it is and fails the code check."""
    return f"coalesce(nullif(ltrim({v}, '0'), ''), CASE WHEN {v} IS NOT NULL THEN '0' END)"


def _integer_sql(v: str) -> str:
    """A whole number, dots allowed as thousands separators (« 1.234 »); NULL otherwise
    (« 12,5 », « 12.5 » are not read as 12 or 13)."""
    return (
        f"CASE WHEN regexp_full_match({v}, '-?\\d+') THEN TRY_CAST({v} AS BIGINT)"
        f" WHEN regexp_full_match({v}, '-?\\d{{1,3}}(\\.\\d{{3}})+')"
        f" THEN TRY_CAST(replace({v}, '.', '') AS BIGINT) END"
    )


def _amount_sql(v: str) -> str:
    """A euro amount: ``1.234,56`` (dots group thousands), ``12,5``, ``12.5``; NULL
    otherwise."""
    return (
        f"CASE WHEN contains({v}, ',')"
        f" THEN TRY_CAST(replace(replace({v}, '.', ''), ',', '.') AS DOUBLE)"
        f" WHEN regexp_full_match({v}, '-?\\d{{1,3}}(\\.\\d{{3}})+')"
        f" THEN TRY_CAST(replace({v}, '.', '') AS DOUBLE)"
        f" ELSE TRY_CAST({v} AS DOUBLE) END"
    )


def _codes(mapping: Mapping[str, str | None]) -> str:
    return ", ".join(literal(code) for code in mapping)


def _map_sql(v: str, mapping: Mapping[str, str | None]) -> str:
    whens = " ".join(
        f"WHEN {literal(k)} THEN {'NULL' if m is None else literal(m)}" for k, m in mapping.items()
    )
    return f"CASE {v} {whens} END"


# Each source column: the SQL of its parsed value (from the trimmed cell ``c``), the SQL
# true when a present cell is valid (on the parsed value ``p``), the reason's prefix.
_PARSED: dict[str, tuple[str, str, str]] = {
    "cip13": ("c", "regexp_full_match(p, '\\d{13}')", "CIP13 de 13 chiffres attendu, lu"),
    "atc5": (
        "c",
        "regexp_full_match(p, '[A-Z]\\d{2}[A-Z]{2}\\d{2}')",
        "code ATC de niveau 5 attendu (ex. J01CA04), lu",
    ),
    "age": (
        _code_sql("c"),
        f"p IN ({_codes(AGE_BANDS)})",
        "tranche d'âge Open Medic inconnue (codes 0, 20, 60, 99) :",
    ),
    "sexe": (
        _code_sql("c"),
        f"p IN ({_codes(SEXES)})",
        "code sexe Open Medic inconnu (codes 1, 2, 9) :",
    ),
    "ben_reg": (_code_sql("c"), f"p IN ({_codes(REGIONS)})", "code région Open Medic inconnu :"),
    "psp_spe": (
        _code_sql("c"),
        f"p IN ({_codes(SPECIALTIES)})",
        "code de spécialité du prescripteur Open Medic inconnu :",
    ),
    "boites": (_integer_sql("c"), "p IS NOT NULL", "nombre entier de boîtes attendu, lu"),
    "rem": (_amount_sql("c"), "p IS NOT NULL", "montant attendu, lu"),
    "bse": (_amount_sql("c"), "p IS NOT NULL", "montant attendu, lu"),
    "nbc": (_integer_sql("c"), "p IS NOT NULL", "nombre entier attendu, lu"),
    "l_cip13": ("c", "true", ""),
    "top_gen": ("c", "true", ""),
    "gen_num": ("c", "true", ""),
}


def _substitute(template: str, **names: str) -> str:
    """``template`` with the whole words ``c`` / ``p`` replaced by column expressions."""
    return re.sub(r"\b([cp])\b", lambda m: names[m.group(1)], template)


def _staging_sql(present: Mapping[str, str], source: str) -> tuple[str, list[str]]:
    """The query adding to the trimmed cells of ``source`` each column's parsed value
    (``v_<key>``) and reason (``why_<key>``), and the keys of the columns checked."""
    parsed, reasons, checked = [], [], []
    for key in present:
        value, valid, prefix = _PARSED[key]
        cell = f'"{key}"'
        parsed_sql = _substitute(value, c=cell)
        parsed.append(f'{parsed_sql} AS "v_{key}"')
        if not prefix:
            continue
        check = _substitute(valid, p=f'"v_{key}"')
        bad = f"NOT ({check}) THEN {_quoted(prefix, cell)}"
        if _COLUMNS[key][1]:
            reasons.append(
                f"CASE WHEN {cell} IS NULL THEN 'valeur obligatoire manquante' WHEN {bad} END"
                f' AS "why_{key}"'
            )
        else:
            reasons.append(f'CASE WHEN {cell} IS NOT NULL AND {bad} END AS "why_{key}"')
        checked.append(key)
    return (
        f"SELECT *, {', '.join(reasons)} FROM (SELECT *, {', '.join(parsed)} FROM {source})",
        checked,
    )


def _values_sql(present: Mapping[str, str], *, year: int) -> str:
    """The SELECT list of an accepted row, in ``ACCEPTED_SCHEMA`` order."""

    def parsed(key: str, sql_type: str) -> str:
        return f'"v_{key}"' if key in present else f"CAST(NULL AS {sql_type})"

    values = {
        "year": f"CAST({year} AS INTEGER)",
        "region": _map_sql('"v_ben_reg"', REGIONS),
        "age_band": _map_sql('"v_age"', AGE_BANDS),
        "sex": _map_sql('"v_sexe"', SEXES),
        "prescriber_specialty": _map_sql('"v_psp_spe"', SPECIALTIES),
        "cip13": '"v_cip13"',
        "atc": '"v_atc5"',
        "boxes": '"v_boites"',
        "patients": parsed("nbc", "BIGINT"),
        "cip13_label": parsed("l_cip13", "VARCHAR"),
        "reimbursed": parsed("rem", "DOUBLE"),
        "reimbursement_base": parsed("bse", "DOUBLE"),
        "generic_status": parsed("top_gen", "VARCHAR"),
        "generic_group": parsed("gen_num", "VARCHAR"),
        "source_age": '"v_age"',
        "source_sex": '"v_sexe"',
        "source_region": '"v_ben_reg"',
        "source_specialty": '"v_psp_spe"',
    }
    return ", ".join(f'{sql} AS "{name}"' for name, sql in values.items())


def read_open_medic(
    path: Path, *, year: int | None = None, workdir: Path | None = None
) -> OpenMedicYear:
    """Read an Open Medic year (the published zip, its CSV, or a gzip of it). ``year``
    defaults to the one in the file name. RefusedFile (one French line) when the file
    cannot be read at all: not found, empty, a zip without one CSV or cut short, a
    missing column."""
    year = _year(path, year)
    sha256 = sha256_and_utf8(path)[0]
    with _utf8_csv(path, workdir) as (csv_path, encoding):
        names, delimiter = _header(csv_path, path.name)
        by_lower: dict[str, str] = {}
        for name in names:
            if name.lower() in by_lower:
                raise RefusedFile(f"{path.name} : colonne en double « {name} »")
            by_lower[name.lower()] = name
        missing = [
            n.upper() for n, (_, required) in _COLUMNS.items() if required and n not in by_lower
        ]
        if missing:
            raise RefusedFile(
                f"{path.name} : colonne obligatoire {', '.join(missing)} manquante"
                f" (pas un fichier Open Medic ? colonnes lues : {', '.join(names[:25])})"
            )
        ignored = [n for n in names if n.lower() not in _COLUMNS]
        warnings = []
        if not _ends_with_newline(csv_path):
            warnings.append(
                "le fichier ne finit pas par un saut de ligne : sa dernière ligne est"
                " peut-être coupée (fichier tronqué ?)"
            )
        con = duckdb.connect()
        try:
            return _read(
                con,
                csv_path,
                path=path,
                year=year,
                sha256=sha256,
                encoding=encoding,
                delimiter=delimiter,
                columns=names,
                by_lower=by_lower,
                ignored=ignored,
                warnings=warnings,
            )
        finally:
            con.close()


def _read(
    con: duckdb.DuckDBPyConnection,
    csv_path: Path,
    *,
    path: Path,
    year: int,
    sha256: str,
    encoding: str,
    delimiter: str,
    columns: list[str],
    by_lower: dict[str, str],
    ignored: list[str],
    warnings: list[str],
) -> OpenMedicYear:
    options = (
        f"header = true, all_varchar = true, delim = {literal(delimiter)}, quote = '\"',"
        " escape = '\"', store_rejects = true, rejects_table = '_om_rejects',"
        " rejects_scan = '_om_scans'"
    )
    present = {key: by_lower[key] for key in _COLUMNS if key in by_lower}  # key → source name
    cells = ", ".join(f'nullif(trim("{name}"), \'\') AS "{key}"' for key, name in present.items())
    raw_pairs = ", ".join(f'{literal(name)}: "{key}"' for key, name in present.items())
    raw = f"to_json({{{raw_pairs}}})"
    scan = (
        f"(SELECT ordinality AS _row, {cells}"
        f" FROM read_csv({literal(str(csv_path))}, {options}) WITH ORDINALITY)"
    )
    staging, checked = _staging_sql(present, scan)
    why_columns = [f'"why_{key}"' for key in checked]
    # One pass: read, trim, parse and check every row.
    try:
        con.execute(
            f"CREATE TEMP TABLE _checked AS SELECT *, coalesce({', '.join(why_columns)}) IS NULL"
            f" AS _ok FROM ({staging})"
        )
    except duckdb.Error as exc:
        text = str(exc).strip().splitlines()
        raise RefusedFile(f"{path.name} illisible : {text[0] if text else exc}") from exc
    malformed = _malformed(con, len(columns))
    if malformed == 0 and _count(con, "SELECT count(*) FROM _checked") == 0:
        raise RefusedFile(f"{path.name} : aucune ligne de données après l'en-tête")
    # A row repeated (same CIP13 and codes) would count its boxes twice: the first one
    # is kept. Most files have none, so the window runs only over the repeated keys.
    key = '"v_cip13", "v_age", "v_sexe", "v_ben_reg", "v_psp_spe"'
    con.execute(
        f"CREATE TEMP TABLE _repeated AS SELECT {key} FROM _checked WHERE _ok"
        f" GROUP BY {key} HAVING count(*) > 1"
    )
    con.execute(
        "CREATE TEMP TABLE _dups AS SELECT _row, first_row FROM (SELECT _row,"
        " min(_row) OVER w AS first_row, row_number() OVER w AS n"
        f" FROM _checked SEMI JOIN _repeated USING ({key}) WHERE _ok"
        f" WINDOW w AS (PARTITION BY {key} ORDER BY _row)) WHERE n > 1"
    )
    unions = [
        f'SELECT _row AS "row", {literal(present[key])} AS "column", "why_{key}" AS reason,'
        f' {raw} AS raw FROM _checked WHERE "why_{key}" IS NOT NULL'
        for key in checked
    ]
    unions.append(
        "SELECT d._row, NULL, 'doublon de la ligne de données ' || d.first_row ||"
        f" ' (même CIP13, âge, sexe, région et prescripteur)', {raw}"
        " FROM _dups d JOIN _checked c USING (_row)"
    )
    unions.append('SELECT "row", NULL, reason, raw FROM _malformed')
    all_rejections = " UNION ALL ".join(unions)
    rejected = _arrow(con, f'SELECT * FROM ({all_rejections}) ORDER BY "row", "column" NULLS FIRST')
    accepted = _arrow(
        con,
        f"SELECT {_values_sql(present, year=year)} FROM _checked"
        " WHERE _ok AND _row NOT IN (SELECT _row FROM _dups) ORDER BY _row",
    )
    rejected_rows = _count(con, f'SELECT count(DISTINCT "row") FROM ({all_rejections})')
    read = _count(con, "SELECT count(*) FROM _checked") + malformed
    if malformed:
        last = _count(con, 'SELECT max("row") FROM _malformed')
        if last == read:
            warnings.append(
                f"la dernière ligne ({last}) est incomplète : fichier tronqué ? Le"
                " télécharger à nouveau"
            )
    return OpenMedicYear(
        year=year,
        file=path.name,
        sha256=sha256,
        encoding=encoding,
        read=read,
        accepted=accepted.cast(ACCEPTED_SCHEMA),
        rejected=rejected.cast(REJECTED_SCHEMA),
        rejected_rows=rejected_rows,
        ignored_columns=ignored,
        warnings=warnings,
    )


def _malformed(con: duckdb.DuckDBPyConnection, expected: int) -> int:
    """Lines DuckDB set aside (wrong number of fields) as ``_malformed``; ``_checked`` rows
    renumbered so that every row keeps its place in the file."""
    whens = " ".join(
        f"WHEN {literal(k)} THEN {literal(m.format(n=expected))}" for k, m in _MALFORMED.items()
    )
    con.execute(
        "CREATE TEMP TABLE _malformed AS "
        'SELECT line - 1 AS "row", '
        f"CASE error_type {whens} ELSE 'ligne illisible : ' || error_type END AS reason, "
        "to_json(csv_line) AS raw FROM (SELECT line, arg_min(error_type, column_idx) AS"
        " error_type, any_value(csv_line) AS csv_line FROM _om_rejects GROUP BY line)"
    )
    count = _count(con, "SELECT count(*) FROM _malformed")
    if count:
        shift = (
            "(SELECT count(*) FROM "
            '(SELECT "row" - row_number() OVER (ORDER BY "row") AS before FROM _malformed) m '
            "WHERE m.before < _checked._row)"
        )
        con.execute(f"UPDATE _checked SET _row = _row + {shift}")
    return count


def _arrow(con: duckdb.DuckDBPyConnection, query: str) -> pa.Table:
    table = con.sql(query).to_arrow_table()
    if table is None:  # only for a statement that returns nothing
        raise RuntimeError(query)
    return table


def _count(con: duckdb.DuckDBPyConnection, query: str) -> int:
    rows = con.execute(query).fetchall()  # fetched whole: the connection is used next
    return int(rows[0][0]) if rows and rows[0][0] is not None else 0


def atc_by_cip13(accepted: pa.Table) -> tuple[dict[str, str], dict[str, list[str]]]:
    """CIP13 → ATC5 from Open Medic rows, and the CIP13 given several ATC codes (each
    with its codes, most boxes first; the mapping keeps the first)."""
    con = duckdb.connect()
    try:
        con.register("accepted", accepted)
        rows = con.execute(
            "SELECT cip13, atc, sum(boxes) AS boxes FROM accepted GROUP BY cip13, atc"
            " ORDER BY cip13, boxes DESC, atc"
        ).fetchall()
    finally:
        con.close()
    mapping: dict[str, str] = {}
    conflicts: dict[str, list[str]] = {}
    for cip13, atc, _ in rows:
        if cip13 in mapping:
            conflicts.setdefault(cip13, [mapping[cip13]]).append(atc)
        else:
            mapping[cip13] = atc
    return mapping, conflicts
