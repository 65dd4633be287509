"""Importing one file into the warehouse: read, validate, store, report.

One DuckDB transaction per file: the rows accepted, the rows rejected with their reasons
and the ledger entry are committed together or not at all. The work is done by a few
set-based SQL statements over the whole file:

1. ``_staged``: one row per data row with its stored values and, per column, the reason
   it is rejected (NULL when the cell is good);
2. ``_duplicates``: good rows whose key is already stored or came earlier in the file;
3. inserts into the kind's table, ``rejected_rows`` and the ``imports`` ledger.
"""

# ruff: noqa: S608 - the SQL is generated from the kind specifications; what comes from the
# file (path, column names, cells) enters only as quoted literals, identifiers or parameters.
from __future__ import annotations

import json
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import duckdb

from cratb.engine.sources import derived, isolate_heads, lab_codes
from cratb.engine.sources.files import SourceFile, inspect_file, quote_identifier
from cratb.engine.sources.formats import INTERNAL_COLUMNS, LAYOUTS, open_isolates
from cratb.engine.sources.formats.common import ERROR, PLACE, SOURCE_ROW
from cratb.engine.sources.report import (
    MAX_LISTED_REJECTIONS,
    ImportReport,
    RefusedFile,
    Rejection,
)
from cratb.engine.sources.rules import NIR_TOKEN, identity_reason, literal
from cratb.engine.sources.schema import (
    COMMAND_LINE_KINDS,
    KINDS,
    Kind,
    kind_spec,
    with_lab_codes,
)
from cratb.engine.warehouse import connect

__all__ = ["create_tables", "default_report_path", "import_file"]

MISSING = "valeur obligatoire manquante"
REJECTED_COLUMNS = 'import_id, "row", "column", reason, raw, place'
REJECTS_TABLE = "_csv_rejects"
#: Prefix of the trimmed cells' names inside the validation statement (no file's column).
_TRIMMED = "_cratb_trimmed_"
MALFORMED_REASONS = {
    "MISSING COLUMNS": "ligne mal formée : des champs manquent ({n} attendus)",
    "TOO MANY COLUMNS": "ligne mal formée : trop de champs ({n} attendus)",
    "UNQUOTED VALUE": "ligne mal formée : guillemet mal placé",
    "LINE SIZE OVER MAXIMUM": "ligne trop longue",
}


def default_report_path(path: Path) -> Path:
    """Where the JSON report goes by default: beside the file, ``FILE.report.json``."""
    return path.with_name(path.name + ".report.json")


def import_file(
    kind: str,
    path: Path,
    *,
    warehouse: Path,
    report_path: Path | None = None,
    id_salt: str | None = None,
    progress: bool = False,
    on_stage: Callable[[str], None] | None = None,
    layout: str = "auto",
    defaults: Mapping[str, str] | None = None,
    memory_limit: str | None = None,
) -> ImportReport:
    """Import ``path`` as ``kind`` into the DuckDB ``warehouse`` and write its JSON report.

    ``id_salt``: when given, the pseudonymous identifiers (patient_id, prescriber_id) are
    stored as sha256(salt || id), so the clear identifiers never reach the warehouse.
    ``progress``: draw stages and a bar on stderr (a terminal); ``on_stage``: called with
    the French name of each stage (a web page shows it).
    ``layout`` (isolates only): ``auto`` (recognised), ``long``, ``wide``, ``whonet``,
    ``hl7`` (see ``sources.formats``). ``defaults``: a value for columns the file lacks
    or leaves empty (e.g. the ``lab_id`` of a WHONET export), by contract column name.
    ``memory_limit``: the most memory DuckDB may use (``warehouse.connect``).
    Raises ``RefusedFile`` (nothing stored, no report written) when the file cannot be read.
    """
    if kind not in KINDS and kind not in COMMAND_LINE_KINDS:
        admitted = ", ".join((*KINDS, *COMMAND_LINE_KINDS))
        raise RefusedFile(f"type de fichier inconnu « {kind} » ; types admis : {admitted}")
    if id_salt is not None and not id_salt.strip():
        raise RefusedFile("le sel de hachage des identifiants est vide")
    if layout not in LAYOUTS:
        raise RefusedFile(f"format inconnu « {layout} » ; formats admis : {', '.join(LAYOUTS)}")
    if kind != "isolates" and layout not in ("auto", "long"):
        raise RefusedFile(f"le format « {layout} » ne concerne que les fichiers « isolates »")
    spec = kind_spec(kind)
    defaults = _check_defaults(spec, defaults or {})
    step = _Progress(enabled=progress, label=f"{kind} ({path.name})", on_stage=on_stage)
    report_path = report_path or default_report_path(path)
    with tempfile.TemporaryDirectory(prefix="cratb-import-") as workdir:
        step("lecture du fichier")
        if kind == "isolates":
            known = lab_codes.read_current(warehouse).codes
            source = open_isolates(path, workdir=Path(workdir), layout=layout, lab_codes=known)
        else:
            source = inspect_file(path, workdir=Path(workdir))
        columns = _map_columns(spec, source, defaults)
        con = connect(warehouse, memory_limit=memory_limit)
        try:
            report = _import(con, spec, source, columns, id_salt, step, report_path, defaults)
        finally:
            con.close()
    step("terminé", last=True)
    return report


class _Progress:
    """What an operator watching a terminal sees: one line per stage, and during the long
    statements a bar filled from DuckDB's own progress of the running query."""

    BAR = 30

    def __init__(
        self, *, enabled: bool, label: str, on_stage: Callable[[str], None] | None = None
    ) -> None:
        self.enabled = enabled
        self.label = label
        self.on_stage = on_stage
        self.start = time.monotonic()

    def __call__(self, stage: str, *, last: bool = False) -> None:
        if self.on_stage is not None:
            self.on_stage(stage)
        if self.enabled:
            elapsed = time.monotonic() - self.start
            suffix = "" if last else "…"
            print(
                f"  {self.label} : {stage}{suffix} ({elapsed:.1f} s)", file=sys.stderr, flush=True
            )

    @contextmanager
    def bar(self, con: duckdb.DuckDBPyConnection, stage: str) -> Iterator[None]:
        """Run the enclosed statement while a thread draws its progress."""
        self(stage)
        if not self.enabled:
            yield
            return
        con.execute("SET enable_progress_bar = true")
        con.execute("SET enable_progress_bar_print = false")
        stop = threading.Event()

        def draw() -> None:
            while not stop.wait(0.25):
                percent = con.query_progress()
                if percent >= 0:
                    filled = round(self.BAR * min(percent, 100) / 100)
                    bar = "#" * filled + "-" * (self.BAR - filled)
                    print(f"\r    [{bar}] {percent:5.1f} %", end="", file=sys.stderr, flush=True)

        thread = threading.Thread(target=draw, daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()
            print("\r" + " " * (self.BAR + 16) + "\r", end="", file=sys.stderr, flush=True)
            con.execute("SET enable_progress_bar = false")


def _check_defaults(spec: Kind, defaults: Mapping[str, str]) -> dict[str, str]:
    names = {c.name for c in spec.columns}
    unknown = sorted(set(defaults) - names)
    if unknown:
        raise RefusedFile(
            f"valeur par défaut pour une colonne inconnue de « {spec.name} » : {', '.join(unknown)}"
        )
    return {k: v.strip() for k, v in defaults.items() if v and v.strip()}


def _map_columns(
    spec: Kind, source: SourceFile, defaults: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Contract column name → column name in the file (names match without regard to case)."""
    by_name: dict[str, str] = {}
    for name in source.columns:
        key = name.strip().lstrip("\ufeff").lower()
        if key in by_name:
            raise RefusedFile(
                f"{source.original} : colonne en double « {name} » (les noms ne tiennent pas"
                " compte de la casse)"
            )
        by_name[key] = name
    missing = [c for c in spec.required if c not in by_name and c not in (defaults or {})]
    if missing:
        hint = ""
        if len(source.columns) == 1 and any(c in source.columns[0] for c in "|:/ "):
            hint = (
                " (une seule colonne lue : séparateur non reconnu, attendu virgule,"
                " point-virgule ou tabulation)"
            )
        raise RefusedFile(
            f"{source.original} : colonne{'s' if len(missing) > 1 else ''} obligatoire"
            f"{'s' if len(missing) > 1 else ''} absente{'s' if len(missing) > 1 else ''} pour"
            f" « {spec.name} » : {', '.join(missing)}{hint}"
        )
    return {c.name: by_name[c.name] for c in spec.columns if c.name in by_name}


@dataclass(frozen=True)
class _Sql:
    """The statements of one import, generated from the kind's specification."""

    spec: Kind
    source: SourceFile
    columns: dict[str, str]
    hashed: bool
    defaults: Mapping[str, str] = field(default_factory=dict)
    #: Number a CSV's rows in the scan (``WITH ORDINALITY``), not by their order in the
    #: staged table: when the validation's plan would not keep the file's order.
    number_in_scan: bool = False

    @property
    def converted(self) -> bool:
        """Rows converted from another layout carry ``_source_row``, ``_place`` and
        ``_error`` (``sources.formats.common``)."""
        return self.source.layout != "long"

    @property
    def numbered_by_order(self) -> bool:
        """A CSV read as it is: its rows are numbered by their order in the staged table
        (its ``rowid``), not in the scan (see ``SourceFile.scan_sql``)."""
        return self.source.format == "csv" and not self.converted and not self.number_in_scan

    def reason_columns(self) -> list[tuple[str, str]]:
        """(SQL name of the reason column, contract column it blames), in contract order;
        the column is empty for a reason about the whole row."""
        out = [(f"_r{i:02d}:{c.name}", c.name) for i, c in enumerate(self.spec.columns)]
        base = len(out)
        out += [
            (f"_r{base + i:02d}:{r.column}", r.column) for i, r in enumerate(self.spec.row_checks)
        ]
        if self.converted:
            out.append((f"_r{len(out):02d}:", ""))
        return out

    def good(self) -> str:
        """SQL condition: the staged row has no reason to be rejected. A rejected row
        carries ``_bad`` (its reasons and raw cells); a good row carries NULL, so that
        the good rows, nearly all of them, cost one empty column."""
        return "_bad IS NULL"

    def staged(self) -> str:
        cells = []
        # Each cell trimmed once, in its own projection: the checks below name it many
        # times (the identity checks alone about twenty), and written out in full each
        # time the statement ran to hundreds of kilobytes of SQL.
        trimmed = []
        for i, column in enumerate(self.spec.columns):
            if column.name in self.columns:
                name = quote_identifier(self.columns[column.name])
                trimmed.append(
                    f"NULLIF({_trimmed(f'CAST({name} AS VARCHAR)')}, '') AS {_TRIMMED}{i}"
                )
                cell = f"{_TRIMMED}{i}"
            else:
                cell = "CAST(NULL AS VARCHAR)"
            if column.name in self.defaults:
                cell = f"coalesce({cell}, {literal(self.defaults[column.name])})"
            if column.identifier:
                cells.append(f"{identity_reason(cell)} AS _id_{column.name}")
            if self.hashed and column.pseudonymous:
                # The salt is a query parameter: it never appears in the SQL text.
                cell = f"sha256($salt || {cell})"
            cells.append(f"{cell} AS v_{column.name}")
        if self.converted:
            cells += [
                f"CAST({SOURCE_ROW} AS BIGINT) AS _source_row",
                f"{PLACE} AS _place",
                f"{ERROR} AS _error",
            ]
        else:
            if not self.numbered_by_order:
                cells.append("_row AS _source_row")
            cells += [
                "CAST(NULL AS VARCHAR) AS _place",
                "CAST(NULL AS VARCHAR) AS _error",
            ]
        values = []
        reasons = []
        column_reasons = self.reason_columns()[: len(self.spec.columns)]
        for column, (reason_name, _) in zip(self.spec.columns, column_reasons, strict=True):
            v = f"v_{column.name}"
            value = column.rule.value(v)
            if column.default is not None:
                value = f"coalesce({value}, {literal(column.default)})"
            values.append(f"{value} AS {column.name}")
            whens = " ".join(f"WHEN {cond} THEN {why}" for cond, why in column.rule.checks(v))
            if column.name not in self.columns and column.name not in self.defaults:
                # A column the file lacks is NULL on every row: its checks never run (and
                # a reference table's codes, the communes', would make the statement
                # hundreds of kilobytes long, most of its planning time).
                whens = ""
            missing = literal(MISSING) if column.required else "NULL"
            if column.identifier:
                whens = f"WHEN _id_{column.name} IS NOT NULL THEN _id_{column.name} {whens}"
            # A row rejected as a whole (_error) gives that reason only.
            reasons.append(
                f"CASE WHEN _error IS NOT NULL THEN NULL WHEN {v} IS NULL THEN {missing}"
                f" {whens} END AS {quote_identifier(reason_name)}"
            )
        row_reason_names = self.reason_columns()[len(self.spec.columns) :]
        for check, (reason_name, _) in zip(self.spec.row_checks, row_reason_names, strict=False):
            reasons.append(
                f"CASE WHEN _error IS NULL AND {check.condition} THEN {literal(check.reason)} END"
                f" AS {quote_identifier(reason_name)}"
            )
        if self.converted:
            reasons.append(f"_error AS {quote_identifier(self.reason_columns()[-1][0])}")
        names = [c.name for c in self.spec.columns]
        reason_names = [quote_identifier(n) for n, _ in self.reason_columns()]
        # An identifier refused as a patient's identity is not kept with its row.
        identifiers = {c.name for c in self.spec.columns if c.identifier}
        raw_cells = [
            f"{n} := CASE WHEN _id_{n} IS NULL THEN v_{n} END"
            if n in identifiers
            else f"{n} := v_{n}"
            for n in names
            if n in self.columns or n in self.defaults
        ]
        if self.converted:
            raw_cells.append("place := _place")
        raw = "to_json(struct_pack(" + ", ".join(raw_cells) + "))"
        # The reasons of a rejected row, blamed column first: (column or NULL, reason).
        blamed = [
            f"struct_pack(c := {literal(column) if column else 'NULL::VARCHAR'}, r := {name})"
            for name, (_, column) in zip(reason_names, self.reason_columns(), strict=True)
        ]
        why = f"list_filter([{', '.join(blamed)}], lambda x: x.r IS NOT NULL)"
        by_order = self.numbered_by_order
        scan = self.source.scan_sql(rejects_table=REJECTS_TABLE, numbered=not by_order)
        # Rows numbered by their order are numbered after the statement (``_number_rows``).
        table, row = ("_staged_cells", "") if by_order else ("_staged", "_row, ")
        numbers = "" if by_order else "_row, _source_row, "
        return (
            f"CREATE TEMP TABLE {table} AS "
            f"WITH trimmed AS (SELECT *, {', '.join(trimmed)} FROM {scan}), "
            f"cells AS (SELECT {row}{', '.join(cells)} FROM trimmed), "
            f"checked AS (SELECT *, {', '.join(values)}, {', '.join(reasons)} FROM cells) "
            f"SELECT {numbers}_place, {', '.join(names)}, "
            f"CASE WHEN coalesce({', '.join(reason_names)}) IS NOT NULL THEN "
            f"struct_pack(why := {why}, raw := {raw}) END AS _bad "
            "FROM checked"
        )

    def duplicates(self) -> str:
        """Good rows whose key is stored already, or came earlier in the file. The keys
        seen more than once are found by a grouping (far cheaper than a window over the
        whole file), then only the rows of those keys are looked at."""
        key = self.spec.key
        key_text = ", ".join(key)
        on_stored = " AND ".join(f"v.{k} IS NOT DISTINCT FROM t.{k}" for k in key)
        on_repeated = " AND ".join(f"v.{k} IS NOT DISTINCT FROM r.{k}" for k in key)
        stored = literal(f"déjà présent dans l’entrepôt (même {key_text}, import n° ")
        earlier = literal("doublon de la ligne de données ")
        same = literal(f" (même {key_text})")
        return (
            "CREATE TEMP TABLE _duplicates AS "
            f"WITH valid AS (SELECT _row, _source_row, {key_text} FROM _staged "
            f"WHERE {self.good()}), "
            f"repeated AS (SELECT {key_text}, min(_row) AS _first, "
            "arg_min(_source_row, _row) AS _first_shown "
            f"FROM valid GROUP BY ALL HAVING count(*) > 1) "
            "SELECT v._row, CASE WHEN t.import_id IS NOT NULL THEN "
            f"{stored} || t.import_id || ')' "
            f"ELSE {earlier} || r._first_shown || {same} END AS reason "
            f"FROM valid v LEFT JOIN repeated r ON {on_repeated} "
            f"LEFT JOIN {self.spec.name} t ON {on_stored} "
            "WHERE t.import_id IS NOT NULL OR v._row <> r._first"
        )

    def accepted(self, alias: str = "") -> str:
        """SQL condition on ``_staged``: the row is stored."""
        return f"{alias}_bad IS NULL AND {alias}_row NOT IN (SELECT _row FROM _duplicates)"

    def insert_accepted(self, import_id: int) -> str:
        """The accepted rows into the kind's table, with their derived columns
        (``derived.prepare`` computed what they need beforehand)."""
        names = [c.name for c in self.spec.columns]
        extra = derived.insert_columns(self.spec.name)
        target = ", ".join([*names, "import_id", *(name for name, _ in extra)])
        computed = ", ".join(
            [*(f"s.{n}" for n in names), str(import_id), *(sql for _, sql in extra)]
        )
        return (
            f"INSERT INTO {self.spec.name} ({target}) "
            f"SELECT {computed} FROM _staged s{derived.insert_joins(self.spec.name)} "
            f"WHERE {self.accepted('s.')}"
        )

    def insert_rejected(self, import_id: int) -> list[str]:
        names = ", ".join(f"{c.name} := s.{c.name}" for c in self.spec.columns)
        key = self.spec.key
        blamed = literal(key[0]) if len(key) == 1 else "NULL"
        columns = f"{REJECTED_COLUMNS}"
        return [
            f"INSERT INTO rejected_rows ({columns}) "
            f"SELECT {import_id}, _source_row, w.c, w.r, _bad.raw, _place FROM ("
            "SELECT _source_row, _place, _bad, unnest(_bad.why) AS w "
            "FROM _staged WHERE _bad IS NOT NULL)",
            f"INSERT INTO rejected_rows ({columns}) "
            f"SELECT {import_id}, s._source_row, {blamed}, d.reason, "
            f"to_json(struct_pack({names})), s._place "
            "FROM _duplicates d JOIN _staged s USING (_row)",
        ]

    def rejected_count(self) -> str:
        """Rows rejected, counted on the import's own rows (several stored rejections may
        share a source row when a wide line or an HL7 message gave several rows)."""
        return (
            "SELECT count(*) FROM (SELECT _row FROM _staged WHERE _bad IS NOT NULL "
            "UNION SELECT _row FROM _duplicates)"
        )


def _table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return _count(con, f"SELECT count(*) FROM duckdb_tables() WHERE table_name = '{name}'") > 0


def _create_tables(con: duckdb.DuckDBPyConnection, spec: Kind) -> None:
    columns = ", ".join(f"{c.name} {c.rule.sql_type}" for c in spec.columns)
    columns += derived.create_sql(spec.name)
    con.execute(f"CREATE TABLE IF NOT EXISTS {spec.name} ({columns}, import_id INTEGER NOT NULL)")
    # Optional columns added to the contract later (e.g. the communes of dispensing lines):
    # a warehouse from an earlier version gains them, empty on its earlier rows.
    for column in spec.columns:
        if not column.required:
            con.execute(
                f"ALTER TABLE {spec.name} ADD COLUMN IF NOT EXISTS"
                f" {column.name} {column.rule.sql_type}"
            )
    if spec.name == "isolates":
        isolate_heads.upgrade(con)
    con.execute(
        "CREATE TABLE IF NOT EXISTS imports (id INTEGER PRIMARY KEY, kind VARCHAR NOT NULL,"
        " file VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, read BIGINT NOT NULL,"
        " accepted BIGINT NOT NULL, rejected BIGINT NOT NULL, imported_at TIMESTAMP NOT NULL,"
        " UNIQUE (kind, sha256))"
    )
    con.execute(
        "CREATE TABLE IF NOT EXISTS rejected_rows (import_id INTEGER NOT NULL,"
        ' "row" BIGINT NOT NULL, "column" VARCHAR, reason VARCHAR NOT NULL, raw VARCHAR)'
    )
    # Where in the original file a converted row came from (wide line, HL7 segment).
    con.execute("ALTER TABLE rejected_rows ADD COLUMN IF NOT EXISTS place VARCHAR")


#: The kind's table, the ledger and the rejected rows, for the importers of sources that
#: are not read row by row here (``opendata.store``).
create_tables = _create_tables


def _import(
    con: duckdb.DuckDBPyConnection,
    spec: Kind,
    source: SourceFile,
    columns: dict[str, str],
    id_salt: str | None,
    step: _Progress,
    report_path: Path,
    defaults: Mapping[str, str] | None = None,
) -> ImportReport:
    # Derived columns a warehouse from an earlier version lacks are added in their own
    # transaction: they hold even when this file turns out to be stored already.
    con.execute("BEGIN TRANSACTION")
    try:
        if _table_exists(con, spec.name):
            derived.upgrade(con, spec.name)
            if spec.name == "isolates":
                isolate_heads.upgrade(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("BEGIN TRANSACTION")
    try:
        _create_tables(con, spec)
        codes: lab_codes.LabCodes | None = None
        if spec.name == "isolates":
            codes = lab_codes.current(con)
            spec = with_lab_codes(spec, codes.by_key)
        previous = con.execute(
            "SELECT id FROM imports WHERE kind = ? AND sha256 = ?", [spec.name, source.sha256]
        ).fetchone()
        if previous is not None:
            report = _stored_report(con, spec, source, int(previous[0]), columns)
            report.lab_codes_version = codes.version if codes else None
            _write_report(report, report_path)
            con.execute("ROLLBACK")
            return report
        row = con.execute("SELECT coalesce(max(id), 0) + 1 FROM imports").fetchone()
        import_id = int(row[0]) if row else 1
        hashed = id_salt is not None and any(c.pseudonymous for c in spec.columns)
        sql = _Sql(spec, source, columns, hashed=hashed, defaults=dict(defaults or {}))
        parameters = {"salt": id_salt} if hashed and id_salt else None
        if sql.numbered_by_order and not _keeps_order(con, sql.staged(), parameters):
            sql = replace(sql, number_in_scan=True)
        with step.bar(con, "validation des lignes"):
            _run(con, sql.staged(), parameters, source)
        malformed = _malformed_rows(con, source, len(source.columns), keep_raw=id_salt is None)
        if sql.numbered_by_order:
            _number_rows(con, malformed)
        elif malformed:
            _shift_rows(con)
        read = _count(con, "SELECT count(*) FROM _staged") + malformed
        if read == 0:
            raise RefusedFile(f"{source.original} : aucune ligne de données après l'en-tête")
        with step.bar(con, "recherche des doublons"):
            con.execute(sql.duplicates())
        with step.bar(con, "écriture dans l'entrepôt"):
            derived.prepare(con, spec.name, f"SELECT * FROM _staged WHERE {sql.accepted()}")
            inserted = con.execute(sql.insert_accepted(import_id)).fetchone()
        accepted = int(inserted[0]) if inserted else 0
        derived.refresh(con, spec.name, import_id)
        if spec.name == "isolates":
            isolate_heads.refresh(con, import_id)
        for statement in sql.insert_rejected(import_id):
            con.execute(statement)
        if malformed:
            con.execute(
                f"INSERT INTO rejected_rows ({REJECTED_COLUMNS}) "
                f'SELECT {import_id}, "row", "column", reason, raw, NULL FROM _malformed'
            )
        rejected = _count(con, sql.rejected_count()) + malformed
        con.execute(
            "INSERT INTO imports VALUES (?, ?, ?, ?, ?, ?, ?, current_localtimestamp())",
            [import_id, spec.name, str(source.original), source.sha256, read, accepted, rejected],
        )
        report = _report(
            con, spec, source, import_id, read, accepted, rejected, columns, already=False
        )
        report.lab_codes_version = codes.version if codes else None
        _write_report(report, report_path)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return report


def _run(
    con: duckdb.DuckDBPyConnection,
    statement: str,
    parameters: dict[str, str] | None,
    source: SourceFile,
) -> None:
    try:
        con.execute(statement, parameters)
    except duckdb.InvalidInputException as exc:
        # The CSV reader gives up on the file as a whole (e.g. an unclosed quote).
        text = str(exc).strip().splitlines()
        raise RefusedFile(f"{source.original} illisible : {text[0] if text else exc}") from exc


#: The operators of a validation plan that keep the rows in the file's order (DuckDB
#: preserves insertion order through them); a join, a grouping or a sort does not.
_ORDER_KEEPING = frozenset(
    {"BATCH_CREATE_TABLE_AS", "CREATE_TABLE_AS", "PROJECTION", "FILTER", "READ_CSV"}
)


def _keeps_order(
    con: duckdb.DuckDBPyConnection,
    statement: str,
    parameters: dict[str, str] | None,
) -> bool:
    """Whether the validation statement's plan keeps the file's order, so that the staged
    table's ``rowid`` numbers the rows (``_number_rows``). An ``IN`` list is planned as a
    join (``rules.is_in`` avoids them); any such operator and the rows are numbered in
    the scan instead, slower but right."""
    try:
        row = con.execute(f"EXPLAIN (FORMAT json) {statement}", parameters).fetchone()
    except duckdb.Error:
        return False  # the statement itself will say what is wrong
    if row is None:
        return False

    def names(node: dict[str, Any]) -> Iterator[str]:
        yield str(node.get("name", ""))
        for child in node.get("children", []):
            yield from names(child)

    try:
        plan = json.loads(row[-1])
    except ValueError:
        return False
    operators = {n for node in plan for n in names(node)}
    return operators <= _ORDER_KEEPING


def _malformed_rows(
    con: duckdb.DuckDBPyConnection, source: SourceFile, expected: int, *, keep_raw: bool
) -> int:
    """Collect the CSV lines DuckDB set aside (wrong number of fields) as ``_malformed`` and
    renumber ``_staged`` so that every row keeps its place in the file."""
    if source.format != "csv":
        return 0
    whens = " ".join(
        f"WHEN {literal(k)} THEN {literal(v.format(n=expected))}"
        for k, v in MALFORMED_REASONS.items()
    )
    # A line set aside keeps its text, but never a NIR-shaped number (its cells could not
    # be read one by one, so the identifier rules could not run).
    raw = f"to_json(regexp_replace(csv_line, {literal(NIR_TOKEN)}, ' [NIR retiré] ', 'g'))"
    if not keep_raw:
        raw = "NULL::VARCHAR"
    con.execute(
        "CREATE TEMP TABLE _malformed AS "
        # ``line`` counts records from the header (line 1): data row = line - 1.
        'SELECT line - 1 AS "row", NULL::VARCHAR AS "column", '
        f"CASE error_type {whens} ELSE 'ligne illisible : ' || error_type END AS reason, "
        f"{raw} AS raw "
        "FROM (SELECT line, arg_min(error_type, column_idx) AS error_type,"
        f" any_value(csv_line) AS csv_line FROM {REJECTS_TABLE} GROUP BY line)"
    )
    return _count(con, "SELECT count(*) FROM _malformed")


# The i-th set-aside line (in file order) had row - i good rows before it, so the k-th
# good row is row k + #{i : row_i - i < k}.
_BEFORE = '"row" - row_number() OVER (ORDER BY "row")'


def _shift_rows(con: duckdb.DuckDBPyConnection) -> None:
    """Renumber ``_staged`` (numbered in the scan) past the lines set aside."""
    shift = (
        f"(SELECT count(*) FROM (SELECT {_BEFORE} AS before FROM _malformed) m "
        "WHERE m.before < _staged._row)"
    )
    # A long file's rows are shown by their own number: both move together.
    con.execute(f"UPDATE _staged SET _row = _row + {shift}, _source_row = _row + {shift}")


def _number_rows(con: duckdb.DuckDBPyConnection, malformed: int) -> None:
    """``_staged``: ``_staged_cells`` with each row's number in the file. The staged table
    keeps the file's order (DuckDB preserves insertion order), its ``rowid`` counting
    from where the table's storage starts: the k-th row is data row k, plus the lines set
    aside before it, ``#{i : row_i - i < k}``, the largest such i, found by an ASOF join
    on the (few) set-aside lines."""
    row = con.execute("SELECT min(rowid), max(rowid), count(*) FROM _staged_cells").fetchone()
    first, last, count = row if row else (None, None, 0)
    if count and last - first + 1 != count:  # not seen: rowids with gaps
        position = "row_number() OVER (ORDER BY rowid)"
    else:
        position = f"rowid - {int(first or 0) - 1}"
    if not malformed:
        con.execute(
            f"CREATE TEMP VIEW _staged AS SELECT {position} AS _row, "
            f"{position} AS _source_row, * FROM _staged_cells"
        )
        return
    con.execute(
        "CREATE TEMP TABLE _shifts AS SELECT before, max(i) AS shift FROM ("
        f'SELECT {_BEFORE} AS before, row_number() OVER (ORDER BY "row") AS i FROM _malformed'
        ") GROUP BY before"
    )
    con.execute(
        "CREATE TEMP TABLE _staged AS "
        "SELECT s._k + coalesce(m.shift, 0) AS _row, s._k + coalesce(m.shift, 0) AS _source_row,"
        " s.* EXCLUDE (_k) "
        f"FROM (SELECT {position} AS _k, * FROM _staged_cells) s "
        "ASOF LEFT JOIN _shifts m ON s._k > m.before"
    )
    con.execute("DROP TABLE _staged_cells")


def _trimmed(text: str) -> str:
    """SQL: ``trim(text)``, skipped where it would change nothing. DuckDB's ``trim``
    removes Unicode space separators, of which ASCII has only the space: a cell of ASCII
    characters (as many bytes as characters) that neither starts nor ends with a space
    is kept as it is. Trimming every cell was about a third of the validation of a large
    file; the test is a fraction of that."""
    return (
        f"CASE WHEN strlen({text}) = length({text}) AND NOT starts_with({text}, ' ') "
        f"AND NOT ends_with({text}, ' ') THEN {text} ELSE trim({text}) END"
    )


def _count(con: duckdb.DuckDBPyConnection, query: str) -> int:
    row = con.execute(query).fetchone()
    return int(row[0]) if row else 0


def _report(
    con: duckdb.DuckDBPyConnection,
    spec: Kind,
    source: SourceFile,
    import_id: int,
    read: int,
    accepted: int,
    rejected: int,
    columns: dict[str, str],
    *,
    already: bool,
) -> ImportReport:
    order = "[" + ", ".join(literal(c.name) for c in spec.columns) + "]"
    rows = con.execute(
        'SELECT "row", "column", reason, place FROM rejected_rows WHERE import_id = ? '
        f'ORDER BY "row", place, coalesce(list_position({order}, "column"), 0) '
        f"LIMIT {MAX_LISTED_REJECTIONS + 1}",
        [import_id],
    ).fetchall()
    mapped = {v.lower() for v in columns.values()} | set(INTERNAL_COLUMNS)
    ignored = (
        list(source.ignored)
        if source.ignored is not None
        else [c for c in source.columns if c.lower() not in mapped]
    )
    return ImportReport(
        kind=spec.name,
        file=str(source.original),
        sha256=source.sha256,
        read=read,
        accepted=accepted,
        rejected=rejected,
        rejections=[
            Rejection(int(r), c, str(why), place)
            for r, c, why, place in rows[:MAX_LISTED_REJECTIONS]
        ],
        already_imported=already,
        import_id=import_id,
        format=source.format if source.layout == "long" else source.layout,
        encoding=source.encoding,
        delimiter=source.delimiter,
        ignored_columns=ignored,
        rejections_listed_all=len(rows) <= MAX_LISTED_REJECTIONS,
    )


def _stored_report(
    con: duckdb.DuckDBPyConnection,
    spec: Kind,
    source: SourceFile,
    import_id: int,
    columns: dict[str, str],
) -> ImportReport:
    row = con.execute(
        "SELECT read, accepted, rejected FROM imports WHERE id = ?", [import_id]
    ).fetchone()
    assert row is not None
    read, accepted, rejected = (int(x) for x in row)
    return _report(con, spec, source, import_id, read, accepted, rejected, columns, already=True)


def _write_report(report: ImportReport, path: Path) -> None:
    try:
        path.write_text(report.to_json(), encoding="utf-8")
    except OSError as exc:
        raise RefusedFile(f"impossible d'écrire le rapport {path} : {exc.strerror}") from exc
