"""Each lab's own antibiotic codes and the WHONET code each one stands for.

Labs export their results with the codes of their own software (``AMOX``, ``AUGM``,
``CIPRO``…). The regional team keeps, in the warehouse, a correspondence table
``(lab_id, lab_code) → whonet``; ``lab_id = '*'`` applies to every lab. Every import
of isolates translates the ``antibiotic`` column with it before validation (a code the
table does not know must be a WHONET code, or the row is rejected with its reason).

The table is versioned: each change writes a whole new version (``lab_codes`` holds
every version's rows, ``lab_code_versions`` who changed it, when and why), so the
mapping an import used can always be found again (``ImportReport.lab_codes_version``).
It is edited with ``cratb lab-codes import FILE`` / ``export``, or on the web page of
the regional team.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from cratb.engine import reference
from cratb.engine.errors import EngineError
from cratb.engine.warehouse import connect

__all__ = [
    "ALL_LABS",
    "COLUMNS",
    "LabCode",
    "LabCodeError",
    "LabCodes",
    "current",
    "ensure_tables",
    "history",
    "parse_csv",
    "read_current",
    "save",
    "to_csv",
]

ALL_LABS = "*"
COLUMNS = ("lab_id", "lab_code", "whonet")
MAX_CODE_LENGTH = 40


class LabCodeError(EngineError, ValueError):
    """A correspondence table that cannot be saved; French, one line."""


@dataclass(frozen=True, order=True)
class LabCode:
    lab_id: str
    lab_code: str
    whonet: str


@dataclass(frozen=True)
class LabCodes:
    """One version of the table (version 0: empty, nothing saved yet)."""

    version: int = 0
    rows: tuple[LabCode, ...] = ()
    changed_at: str | None = None
    changed_by: str | None = None
    note: str | None = None
    by_key: dict[tuple[str, str], str] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, version: int, rows: Iterable[LabCode], **meta: str | None) -> LabCodes:
        ordered = tuple(sorted(rows))
        return cls(
            version=version,
            rows=ordered,
            by_key={(r.lab_id, r.lab_code): r.whonet for r in ordered},
            **meta,
        )

    @property
    def codes(self) -> frozenset[str]:
        """Every lab code of the table (upper case)."""
        return frozenset(r.lab_code for r in self.rows)

    def translate(self, lab_id: str | None, code: str) -> str:
        """The WHONET code of ``code`` as written by ``lab_id`` (the code itself when the
        table does not know it)."""
        key = code.strip().upper()
        return self.by_key.get((lab_id or "", key), self.by_key.get((ALL_LABS, key), key))


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "CREATE TABLE IF NOT EXISTS lab_code_versions (version INTEGER PRIMARY KEY,"
        " changed_at TIMESTAMP NOT NULL, changed_by VARCHAR NOT NULL, note VARCHAR,"
        " rows INTEGER NOT NULL)"
    )
    con.execute(
        "CREATE TABLE IF NOT EXISTS lab_codes (version INTEGER NOT NULL, lab_id VARCHAR NOT NULL,"
        " lab_code VARCHAR NOT NULL, whonet VARCHAR NOT NULL)"
    )


def _exists(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'lab_code_versions'"
    ).fetchone()
    return bool(row and row[0])


def current(con: duckdb.DuckDBPyConnection, *, version: int | None = None) -> LabCodes:
    """The latest version (or ``version``) of the table, read on an open connection."""
    if not _exists(con):
        return LabCodes()
    if version is None:
        row = con.execute("SELECT max(version) FROM lab_code_versions").fetchone()
        version = int(row[0]) if row and row[0] is not None else 0
    if version == 0:
        return LabCodes()
    meta = con.execute(
        "SELECT strftime(changed_at, '%Y-%m-%d %H:%M'), changed_by, note FROM lab_code_versions"
        " WHERE version = ?",
        [version],
    ).fetchone()
    if meta is None:
        raise LabCodeError(f"version {version} de la table de correspondance introuvable")
    rows = con.execute(
        "SELECT lab_id, lab_code, whonet FROM lab_codes WHERE version = ?", [version]
    ).fetchall()
    return LabCodes.of(
        version,
        (LabCode(*r) for r in rows),
        changed_at=meta[0],
        changed_by=meta[1],
        note=meta[2],
    )


def read_current(warehouse: Path) -> LabCodes:
    """The latest version, or an empty table when the warehouse does not exist yet."""
    if not warehouse.exists():
        return LabCodes()
    con = connect(warehouse, read_only=True)
    try:
        return current(con)
    finally:
        con.close()


def history(warehouse: Path) -> list[LabCodes]:
    """Every version, newest first (rows included)."""
    if not warehouse.exists():
        return []
    con = connect(warehouse, read_only=True)
    try:
        if not _exists(con):
            return []
        versions = [
            int(r[0])
            for r in con.execute(
                "SELECT version FROM lab_code_versions ORDER BY version DESC"
            ).fetchall()
        ]
        return [current(con, version=v) for v in versions]
    finally:
        con.close()


def validate(rows: Iterable[LabCode | Mapping[str, str]]) -> list[LabCode]:
    """Clean and check rows: codes trimmed and upper-cased, the WHONET code known to the
    reference table, each (lab_id, lab_code) once. Raises ``LabCodeError``."""
    known = {a.whonet for a in reference.antibacterials().values() if a.whonet}
    seen: dict[tuple[str, str], str] = {}
    out: list[LabCode] = []
    for number, row in enumerate(rows, start=1):
        if isinstance(row, LabCode):
            lab_id, lab_code, whonet = row.lab_id, row.lab_code, row.whonet
        else:
            lab_id, lab_code, whonet = (str(row.get(c) or "") for c in COLUMNS)
        lab_id, lab_code, whonet = lab_id.strip(), lab_code.strip().upper(), whonet.strip().upper()
        where = f"ligne {number}"
        if not lab_id or not lab_code or not whonet:
            raise LabCodeError(f"{where} : lab_id, lab_code et whonet sont obligatoires")
        if len(lab_id) > MAX_CODE_LENGTH or len(lab_code) > MAX_CODE_LENGTH:
            raise LabCodeError(f"{where} : code trop long (plus de {MAX_CODE_LENGTH} caractères)")
        if whonet not in known:
            raise LabCodeError(f"{where} : code WHONET inconnu « {whonet} »")
        key = (lab_id, lab_code)
        if key in seen:
            raise LabCodeError(
                f"{where} : le code « {lab_code} » du laboratoire « {lab_id} » est déjà défini"
            )
        seen[key] = whonet
        out.append(LabCode(lab_id, lab_code, whonet))
    return out


def save(
    warehouse: Path,
    rows: Iterable[LabCode | Mapping[str, str]],
    *,
    changed_by: str,
    note: str = "",
) -> LabCodes:
    """Write ``rows`` as the new version of the whole table; nothing is written when it
    equals the current version. Returns the version in use afterwards."""
    cleaned = validate(rows)
    con = connect(warehouse)
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            ensure_tables(con)
            latest = current(con)
            if set(latest.rows) == set(cleaned) and latest.version:
                con.execute("ROLLBACK")
                return latest
            version = latest.version + 1
            con.execute(
                "INSERT INTO lab_code_versions VALUES (?, current_localtimestamp(), ?, ?, ?)",
                [version, changed_by, note or None, len(cleaned)],
            )
            if cleaned:
                con.executemany(
                    "INSERT INTO lab_codes VALUES (?, ?, ?, ?)",
                    [(version, r.lab_id, r.lab_code, r.whonet) for r in cleaned],
                )
            saved = current(con)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    finally:
        con.close()
    return saved


def parse_csv(text: str) -> list[dict[str, str]]:
    """Rows of a CSV with the columns lab_id, lab_code, whonet (``,`` or ``;``)."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or not lines[0].strip():
        raise LabCodeError("fichier vide : en-tête lab_id,lab_code,whonet attendu")
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.DictReader(lines, delimiter=delimiter)
    names = {(n or "").strip().lower(): n for n in reader.fieldnames or []}
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise LabCodeError(f"colonne(s) absente(s) : {', '.join(missing)}")
    return [{c: (row.get(names[c]) or "") for c in COLUMNS} for row in reader]


def to_csv(codes: LabCodes) -> str:
    """The table in the contract's CSV dialect, by the project's one writer."""
    from cratb.engine.tabular import CONTRACT, csv_text

    rows = ((r.lab_id, r.lab_code, r.whonet) for r in codes.rows)
    return csv_text(COLUMNS, rows, dialect=CONTRACT)
