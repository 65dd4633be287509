"""``cratb ast target FILE --out FILE``: targeted reporting of a whole file of isolates.

The file is a long isolates file (CONTRACTS.md 1.5, CSV or Parquet) with the optional
``clinical_context`` and ``pregnant`` columns. The output has the same rows, in the same
order, with every column as read, plus ``reported`` (Y/N) and ``report_comment`` (one
text per isolate, repeated on its rows). Output format: Parquet when the name ends with
``.parquet``, CSV otherwise.

Cells are checked with the import rules (``sources.rules``: the same vocabularies,
organism names, WHONET and lab codes, the same reasons), evaluated by DuckDB once per
*distinct* value of each column; rows are then handled as Arrow/numpy arrays
(``engine``), so a file of millions of rows takes seconds. A row that cannot be read does
not stop the file: its isolate is reported in full and the comment says why. Columns
the decision does not use (patient_id, setting, departement…) are carried through as
they are.

Each isolate decided is written to the warehouse log ``targeted_reports`` (``log``),
from which the adoption indicator is computed, unless ``write_log=False``.
"""

# ruff: noqa: S608 - the SQL evaluates the rules on registered tables of distinct values.
from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from cratb.engine.ast import engine, log
from cratb.engine.ast.rules import CONTEXTS, SITUATIONS, Ruleset, load_rules
from cratb.engine.reference.organisms import organisms
from cratb.engine.sources import lab_codes
from cratb.engine.sources.files import inspect_file
from cratb.engine.sources.report import RefusedFile
from cratb.engine.sources.rules import Choice, Rule, literal
from cratb.engine.sources.schema import kind_spec, with_lab_codes
from cratb.engine.tabular import neutralise_table

__all__ = [
    "REQUIRED",
    "TargetReport",
    "TargetResult",
    "target_file",
    "target_table",
    "write_output",
]

REQUIRED = ("isolate_id", "sampled_on", "specimen", "lab_id", "organism", "antibiotic", "sir")
OPTIONAL = ("esbl", "patient_age", "patient_sex", "clinical_context", "pregnant")
OUTPUT_COLUMNS = ("reported", "report_comment")


@dataclass
class TargetReport:
    file: str
    out: str
    rules: str
    rows: int
    isolates: int
    modes: dict[str, int]
    invalid_rows: int
    first_problems: list[str]
    logged: int
    seconds: float
    lab_codes_version: int = 0


@dataclass
class TargetResult:
    """The output table and, per isolate, what the log records."""

    table: pa.Table
    decided: engine.Decided
    isolates: pa.Table  # lab_id, isolate_id, sampled_on, clinical_context, situation, mode…
    invalid_rows: int
    first_problems: list[str] = field(default_factory=list)


def _rules_of(mapping: Mapping[tuple[str, str], str]) -> dict[str, Rule]:
    spec = kind_spec("isolates")
    if mapping:
        spec = with_lab_codes(spec, mapping)
    rules = {c.name: c.rule for c in spec.columns}
    rules["clinical_context"] = Choice(values=CONTEXTS)
    rules["pregnant"] = Choice(values=("Y", "N"))
    return rules


def target_file(
    path: Path,
    out: Path,
    *,
    warehouse: Path | None = None,
    rules: Ruleset | None = None,
    write_log: bool = True,
    source: str = "cli",
) -> TargetReport:
    """Apply targeted reporting to ``path`` and write ``out``; log into ``warehouse``.
    Raises ``RefusedFile`` when the file cannot be read (nothing is written)."""
    started = time.perf_counter()
    rules = rules or load_rules()
    codes = lab_codes.read_current(warehouse) if warehouse else lab_codes.LabCodes()
    if out.resolve() == path.resolve():
        raise RefusedFile("le fichier de sortie doit être différent du fichier lu")
    table = read_table(path, dictionary=DICTIONARY_COLUMNS)
    result = target_table(table, rules=rules, mapping=codes.by_key, name=str(path))
    write_output(result.table, out)
    logged = 0
    if write_log and warehouse is not None:
        logged = log.append(warehouse, result.isolates, rules=rules, source=source)
    modes = result.isolates.group_by("mode").aggregate([("mode", "count")]).to_pylist()
    return TargetReport(
        file=str(path),
        out=str(out),
        rules=rules.label,
        rows=result.table.num_rows,
        isolates=result.isolates.num_rows,
        modes={str(m["mode"]): int(m["mode_count"]) for m in modes},
        invalid_rows=result.invalid_rows,
        first_problems=result.first_problems,
        logged=logged,
        seconds=time.perf_counter() - started,
        lab_codes_version=codes.version,
    )


# Columns with few distinct values, read from Parquet as dictionaries (no re-encoding).
DICTIONARY_COLUMNS = (
    "sampled_on", "specimen", "lab_id", "organism", "antibiotic", "sir", "esbl",
    "patient_age", "patient_sex", "clinical_context", "pregnant",
)  # fmt: skip


def read_table(path: Path, *, dictionary: tuple[str, ...] = ()) -> pa.Table:
    """The file's rows as read: CSV cells as text, Parquet columns as typed (the
    ``dictionary`` columns, when they are text, as dictionary arrays)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="cratb-ast-", dir=None) as tmp:
        src = inspect_file(path, workdir=Path(tmp))
        if src.format == "parquet":
            try:
                schema = pq.read_schema(src.readable)
                # Text columns come as dictionaries: faster to read and to write back.
                as_dictionary = [f.name for f in schema if pa.types.is_string(f.type)]
                table: pa.Table = pq.read_table(src.readable, read_dictionary=as_dictionary)
            except (pa.ArrowException, OSError) as exc:
                raise RefusedFile(f"Parquet illisible ({path}) : {exc}") from exc
            return table
        try:
            table = pacsv.read_csv(
                src.readable,
                parse_options=pacsv.ParseOptions(
                    delimiter=src.delimiter or ",", newlines_in_values=True
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={c: pa.string() for c in src.columns},
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
                read_options=pacsv.ReadOptions(encoding="utf8"),
            )
        except pa.ArrowInvalid as exc:
            text = str(exc).strip().splitlines()
            raise RefusedFile(f"{path} illisible : {text[0] if text else exc}") from exc
        return table


def _map(table: pa.Table, name: str) -> dict[str, str]:
    by_lower = {c.strip().lstrip("\ufeff").lower(): c for c in table.column_names}
    missing = [c for c in REQUIRED if c not in by_lower]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        raise RefusedFile(
            f"{name} : colonne{plural} obligatoire{plural} absente{plural} : {', '.join(missing)}"
        )
    for forbidden in OUTPUT_COLUMNS:
        if forbidden in by_lower:
            raise RefusedFile(
                f"{name} : la colonne « {forbidden} » existe déjà (fichier déjà traité ?)"
            )
    return {c: by_lower[c] for c in (*REQUIRED, *OPTIONAL) if c in by_lower}


@dataclass
class _Column:
    """A column as dictionary indices (``len(dictionary)``: empty) and its distinct
    values as text."""

    indices: np.ndarray
    dictionary: pa.Array

    @property
    def values(self) -> list[str | None]:
        values: list[str | None] = self.dictionary.to_pylist()
        return values


def _dictionary(column: pa.ChunkedArray | None, rows: int) -> _Column:
    if column is None:
        return _Column(np.zeros(rows, dtype=np.int32), pa.array([], type=pa.string()))
    if column.num_chunks == 0:
        return _Column(np.zeros(0, dtype=np.int32), pa.array([], type=pa.string()))
    if pa.types.is_dictionary(column.type):
        # Parquet gives one dictionary per row group: their values are encoded together
        # once (a few distinct values each, however many rows), then each chunk's indices
        # are mapped through.
        chunks = [c for c in column.chunks if len(c)]
        values = pa.concat_arrays([c.dictionary for c in chunks]) if chunks else None
        if values is None:
            return _Column(np.zeros(0, dtype=np.int32), pa.array([], type=pa.string()))
        merged = pc.dictionary_encode(values)
        mapping = pc.fill_null(merged.indices, -1).to_numpy().astype(np.int32)
        sizes = np.array([len(c.dictionary) for c in chunks], dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int32)
        local = pa.chunked_array([c.indices for c in chunks], type=chunks[0].indices.type)
        nulls = local.null_count
        positions = pc.fill_null(local, 0).to_numpy().astype(np.int32, copy=False)
        positions = positions + np.repeat(starts, [len(c) for c in chunks])
        indices = mapping[positions]
        if nulls:
            indices[pc.is_null(local).to_numpy(zero_copy_only=False)] = -1
        dictionary = merged.dictionary
        if not pa.types.is_string(dictionary.type):
            dictionary = pc.cast(dictionary, pa.string())
        if nulls or (mapping < 0).any():
            # An empty cell (or a null in a dictionary) points after the last value.
            indices = np.where(indices < 0, len(dictionary), indices).astype(np.int32)
        return _Column(indices, dictionary)
    # One hash table over the whole column (per-chunk dictionaries would have to be
    # unified).
    encoded = pc.dictionary_encode(column.combine_chunks())
    dictionary = encoded.dictionary
    if not pa.types.is_string(dictionary.type):
        dictionary = pc.cast(dictionary, pa.string())
    # An empty cell points after the last distinct value (the lookups' "empty" entry).
    array = pc.fill_null(encoded.indices, len(dictionary)).cast(pa.int32()).to_numpy()
    return _Column(array, dictionary)


def _lookup(
    con: duckdb.DuckDBPyConnection, rule: Rule, dictionary: pa.Array, required: bool
) -> tuple[pa.Array, pa.Array]:
    """The rule's stored value and rejection reason of each distinct value, then of an
    empty cell (the last entry)."""
    raw = pa.concat_arrays([dictionary.cast(pa.string()), pa.nulls(1, type=pa.string())])
    data = pa.table({"_i": pa.array(np.arange(len(raw), dtype=np.int64)), "raw": raw})
    con.register("_distinct", data)
    missing = literal("valeur obligatoire manquante") if required else "NULL"
    whens = " ".join(f"WHEN {cond} THEN {why}" for cond, why in rule.checks("v"))
    result = con.sql(
        f"SELECT {rule.value('v')} AS value, CASE WHEN v IS NULL THEN {missing} {whens} END"
        " AS reason FROM (SELECT _i, NULLIF(trim(raw), '') AS v FROM _distinct) ORDER BY _i"
    ).to_arrow_table()
    con.unregister("_distinct")
    return result.column("value").combine_chunks(), result.column("reason").combine_chunks()


def _lab_antibiotic(
    con: duckdb.DuckDBPyConnection, rule: Rule, labs: list[str | None], abs_: list[str | None]
) -> tuple[pa.Array, pa.Array]:
    """Antibiotic codes are read with the row's lab (its own codes): every pair of a
    distinct lab and a distinct code, then an empty code; index lab × (codes + 1)."""
    lab_list = [*labs, None]
    ab_list = [*abs_, None]
    data = pa.table(
        {
            "_i": list(range(len(lab_list) * len(ab_list))),
            "lab": [lab for lab in lab_list for _ in ab_list],
            "raw": [ab for _ in lab_list for ab in ab_list],
        }
    )
    con.register("_distinct", data)
    whens = " ".join(f"WHEN {cond} THEN {why}" for cond, why in rule.checks("v"))
    result = con.sql(
        f"SELECT {rule.value('v')} AS value, CASE WHEN v IS NULL THEN"
        f" 'valeur obligatoire manquante' {whens} END AS reason FROM (SELECT _i,"
        " NULLIF(trim(lab), '') AS v_lab_id, NULLIF(trim(raw), '') AS v FROM _distinct)"
        " ORDER BY _i"
    ).to_arrow_table()
    con.unregister("_distinct")
    return result.column("value").combine_chunks(), result.column("reason").combine_chunks()


def target_table(
    table: pa.Table,
    *,
    rules: Ruleset,
    mapping: Mapping[tuple[str, str], str] | None = None,
    name: str = "fichier",
) -> TargetResult:
    """The rows of ``table`` with ``reported`` and ``report_comment`` (see the module)."""
    columns = _map(table, name)
    n = table.num_rows
    checks = _rules_of(mapping or {})
    raw = {
        c: _dictionary(table.column(columns[c]) if c in columns else None, n)
        for c in (*REQUIRED, *OPTIONAL)
    }
    con = duckdb.connect()
    try:
        looked: dict[str, tuple[pa.Array, pa.Array]] = {}
        for c in (*REQUIRED, *OPTIONAL):
            if c == "antibiotic":
                looked[c] = _lab_antibiotic(
                    con, checks[c], raw["lab_id"].values, raw["antibiotic"].values
                )
            else:
                looked[c] = _lookup(con, checks[c], raw[c].dictionary, c in REQUIRED)
    finally:
        con.close()

    def row_index(c: str) -> np.ndarray:
        if c == "antibiotic":
            entries = len(raw["antibiotic"].dictionary) + 1
            return raw["lab_id"].indices * np.int32(entries) + raw["antibiotic"].indices
        return raw[c].indices

    def values(c: str) -> list[object]:
        listed: list[object] = looked[c][0].to_pylist()
        return listed

    index = {c: row_index(c) for c in looked}
    bad_rows = np.zeros(n, dtype=bool)
    for c, (_, reasons) in looked.items():
        if reasons.null_count < len(reasons):  # some distinct value is refused
            bad_rows |= reasons.is_valid().to_numpy(zero_copy_only=False)[index[c]]

    # Isolates: one per isolate_id; a row without one is an isolate of its own.
    iso_values = raw["isolate_id"]
    known = len(iso_values.dictionary)
    iso = iso_values.indices
    orphans = np.flatnonzero(iso == known)
    if len(orphans):
        iso = iso.copy()
        iso[orphans] = known + np.arange(len(orphans), dtype=np.int32)
    isolates = known + len(orphans)
    first = np.full(isolates, n, dtype=np.int64)
    np.minimum.at(first, iso, np.arange(n, dtype=np.int64))

    def per_isolate(c: str, convert: object) -> np.ndarray:
        table_ = np.array([convert(v) for v in values(c)])  # type: ignore[operator]
        return table_[index[c][first]]

    all_codes = {code: i for i, code in enumerate(engine.codes())}
    in_scope = {o.name for o in organisms().values() if o.group in rules.organism_groups}
    ab_values = values("antibiotic")
    sir_values = values("sir")
    code = np.array([all_codes.get(str(v), -1) for v in ab_values], dtype=np.int32)[
        index["antibiotic"]
    ]
    sir = np.array([engine.SIR.index(str(v)) if v in engine.SIR else -1 for v in sir_values],
                   dtype=np.int8)[index["sir"]]  # fmt: skip
    esbl_rows = np.array([v == "Y" for v in values("esbl")], dtype=bool)[index["esbl"]]
    esbl = np.zeros(isolates, dtype=bool)
    np.logical_or.at(esbl, iso, esbl_rows)
    invalid: dict[int, str] = {}
    if bad_rows.any():
        first_bad = np.full(isolates, n, dtype=np.int64)  # noqa: RUF100
        bad = np.flatnonzero(bad_rows)
        np.minimum.at(first_bad, iso[bad], bad)
        for i in np.flatnonzero(first_bad < n):
            row = int(first_bad[i])
            for c, (_, reasons) in looked.items():
                why = reasons[int(index[c][row])].as_py()
                if why is not None:
                    invalid[int(i)] = f"ligne {row + 1}, {c} : {why}"
                    break
    enc = engine.Encoded(
        isolates=isolates,
        iso=iso,
        code=code,
        sir=sir,
        specimen_ok=per_isolate("specimen", lambda v: v in rules.specimens),
        organism_ok=per_isolate("organism", lambda v: v in in_scope),
        age=per_isolate("patient_age", lambda v: np.nan if v is None else float(v)),
        sex=per_isolate("patient_sex", lambda v: {"F": 0, "M": 1}.get(v, -1)).astype(np.int8),
        context=per_isolate(
            "clinical_context", lambda v: CONTEXTS.index(v) if v in CONTEXTS else len(CONTEXTS) - 1
        ).astype(np.int8),
        pregnant=per_isolate("pregnant", lambda v: v == "Y").astype(bool),
        esbl=esbl,
        invalid=invalid,
    )
    decided = engine.decide(rules, enc)
    reported = pa.DictionaryArray.from_arrays(
        pa.array(decided.reported.astype(np.int8)), pa.array(["N", "Y"])
    )
    comments = pa.DictionaryArray.from_arrays(
        pa.array(decided.comment[iso]), pa.array(decided.comments, type=pa.string())
    )
    out = table.append_column("reported", reported).append_column("report_comment", comments)
    problems = [invalid[i] for i in sorted(invalid, key=lambda i: int(first[i]))[:5]]
    return TargetResult(
        table=out,
        decided=decided,
        isolates=_isolates(looked, index, first, iso_values, orphans, decided),
        invalid_rows=int(bad_rows.sum()),
        first_problems=problems,
    )


def _isolates(
    looked: dict[str, tuple[pa.Array, pa.Array]],
    index: dict[str, np.ndarray],
    first: np.ndarray,
    iso_values: _Column,
    orphans: np.ndarray,
    decided: engine.Decided,
) -> pa.Table:
    """One row per isolate: what the log records (isolates without an id have NULL)."""
    ids = pa.concat_arrays(
        [iso_values.dictionary.cast(pa.string()), pa.nulls(len(orphans), type=pa.string())]
    )

    def take(c: str, kind: pa.DataType) -> pa.Array:
        return looked[c][0].cast(kind).take(pa.array(index[c][first]))

    situations = pa.array([None, *SITUATIONS], type=pa.string())
    return pa.table(
        {
            "lab_id": take("lab_id", pa.string()),
            "isolate_id": ids,
            "sampled_on": take("sampled_on", pa.date32()),
            "clinical_context": take("clinical_context", pa.string()),
            "situation": situations.take(pa.array(decided.situation.astype(np.int64) + 1)),
            "mode": pa.array(engine.MODES).take(pa.array(decided.mode.astype(np.int64))),
            "withheld": pa.array(decided.withheld.astype(np.int32)),
        }
    )


def write_output(table: pa.Table, out: Path) -> None:
    """Write the output table: Parquet for a ``.parquet`` name, CSV otherwise."""
    tmp = out.with_name(out.name + ".part")
    try:
        if out.suffix.lower() == ".parquet":
            # Dictionary pages only where values repeat (trying them on ids costs time).
            repeated = [
                f.name
                for f in table.schema
                if pa.types.is_dictionary(f.type) or f.name.lower() in DICTIONARY_COLUMNS
            ]
            # Min/max statistics of text columns cost a third of the writing time and serve
            # no query of a report file: kept for dates and numbers only.
            plain = [f.name for f in table.schema if not pa.types.is_dictionary(f.type)]
            pq.write_table(table, tmp, use_dictionary=repeated, write_statistics=plain)
        else:
            plain = table.set_column(
                table.num_columns - 2, "reported", pc.cast(table.column("reported"), pa.string())
            ).set_column(
                table.num_columns - 1,
                "report_comment",
                pc.cast(table.column("report_comment"), pa.string()),
            )
            pacsv.write_csv(neutralise_table(plain), tmp)
        tmp.replace(out)
    except (OSError, pa.ArrowException) as exc:
        tmp.unlink(missing_ok=True)
        raise RefusedFile(f"impossible d'écrire {out} : {exc}") from exc
