"""Benchmark of the community consumption indicators (issue #3).

    python -m benchmarks community [--lines 10000000] [--workdir DIR] [--repeat 3]
                                   [--no-pandas] [--polars] [--cli] [--spark] [--memory]

1. generates a demo region (Île-de-France) with about ``--lines`` dispensing lines, and
   imports population, products, dispensations and patient-days into a new warehouse
   (the import of the dispensing lines is timed: it is part of the budget);
2. runs, in this one process and on the same stored data, each ``--repeat`` times:
   - the *floor*: one bare DuckDB SQL query reading the dispensing lines once and
     computing DDD per 1000 inhabitants per day by département × month × ATC;
   - the *engine*: the full community indicator set (``FULL_SET``) through the catalogue,
     in a new session each time (nothing cached between runs);
   - the *pandas* baseline (pandas_baseline.py), the same tables in plain pandas;
   - ``--polars``: the DDD table alone, by the engine and by Polars, and the full set in
     Polars (polars_peer.py), each reading the lines through Arrow and from a Parquet
     copy;
3. optionally the engine on Spark (local mode), and the engine's peak memory measured in
   a child process (``--memory``);
4. checks that the engine and pandas give the same DDD per 1000 inhabitants per day,
   and that Polars' full set gives pandas' eight tables (every row and value), and prints
   and writes the results (``results-<lines>.json``) with the machine they ran on.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from benchmarks import verdict
from cratb.engine.backends import open_session
from cratb.engine.demo import DemoSpec, generate
from cratb.engine.indicators import Query, compute
from cratb.engine.sources import import_file

HERE = Path(__file__).resolve().parent
LINES_PER_SCALE = 10_940_000  # dispensing lines of Île-de-France at scale 1 (measured)
YEAR = 2025
DEPARTEMENT_MONTH = ("departement", "month")
FULL_SET: tuple[tuple[str, tuple[str, ...], dict[str, float]], ...] = (
    ("community.did", DEPARTEMENT_MONTH, {}),
    ("community.prescriptions_per_1000", DEPARTEMENT_MONTH, {}),
    ("community.access_share", DEPARTEMENT_MONTH, {}),
    ("community.critical_share", DEPARTEMENT_MONTH, {}),
    ("community.prescriber_profile", (), {}),
    ("community.seasonal_variation", ("departement",), {}),
    ("community.did_change_vs_baseline", ("departement",), {"baseline_year": YEAR}),
    ("nursing_home.ddd_per_1000_resident_days", ("departement",), {}),
)

FLOOR_SQL = """
SELECT departement, month, atc, ddd / (population * days / 1000) AS did FROM (
  SELECT d.patient_departement AS departement, date_trunc('month', d.dispensed_on) AS month,
         p.atc,
         sum(d.boxes * coalesce(p.ddd_per_box, p.units_per_box * p.amount_per_unit
             * CASE p.amount_unit WHEN 'mg' THEN 0.001 ELSE 1 END / w.ddd)) AS ddd,
         any_value(pop.population) AS population,
         any_value(day(last_day(d.dispensed_on))) AS days
  FROM dispensations d
  JOIN products p USING (cip13)
  LEFT JOIN who w ON w.atc = p.atc AND w.route = p.route
  JOIN population pop ON pop.departement = d.patient_departement
   AND pop.year = year(d.dispensed_on)
  GROUP BY ALL
)
"""


def machine() -> dict[str, Any]:
    return verdict.machine()


def prepare(lines: int, workdir: Path, *, reuse: bool = False) -> tuple[Path, dict[str, float]]:
    """Generate the files once (kept in ``workdir``), then import them into a new
    warehouse, timing each import (``reuse``: keep the warehouse of an earlier run)."""
    scale = round(lines / LINES_PER_SCALE, 3)
    folder = workdir / f"idf-{lines}"
    spec = DemoSpec(region_code="11", scale=scale, seed=1, year=YEAR)
    manifest = folder / "manifest.json"
    kinds = ("population", "products", "dispensations", "patient_days", "hospital_consumption")
    if manifest.exists() and json.loads(manifest.read_text())["scale"] == scale:
        files = {kind: folder / f"{kind}.csv" for kind in kinds}
    else:
        generated = generate(
            spec,
            out_dir=folder,
            skip=frozenset({"isolates"}),
            progress=lambda m: None if "délivrances" in m else print(m, flush=True),
        )
        files = generated.files
    warehouse = folder / "warehouse.duckdb"
    if reuse and warehouse.exists():
        return warehouse, {}
    for stale in folder.glob("warehouse.duckdb*"):
        if stale.is_file():
            stale.unlink()
    timings: dict[str, float] = {}
    for kind in kinds:
        started = time.perf_counter()
        report = import_file(kind, files[kind], warehouse=warehouse)
        took = time.perf_counter() - started
        timings[f"import_{kind}_s"] = round(took, 2)
        print(f"import {kind}: {report.read} rows, {took:.1f} s", flush=True)
    return warehouse, timings


def floor(warehouse: Path) -> float:
    from cratb.engine import reference

    con = duckdb.connect(str(warehouse), read_only=True)
    con.execute("CREATE TEMP TABLE who (atc VARCHAR, route VARCHAR, ddd DOUBLE)")
    rows = []
    for agent in reference.antibacterials().values():
        for route in ("O", "P", "R", "Inhal"):
            d = reference.who_ddd(agent.atc, route)
            if d is not None:
                rows.append((agent.atc, route, d.value * (0.001 if d.unit == "mg" else 1)))
    con.executemany("INSERT INTO who VALUES (?, ?, ?)", rows)
    started = time.perf_counter()
    con.execute(FLOOR_SQL).fetchall()
    took = time.perf_counter() - started
    con.close()
    return took


def engine_set(
    warehouse: Path, backend: str = "duckdb", memory_limit: str | None = None
) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    out = {}
    with open_session(warehouse=warehouse, backend=backend, memory_limit=memory_limit) as session:
        for indicator, by, params in FULL_SET:
            query = Query(
                by=by, date_from=date(YEAR, 1, 1), date_to=date(YEAR, 12, 31), params=params
            )
            out[indicator] = compute(indicator, session, query).table
    return time.perf_counter() - started, out


def pandas_set(warehouse: Path) -> tuple[float, dict[str, Any]]:
    from benchmarks.community.pandas_baseline import compute_all

    started = time.perf_counter()
    con = duckdb.connect(str(warehouse), read_only=True)
    out = compute_all(con, baseline_year=YEAR)
    con.close()
    return time.perf_counter() - started, out


def engine_did(warehouse: Path) -> tuple[float, Any]:
    """The engine's DDD table alone (``community.did`` by département × month), in a new
    session: what the Polars peer computes."""
    started = time.perf_counter()
    with open_session(warehouse=warehouse) as session:
        query = Query(by=DEPARTEMENT_MONTH, date_from=date(YEAR, 1, 1), date_to=date(YEAR, 12, 31))
        table = compute("community.did", session, query).table
    return time.perf_counter() - started, table


def polars_did(warehouse: Path, parquet: Path | None) -> tuple[float, Any]:
    """Polars' DDD table, reading the lines through Arrow from the warehouse, or from
    the Parquet copy ``parquet``."""
    from benchmarks.community import polars_peer

    started = time.perf_counter()
    con = duckdb.connect(str(warehouse), read_only=True)
    lines = polars_peer.from_parquet(parquet) if parquet else polars_peer.from_warehouse(con)
    table = polars_peer.did(con, lines)
    con.close()
    return time.perf_counter() - started, table.to_pandas()


def polars_set(warehouse: Path, parquet: Path | None) -> tuple[float, dict[str, Any]]:
    """Polars' full set (the eight tables of the pandas peer), reading the lines through
    Arrow from the warehouse, or from the Parquet copy ``parquet``: the time includes
    reading the lines, as pandas' does."""
    from benchmarks.community import polars_peer

    columns = polars_peer.FULL_COLUMNS
    started = time.perf_counter()
    con = duckdb.connect(str(warehouse), read_only=True)
    lines = (
        polars_peer.from_parquet(parquet, columns)
        if parquet
        else polars_peer.from_warehouse(con, columns)
    )
    out = polars_peer.compute_all(con, lines, baseline_year=YEAR)
    con.close()
    return time.perf_counter() - started, out


def cli_call(warehouse: Path) -> dict[str, float]:
    """One ``cratb indicators compute community.did`` process against one bare DuckDB
    process running the floor query (each from its start to its exit: start-up
    included), in the same moment."""
    floor_code = (
        "import sys, duckdb; con = duckdb.connect(sys.argv[1], read_only=True); "
        "con.execute(sys.argv[2]).fetchall()"
    )
    # The floor query without the WHO table (a temporary table the CLI reads from the
    # reference): the products' own DDD per box carry the weight of the query.
    bare = FLOOR_SQL.replace("LEFT JOIN who w ON w.atc = p.atc AND w.route = p.route", "")
    bare = bare.replace("/ w.ddd", "")
    cratb = Path(sys.executable).with_name("cratb")
    out: dict[str, float] = {}
    for name, command in (
        ("bare_duckdb_process_s", [sys.executable, "-c", floor_code, str(warehouse), bare]),
        (
            "cli_indicator_call_s",
            [
                str(cratb),
                "indicators",
                "compute",
                "community.did",
                "--by",
                "departement,month",
                "--from",
                f"{YEAR}-01-01",
                "--to",
                f"{YEAR}-12-31",
                "--warehouse",
                str(warehouse),
                "--out",
                str(warehouse.with_name("cli-did.csv")),
            ],
        ),
    ):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, cwd=HERE.parent.parent)  # noqa: S603
        out[name] = round(time.perf_counter() - started, 3)
    out["cli_over_bare_process"] = round(
        out["cli_indicator_call_s"] / out["bare_duckdb_process_s"], 2
    )
    return out


def pandas_child(warehouse: Path, *, limit_gib: float) -> dict[str, Any]:
    """Run the pandas baseline in a child process watched by this one: it is stopped when
    its resident memory passes ``limit_gib`` (so that it cannot take the machine down),
    and the outcome says so."""
    code = (
        "import sys, time; from pathlib import Path; "
        "from benchmarks.community import run; "
        "print(run.pandas_set(Path(sys.argv[1]))[0])"
    )
    started = time.perf_counter()
    child = subprocess.Popen(  # noqa: S603 - this interpreter, the benchmark's own code
        [sys.executable, "-c", code, str(warehouse)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=HERE.parent.parent,
    )
    peak = 0.0
    status = Path(f"/proc/{child.pid}/status")
    while child.poll() is None:
        try:
            match = re.search(r"VmRSS:\s+(\d+) kB", status.read_text())
        except OSError:
            match = None
        if match:
            peak = max(peak, int(match.group(1)) / 2**20)
        if peak > limit_gib:
            child.kill()
            child.wait()
            return {
                "pandas_outcome": f"stopped: resident memory above {limit_gib:g} GiB",
                "pandas_seconds_before_stop": round(time.perf_counter() - started, 1),
                "pandas_peak_rss_gib": round(peak, 2),
            }
        time.sleep(0.2)
    out = child.stdout.read() if child.stdout else ""
    if child.returncode != 0:
        return {"pandas_outcome": f"failed with exit code {child.returncode}"}
    return {
        "pandas_outcome": "completed",
        "pandas_child_s": round(float(out.strip().splitlines()[-1]), 3),
        "pandas_peak_rss_gib": round(peak, 2),
    }


def check_same(engine: dict[str, Any], pandas: dict[str, Any]) -> float:
    """Largest relative difference of DDD/1000 inhabitants/day by département × month."""
    ours = {(r["departement"], r["month"]): r["value"] for r in engine["community.did"].to_pylist()}
    theirs = pandas["community.did"]
    theirs = theirs.assign(departement=theirs.departement.astype(str))
    worst = 0.0
    for row in theirs.itertuples():
        a, b = ours[(row.departement, row.month)], row.did
        worst = max(worst, abs(a - b) / max(abs(b), 1e-300))
    assert len(ours) == len(theirs), (len(ours), len(theirs))
    return worst


def compare_sets(pandas: dict[str, Any], polars: dict[str, Any]) -> float:
    """Largest relative difference between pandas' and Polars' eight tables; raises
    ``ValueError`` when a row is missing on one side or a value differs by more than 1e-9
    (relative)."""
    from benchmarks.community.polars_peer import compare

    return compare(pandas, polars, tolerance=1e-9)


def child_peak_memory(warehouse: Path, memory_limit: str | None) -> dict[str, Any]:
    """Run the engine's full set in a fresh child process, which reports its own peak
    resident memory (Linux's VmHWM); the parent's memory, pandas' included, is not
    counted."""
    # VmHWM is the peak of this process image: ru_maxrss would also count the pages of
    # the forked parent, which are the child's until it execs.
    code = (
        "import re, sys; from pathlib import Path; "
        "from benchmarks.community import run; "
        "t = run.engine_set(Path(sys.argv[1]), memory_limit=sys.argv[2] or None)[0]; "
        "hwm = re.search(r'VmHWM:\\s+(\\d+) kB', Path('/proc/self/status').read_text()); "
        "print(t, hwm.group(1))"
    )
    result = subprocess.run(  # noqa: S603 - this interpreter, the benchmark's own code
        [sys.executable, "-c", code, str(warehouse), memory_limit or ""],
        capture_output=True,
        text=True,
        check=True,
        cwd=HERE.parent.parent,
    )
    seconds, peak_kib = result.stdout.strip().splitlines()[-1].split()
    return {
        "engine_child_seconds": round(float(seconds), 3),
        "engine_peak_rss_gib": round(int(peak_kib) / 2**20, 2),
        "duckdb_memory_limit": memory_limit or "DuckDB default (80 % of RAM)",
    }


def targets(results: dict[str, Any]) -> list[verdict.Target]:
    """The targets of issue #19 for the query side, from one run's results."""
    polars = [results[k] for k in ("polars_arrow_s", "polars_parquet_s") if k in results]
    return [
        verdict.Target("indicator set ÷ floor (median)", results.get("engine_over_floor"), 2.0),
        verdict.Target(
            "indicator set ÷ floor (first set of the process)",
            results.get("engine_first_run_over_floor"),
            2.0,
        ),
        verdict.Target(
            "one CLI call ÷ one bare DuckDB process",
            results.get("cli_over_bare_process"),
            3.0,
            why_not="run with --cli",
        ),
        verdict.Target(
            "tuned pandas set ÷ engine set",
            results.get("pandas_over_engine"),
            5.0,
            at_most=False,
            why_not="pandas not run (--no-pandas)",
        ),
        verdict.Target(
            "engine DDD table ÷ the faster Polars (Arrow or Parquet)",
            round(results["engine_did_s"] / min(polars), 2) if polars else None,
            1.0,
            why_not="run with --polars",
        ),
        verdict.Target(
            "engine set ÷ the faster Polars full set (Arrow or Parquet)",
            results.get("engine_over_polars_set"),
            1.0,
            why_not="run with --polars",
        ),
    ]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks community")
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--workdir", type=Path, default=Path("var/bench"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-pandas", action="store_true")
    parser.add_argument(
        "--pandas-child",
        type=float,
        default=None,
        metavar="GIB",
        help="run pandas once in a child process, stopped above GIB of memory",
    )
    parser.add_argument("--spark", action="store_true")
    parser.add_argument(
        "--reuse-warehouse", action="store_true", help="keep the warehouse of an earlier run"
    )
    parser.add_argument(
        "--polars", action="store_true", help="the DDD table and the full set in Polars too"
    )
    parser.add_argument("--cli", action="store_true", help="one CLI call against one bare process")
    parser.add_argument("--memory", action="store_true", help="peak memory in a child process")
    parser.add_argument("--memory-limit", default=None, help="DuckDB memory_limit, e.g. 6GB")
    args = parser.parse_args(argv)

    load_before = os.getloadavg()
    warehouse, timings = prepare(args.lines, args.workdir, reuse=args.reuse_warehouse)
    results: dict[str, Any] = dict(timings)
    con = duckdb.connect(str(warehouse), read_only=True)
    (rows,) = con.execute("SELECT count(*) FROM dispensations").fetchone() or (0,)
    con.close()
    results["dispensing_lines"] = rows
    floors, engines, pandas_times = [], [], []
    dids, polars_arrow, polars_parquet, loads, clis = [], [], [], [], []
    polars_set_arrow: list[float] = []
    polars_set_parquet: list[float] = []
    engine_out: dict[str, Any] = {}
    pandas_out: dict[str, Any] = {}
    parquet = None
    if args.polars:
        parquet = warehouse.with_name("dispensations.parquet")
        con = duckdb.connect(str(warehouse), read_only=True)
        started = time.perf_counter()
        from benchmarks.community.polars_peer import write_parquet

        write_parquet(con, parquet)
        con.close()
        results["parquet_copy_s"] = round(time.perf_counter() - started, 3)
    for i in range(args.repeat):
        loads.append([round(x, 2) for x in os.getloadavg()])
        floors.append(floor(warehouse))
        took, engine_out = engine_set(warehouse)
        engines.append(took)
        print(
            f"run {i + 1}: floor {floors[-1]:.3f} s, engine {took:.3f} s [load {loads[-1]}]",
            flush=True,
        )
        if not args.no_pandas:
            took, pandas_out = pandas_set(warehouse)
            pandas_times.append(took)
            print(f"run {i + 1}: pandas {took:.3f} s", flush=True)
        if args.polars:
            took, engine_table = engine_did(warehouse)
            dids.append(took)
            took, arrow_table = polars_did(warehouse, None)
            polars_arrow.append(took)
            took, parquet_table = polars_did(warehouse, parquet)
            polars_parquet.append(took)
            for table in (arrow_table, parquet_table):
                results["engine_vs_polars_max_relative_difference"] = max(
                    results.get("engine_vs_polars_max_relative_difference", 0.0),
                    check_same({"community.did": engine_table}, {"community.did": table}),
                )
            print(
                f"run {i + 1}: DDD table: engine {dids[-1]:.3f} s, polars (Arrow)"
                f" {polars_arrow[-1]:.3f} s, polars (Parquet) {polars_parquet[-1]:.3f} s",
                flush=True,
            )
            took, arrow_set = polars_set(warehouse, None)
            polars_set_arrow.append(took)
            took, parquet_set = polars_set(warehouse, parquet)
            polars_set_parquet.append(took)
            if not pandas_out:  # --no-pandas: pandas computed once, untimed, for the check
                pandas_out = pandas_set(warehouse)[1]
            for polars_out in (arrow_set, parquet_set):
                # Raises (ValueError) on a missing row or a difference above 1e-9.
                results["polars_set_vs_pandas_max_relative_difference"] = max(
                    results.get("polars_set_vs_pandas_max_relative_difference", 0.0),
                    compare_sets(pandas_out, polars_out),
                )
            print(
                f"run {i + 1}: full set: engine {engines[-1]:.3f} s, polars (Arrow)"
                f" {polars_set_arrow[-1]:.3f} s, polars (Parquet) {polars_set_parquet[-1]:.3f} s"
                " (same tables as pandas: largest relative difference"
                f" {results['polars_set_vs_pandas_max_relative_difference']:.2g})",
                flush=True,
            )
        if args.cli:
            clis.append(cli_call(warehouse))
            print(f"run {i + 1}: {clis[-1]}", flush=True)
    results["load_average_per_run"] = loads
    if dids:
        results["engine_did_runs_s"] = [round(x, 3) for x in dids]
        results["polars_arrow_runs_s"] = [round(x, 3) for x in polars_arrow]
        results["polars_parquet_runs_s"] = [round(x, 3) for x in polars_parquet]
        results["engine_did_s"] = round(statistics.median(dids), 3)
        results["polars_arrow_s"] = round(statistics.median(polars_arrow), 3)
        results["polars_parquet_s"] = round(statistics.median(polars_parquet), 3)
        results["polars_parquet_over_engine_did"] = round(
            results["polars_parquet_s"] / results["engine_did_s"], 2
        )
        results["polars_arrow_over_engine_did"] = round(
            results["polars_arrow_s"] / results["engine_did_s"], 2
        )
    if polars_set_arrow:
        results["polars_set_arrow_runs_s"] = [round(x, 3) for x in polars_set_arrow]
        results["polars_set_parquet_runs_s"] = [round(x, 3) for x in polars_set_parquet]
        results["polars_set_arrow_s"] = round(statistics.median(polars_set_arrow), 3)
        results["polars_set_parquet_s"] = round(statistics.median(polars_set_parquet), 3)
        # Both terms are medians of the same runs (the engine's set is timed in each run).
        results["engine_over_polars_set"] = round(
            statistics.median(engines)
            / min(results["polars_set_arrow_s"], results["polars_set_parquet_s"]),
            2,
        )
    if clis:
        results["cli_runs"] = clis
        results["cli_over_bare_process"] = statistics.median(
            c["cli_over_bare_process"] for c in clis
        )
    results["floor_runs_s"] = [round(x, 3) for x in floors]
    results["engine_runs_s"] = [round(x, 3) for x in engines]
    results["pandas_runs_s"] = [round(x, 3) for x in pandas_times]
    results["floor_s"] = round(statistics.median(floors), 3)
    results["engine_s"] = round(statistics.median(engines), 3)
    results["engine_over_floor"] = round(results["engine_s"] / results["floor_s"], 2)
    # The first set of the process compiles every expression; the later ones reuse the SQL
    # (cratb.engine.backends.COMPILED_SQL): both are shown, each against its own floor.
    results["engine_first_run_over_floor"] = round(engines[0] / floors[0], 2)
    results["engine_later_runs_over_floor"] = [
        round(e / f, 2) for e, f in zip(engines[1:], floors[1:], strict=True)
    ]
    if pandas_times:
        results["pandas_s"] = round(statistics.median(pandas_times), 3)
        results["pandas_over_engine"] = round(results["pandas_s"] / results["engine_s"], 2)
        results["engine_vs_pandas_max_relative_difference"] = check_same(engine_out, pandas_out)
    if args.pandas_child:
        results.update(pandas_child(warehouse, limit_gib=args.pandas_child))
        if results.get("pandas_child_s"):
            results["pandas_over_engine"] = round(
                results["pandas_child_s"] / results["engine_s"], 2
            )
    if args.spark:
        spark_times = []
        for _ in range(max(1, args.repeat - 1)):
            took, _ = engine_set(warehouse, backend="spark")
            spark_times.append(took)
        results["spark_local_s"] = round(statistics.median(spark_times), 3)
        results["spark_note"] = "first run includes the Parquet copy of the warehouse"
        results["spark_first_run_s"] = round(spark_times[0], 3)
    if args.memory:
        results.update(child_peak_memory(warehouse, args.memory_limit))
    results["load_average_before"] = [round(x, 2) for x in load_before]
    results["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    results["machine"] = machine()
    results["date"] = date.today().isoformat()
    results["command"] = "python -m benchmarks community " + " ".join(argv)
    before_and_runs = [[round(x, 2) for x in load_before], *loads]
    results["targets"] = verdict.report(targets(results), before_and_runs)
    out = verdict.results_path(HERE, args.lines, before_and_runs)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"→ {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
