"""Where indicators run: DuckDB (default) or Spark, both through Ibis.

An indicator is written once as Ibis expressions over the warehouse tables; a
``Session`` gives it those tables on one backend:

- ``duckdb``: the warehouse file itself, opened read-only;
- ``spark``: a Spark session (started with the caller's ``SparkSettings``: local mode
  unless the configuration names a master) reading a Parquet copy of the warehouse
  tables. The copy is written by DuckDB into
  ``<warehouse>.parquet/`` and rewritten only when the imports ledger has changed.

Reference tables (agents, DDD, départements) are Arrow tables handed to the backend as
Ibis memtables, so both backends join the same reference rows.

On DuckDB, compiling an Ibis expression to SQL costs far more than running it on the small
tables an indicator reads (issue #19: tens of milliseconds per expression, most of an
indicator set's time at a million lines). A process therefore keeps the SQL of the
expressions it compiled (``compiled_sql``), keyed by the expression itself; so that the
same indicator asked again in a later session is the *same* expression, the session's
memtables and shared tables take names derived from their content and key instead of
random ones. What is kept is SQL text, never data: every session runs its queries.

Building the expressions themselves (Ibis validates every join, select and mutate) is
the other half of that fixed cost. ``Session.replayed`` keeps, per request, the
expression an indicator built and what the building read from the session (tables and
their schemas, the data checks it ran and their results, the shared tables it
materialised); a later session replays those reads — every check query runs again, every
shared table is materialised again — and takes the kept expression only when each read
gives what it gave when the expression was built (otherwise the indicator builds it
again). Results are never kept: the indicator's query runs in every session.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import threading
import warnings
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import ibis
import ibis.expr.operations as ops
import pyarrow as pa

from cratb.engine.config import SparkSettings
from cratb.engine.errors import EngineError
from cratb.engine.sources.derived import PRESCRIBERS, SPECIALTIES
from cratb.engine.sources.schema import COMMAND_LINE_KINDS, KINDS
from cratb.engine.sources.territories import ESTABLISHMENT_GHT, TERRITORY_COMMUNES
from cratb.engine.warehouse import connect

__all__ = [
    "BACKENDS",
    "COMPILED_SQL",
    "WAREHOUSE_TABLES",
    "BackendError",
    "Session",
    "open_session",
]

BACKENDS = ("duckdb", "spark")
#: The imported tables (one per input kind), and the tables derived at import: the
#: prescribers' and the specialties' keys, one row per isolate
#: (sources/isolate_heads.py), and the log of the targeted-reporting engine (cratb ast
#: target, the lab API).
WAREHOUSE_TABLES = (
    *KINDS,
    *COMMAND_LINE_KINDS,
    PRESCRIBERS,
    SPECIALTIES,
    "isolate_heads",
    "targeted_reports",
    "product_notes",
    "product_unresolved",
    TERRITORY_COMMUNES,
    ESTABLISHMENT_GHT,
)


class BackendError(EngineError, RuntimeError):
    """A backend cannot be opened or lacks a table; the message is French, one line."""


class _Bounded:
    """A small least-recently-used mapping shared by the sessions of a process."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[Any, Any] = OrderedDict()
        self.lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Any, make: Any) -> Any:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                self.hits += 1
                return self.items[key]
        value = make()
        with self.lock:
            self.misses += 1
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return value

    def peek(self, key: Any) -> Any:
        """The value kept for ``key`` (None when there is none), counted as neither a hit
        nor a miss."""
        with self.lock:
            return self.items.get(key)

    def put(self, key: Any, value: Any, *, hit: bool) -> None:
        with self.lock:
            if hit:
                self.hits += 1
                self.items.move_to_end(key)
                return
            self.misses += 1
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()
            self.hits = self.misses = 0


#: DuckDB's warning on the rows of a result fetched as Arrow from the connection.
_ROWS_COPIED = "Arrow output on a DB-API result makes an extra copy"
# Filtered once for the process (``warnings.catch_warnings`` around each read would not be
# thread-safe): the only DB-API results turned into Arrow are indicators' small results.
warnings.filterwarnings("ignore", _ROWS_COPIED, UserWarning)
#: SQL of the expressions compiled by this process (DuckDB), by expression.
COMPILED_SQL = _Bounded(1024)
#: The select list casting a schema's columns to their types, by schema.
_CAST_COLUMNS = _Bounded(256)
#: The ibis schema of a warehouse table's columns (name, DuckDB type, nullable).
_SCHEMAS = _Bounded(256)
#: The memtables of this process, by content: the same rows are the same expression.
_MEMTABLES = _Bounded(256)
#: The memtables an expression reads, by expression (found once: a walk of its graph).
_MEMTABLES_READ = _Bounded(1024)
#: What ``Session.replayed`` kept: per request, the reads made while building it and the
#: value built (an indicator's expression and its warnings).
BUILT = _Bounded(256)


@dataclass
class Session:
    """The warehouse tables on one backend, plus a cache of shared intermediate tables."""

    backend: str
    con: Any  # ibis.BaseBackend
    available: frozenset[str]
    cache: dict[str, ibis.Table] = field(default_factory=dict)
    values: dict[Any, Any] = field(default_factory=dict)
    # The expression each shared table was materialised from, by key.
    built: dict[str, ibis.Table] = field(default_factory=dict)
    # While ``replayed`` records a build: what it reads from the session, in order.
    log: list[tuple[Any, ...]] | None = None
    # DuckDB: the warehouse tables' columns (name, type, nullable), read at the opening in
    # one query instead of one DESCRIBE per table.
    columns: dict[str, tuple[tuple[str, str, bool], ...]] = field(default_factory=dict)

    def has(self, name: str) -> bool:
        found = name in self.available
        self._event("has", name, found)
        return found

    def table(self, name: str) -> ibis.Table:
        if name not in self.available:
            raise BackendError(
                f"la table « {name} » est absente de l'entrepôt : importer d'abord un fichier "
                f"de ce type (cratb import {name} FICHIER)"
            )
        # ibis asks the backend for the schema at each call: once per session is enough.
        key = f"table:{name}"
        if key not in self.values:
            self.values[key] = self._table(name)
        table: ibis.Table = self.values[key]
        self._event("table", name, table.op())
        return table

    def _table(self, name: str) -> ibis.Table:
        """The table ``name`` as ``con.table(name)`` gives it, built from the columns read
        at the opening when there are (the same node: the same expression)."""
        columns = self.columns.get(name)
        if self.backend != "duckdb" or not columns:
            return self.con.table(name)
        mapper = self.con.compiler.type_mapper
        schema = _SCHEMAS.get(
            columns,
            lambda: ibis.schema(
                {
                    column: mapper.from_string(type_, nullable=nullable)
                    for column, type_, nullable in columns
                }
            ),
        )
        node = ops.DatabaseTable(
            name,
            schema=schema,
            source=self.con,
            namespace=ops.Namespace(catalog=None, database=None),
        )
        return node.to_expr()

    def memtable(self, data: pa.Table) -> ibis.Table:
        if self.backend == "duckdb":
            digest = hashlib.sha256(repr(data.schema).encode() + _digest(data)).hexdigest()[:24]
            # The same rows give back the same memtable (and its name): one expression.
            table: ibis.Table = _MEMTABLES.get(digest, lambda: ibis.memtable(data))
            return table
        if self.backend == "spark":
            # Spark's cached tables are compiled without the memtables they read, so
            # reference tables become named temporary views there.
            name = (
                "ref_" + hashlib.sha256(repr(data.schema).encode() + _digest(data)).hexdigest()[:16]
            )
            if name not in self.values:
                self.values[name] = self.con.create_view(name, ibis.memtable(data), overwrite=True)
            view: ibis.Table = self.values[name]
            return view
        return ibis.memtable(data)

    def shared(self, key: str, build: Any) -> ibis.Table:
        """An intermediate table computed once per session (materialised by the backend),
        so that computing the whole catalogue scans the large tables once."""
        if key not in self.cache:
            with self._nested() as inner:
                expr = build()
            self.cache[key] = self._materialise(key, expr)
            self.built[key] = expr
            self._event("shared", key, expr, tuple(inner), self.cache[key].op())
        else:
            self._event("shared", key, None, None, self.cache[key].op())
        return self.cache[key]

    def _materialise(self, key: str, expr: ibis.Table) -> ibis.Table:
        if self.backend != "duckdb":
            return expr.cache()
        # Named after its key, so that what is built on it is the same expression in
        # every session of the process (and its SQL is compiled once).
        name = "cratb_shared_" + hashlib.sha256(key.encode()).hexdigest()[:24]
        schema = expr.schema()
        mapper = self.con.compiler.type_mapper
        # Each column cast to the type of the expression's schema, as an INSERT into a
        # table created with those types casts it: one statement instead of two.
        columns: str = _CAST_COLUMNS.get(
            schema,
            lambda: ", ".join(
                f"CAST({_quoted(column)} AS {mapper.from_ibis(dtype).sql('duckdb')})"
                f" AS {_quoted(column)}"
                for column, dtype in schema.items()
            ),
        )
        self._register_memtables(expr)
        create = f"CREATE OR REPLACE TEMP TABLE {_quoted(name)} AS"
        self.con.con.execute(
            f"{create} SELECT {columns} FROM ({self.sql(expr)}) AS _cratb_rows"  # noqa: S608
        )
        self.values.setdefault("shared_tables", []).append(name)
        node = ops.DatabaseTable(
            name,
            schema=schema,
            source=self.con,
            namespace=ops.Namespace(catalog="temp", database="main"),
        )
        return node.to_expr()

    def sql(self, expr: ibis.Table) -> str:
        """The SQL of ``expr`` (DuckDB), compiled once per process."""
        sql: str = COMPILED_SQL.get(expr.op(), lambda: self.con.compile(expr))
        return sql

    def _register_memtables(self, expr: ibis.Table) -> None:
        """Hand DuckDB the memtables ``expr`` reads (what Ibis' pre-execution hooks do for
        the engine's expressions, which use no UDF nor geospatial type), the walk of the
        expression's graph made once per process."""
        node = expr.op()
        found: tuple[Any, ...] = _MEMTABLES_READ.get(
            node, lambda: tuple(node.find(ops.InMemoryTable))
        )
        for memtable in found:
            if memtable not in self.con._memtables:
                self.con._register_in_memory_table(memtable)
                self.con._memtables.add(memtable)

    def remember(self, key: Any, compute: Any) -> Any:
        """A small Python value computed once per session (e.g. the population years)."""
        if key not in self.values:
            with self._nested() as inner:
                self.values[key] = compute()
            if self.log is not None:  # a copy: what a later session is given
                self._event("remember", key, copy.deepcopy(self.values[key]), tuple(inner))
        else:
            self._event("remember", key, self.values[key], None)
        return self.values[key]

    def replayed(self, key: Any, build: Any) -> Any:
        """``build()`` (a pure function of the session's tables, of what it reads through
        ``table``, ``has``, ``remember``, ``to_arrow`` and ``shared``, and of ``key``), or
        the value an earlier session's ``build()`` gave for the same ``key`` when
        replaying what that build read gives the same here: the same tables and schemas,
        every check query run again with the same result, the shared tables it used
        materialised again. DuckDB only (Spark builds every time)."""
        if self.backend != "duckdb" or self.log is not None or not _hashable(key):
            return build()
        recorded = BUILT.peek(key)
        if recorded is not None:
            events, value = recorded
            if self._replay(events):
                BUILT.put(key, recorded, hit=True)
                return value
        self.log = []
        try:
            value = build()
            events = tuple(self.log)
        finally:
            self.log = None
        BUILT.put(key, (events, value), hit=False)
        return value

    def _replay(self, events: tuple[tuple[Any, ...], ...]) -> bool:
        """Replay what a build read; False at the first read that gives something else
        here (or that cannot be replayed: a value the build found already computed in
        its own session, which this session has not computed)."""
        for kind, *event in events:
            if kind == "has":
                name, found = event
                if (name in self.available) != found:
                    return False
            elif kind == "table":
                name, op = event
                if name not in self.available or self.table(name).op() != op:
                    return False
            elif kind == "read":
                expr, digest = event
                if _rows_digest(self.to_arrow(expr)) != digest:
                    return False
            elif kind == "remember":
                key, value, inner = event
                if key in self.values:
                    if self.values[key] != value:
                        return False
                elif inner is None or not self._replay(inner):
                    return False
                else:
                    self.values[key] = copy.deepcopy(value)
            elif kind == "shared":
                key, expr, inner, table = event
                if key in self.cache:
                    if self.cache[key].op() != table:
                        return False
                    continue
                if inner is None or not self._replay(inner):
                    return False
                self.cache[key] = self._materialise(key, expr)
                self.built[key] = expr
                if self.cache[key].op() != table:
                    return False
        return True

    def _event(self, *event: Any) -> None:
        if self.log is not None:
            self.log.append(event)

    @contextmanager
    def _nested(self) -> Iterator[list[tuple[Any, ...]]]:
        """While recording, the events of a nested step go to their own list."""
        outer = self.log
        inner: list[tuple[Any, ...]] = []
        if outer is not None:
            self.log = inner
        try:
            yield inner
        finally:
            if outer is not None:
                self.log = outer

    def to_arrow(self, expr: ibis.Table) -> pa.Table:
        if self.backend != "duckdb":
            table: pa.Table = self.con.to_pyarrow(expr)
            return table
        from ibis.backends.duckdb.converter import DuckDBPyArrowData

        expr = expr.as_table()
        self._register_memtables(expr)
        # One statement run and fetched: ``sql(...).to_arrow_table()`` parses and binds the
        # query, then runs it (parsing it again), about twice the fixed cost of a small
        # query (issue #19). The copy of the rows it warns about is of an indicator's
        # small result.
        raw = self.con.con
        raw.execute(self.sql(expr))
        result = raw.to_arrow_table()
        converted: pa.Table = expr.__pyarrow_result__(result, data_mapper=DuckDBPyArrowData)
        if self.log is not None:
            self._event("read", expr, _rows_digest(converted))
        return converted

    def close(self) -> None:
        if self.backend == "duckdb":
            self.cache.clear()
            self.con.disconnect()
            return
        for cached in self.cache.values():
            cached.release()
        self.cache.clear()


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _hashable(key: Any) -> bool:
    try:
        hash(key)
    except TypeError:  # e.g. a parameter given as a list: built every time
        return False
    return True


def _rows_digest(data: pa.Table) -> bytes:
    """A digest of ``data``'s rows whatever their order (a query without ORDER BY may
    give them in another order in another run): an order a run could have given is as
    good as the one the first run gave."""
    try:
        data = data.sort_by([(name, "ascending") for name in data.column_names])
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid, pa.ArrowTypeError):
        pass  # a column that cannot be sorted: the rows as they came
    return _digest(data)


def _digest(data: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, data.schema) as writer:
        writer.write_table(data)
    return hashlib.sha256(sink.getvalue().to_pybytes()).digest()


@contextmanager
def open_session(
    *,
    warehouse: Path,
    backend: str = "duckdb",
    threads: int | None = None,
    memory_limit: str | None = None,
    spark: SparkSettings | None = None,
) -> Iterator[Session]:
    """A session on ``backend`` over the DuckDB ``warehouse``; closed on exit. DuckDB
    uses at most ``threads`` threads and ``memory_limit`` memory when given; Spark
    starts with ``spark`` (local mode by default)."""
    if backend not in BACKENDS:
        raise BackendError(f"moteur inconnu « {backend} » ; moteurs admis : {', '.join(BACKENDS)}")
    session = (
        _duckdb(warehouse, threads=threads, memory_limit=memory_limit)
        if backend == "duckdb"
        else _spark(warehouse, spark or SparkSettings())
    )
    try:
        yield session
    finally:
        session.close()


def _warehouse_columns(
    con: duckdb.DuckDBPyConnection,
) -> tuple[frozenset[str], dict[str, tuple[tuple[str, str, bool], ...]]]:
    """The warehouse tables of ``con`` and their columns (name, type, nullable), in
    order: one query at the opening of a session instead of a DESCRIBE per table. A name
    found in two schemas gets no columns here (``con.table`` reads it as before)."""
    rows = con.execute(
        "SELECT t.table_name, t.database_name, t.schema_name, c.column_name, c.data_type,"
        " c.is_nullable FROM duckdb_tables() t LEFT JOIN duckdb_columns() c"
        " ON c.database_oid = t.database_oid AND c.schema_oid = t.schema_oid"
        " AND c.table_oid = t.table_oid ORDER BY c.column_index"
    ).fetchall()
    names = {row[0] for row in rows} & set(WAREHOUSE_TABLES)
    places: dict[str, set[tuple[str, str]]] = {}
    columns: dict[str, list[tuple[str, str, bool]]] = {}
    for table, database, schema, column, type_, nullable in rows:
        if table in names:
            places.setdefault(table, set()).add((database, schema))
            if column is not None:
                columns.setdefault(table, []).append((column, type_, bool(nullable)))
    return frozenset(names), {
        name: tuple(found) for name, found in columns.items() if len(places[name]) == 1
    }


def _existing_tables(warehouse: Path) -> frozenset[str]:
    """The warehouse tables of the file ``warehouse`` (a Spark session copies them)."""
    con = connect(warehouse, read_only=True)
    try:
        return _warehouse_columns(con)[0]
    finally:
        con.close()


_COMPILER_IMPORT = re.compile(r"^from ibis\.backends\.sql\.compilers\.(\w+) import (\w+)$", re.M)


def _load_compilers_on_demand() -> None:
    """Let ``ibis.backends.sql.compilers`` load a dialect's compiler when it is first
    used instead of all twenty of them (Athena, BigQuery, Oracle…) when the DuckDB backend
    is imported: about a quarter of a second of every ``cratb indicators compute``
    (issue #19). Nothing is changed when the package is loaded already or does not have
    the expected shape."""
    import importlib.util
    import sys
    import types

    name = "ibis.backends.sql.compilers"
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None or not spec.submodule_search_locations:
        return
    try:
        source = Path(spec.origin).read_text(encoding="utf-8")
    except OSError:
        return
    where = {cls: module for module, cls in _COMPILER_IMPORT.findall(source)}
    if "DuckDBCompiler" not in where:
        return
    package = types.ModuleType(name)
    package.__file__ = spec.origin
    package.__path__ = list(spec.submodule_search_locations)
    package.__spec__ = spec
    package.__package__ = name
    setattr(package, "__all__", sorted(where))  # noqa: B010 - a module built here

    def load(attribute: str) -> Any:
        """A compiler class (``DuckDBCompiler``) or a dialect's module (``duckdb``)."""
        try:
            module = importlib.import_module(f"{name}.{where.get(attribute, attribute)}")
        except ModuleNotFoundError:
            raise AttributeError(f"module {name!r} has no attribute {attribute!r}") from None
        value = getattr(module, attribute) if attribute in where else module
        setattr(package, attribute, value)
        return value

    package.__getattr__ = load  # type: ignore[method-assign]
    sys.modules[name] = package


def _duckdb(warehouse: Path, *, threads: int | None, memory_limit: str | None) -> Session:
    _load_compilers_on_demand()
    raw = connect(warehouse, read_only=True, memory_limit=memory_limit)
    available, columns = _warehouse_columns(raw)
    if threads:
        raw.execute(f"SET threads = {int(threads)}")
    return Session(
        backend="duckdb",
        con=ibis.duckdb.from_connection(raw),
        available=available,
        columns=columns,
    )


def _ledger_fingerprint(warehouse: Path, tables: frozenset[str]) -> str:
    con = connect(warehouse, read_only=True)
    try:
        ledger = con.execute("SELECT id, kind, sha256 FROM imports ORDER BY id").fetchall()
    finally:
        con.close()
    return hashlib.sha256(json.dumps([ledger, sorted(tables)]).encode()).hexdigest()


def parquet_copy(warehouse: Path, tables: frozenset[str]) -> Path:
    """A Parquet copy of the warehouse tables, rewritten only when an import changed them."""
    folder = warehouse.with_name(warehouse.name + ".parquet")
    stamp = folder / "ledger.json"
    fingerprint = _ledger_fingerprint(warehouse, tables)
    if stamp.exists() and json.loads(stamp.read_text())["fingerprint"] == fingerprint:
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    con = connect(warehouse, read_only=True)
    try:
        for name in sorted(tables):
            target = folder / f"{name}.parquet"
            con.execute(f"COPY {name} TO '{target}' (FORMAT parquet)")
    finally:
        con.close()
    stamp.write_text(json.dumps({"fingerprint": fingerprint}))
    return folder


_SPARK: Any = None


def spark_session(settings: SparkSettings | None = None) -> Any:
    """The process's Spark session, started once with ``settings`` (a JVM takes seconds
    to start; later calls get the running session)."""
    global _SPARK
    if _SPARK is None:
        try:
            from pyspark.sql import SparkSession
        except ImportError as exc:
            raise BackendError("le moteur Spark n'est pas installé (paquet pyspark)") from exc
        settings = settings or SparkSettings()
        builder = (
            SparkSession.builder.master(settings.master)
            .appName("cratb")
            .config("spark.driver.memory", settings.driver_memory)
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", settings.shuffle_partitions)
            .config("spark.sql.ansi.enabled", "false")
        )
        try:
            _SPARK = builder.getOrCreate()
        except Exception as exc:
            raise BackendError(
                f"Spark n'a pas pu démarrer (Java 17 requis) : {str(exc).splitlines()[0]}"
            ) from exc
        _SPARK.sparkContext.setLogLevel("ERROR")
    return _SPARK


def _spark(warehouse: Path, settings: SparkSettings) -> Session:
    available = _existing_tables(warehouse)
    folder = parquet_copy(warehouse, available)
    con = ibis.pyspark.connect(spark_session(settings))
    for name in sorted(available):
        con.read_parquet(str(folder / f"{name}.parquet"), table_name=name)
    return Session(backend="spark", con=con, available=available)
