"""``python -m benchmarks resistance``: speed of issue #4's resistance features.

1. **indicators** — first isolates plus % resistant for every organism × antibiotic ×
   setting × year group (``resistance.pct_resistant --by setting,year``), against the
   *floor* (a bare DuckDB query counting the same groups without deduplication, on the
   same warehouse) and a straightforward pandas implementation. Each timing is the best
   of ``--repeat`` runs, floor and cratb alternating, each run on a fresh connection; the
   pandas timing starts from the rows already in memory (its load time is reported
   apart). The three results are checked to agree.
2. **ast** — the targeted-reporting engine in batch (``cratb ast target`` on a Parquet
   file): isolates per second.
3. **api** — the lab API (``POST /api/v1/ast/target``) on a local server: latency of
   sequential requests, one isolate each, percentiles measured by the client.

Options: ``--isolates N`` (default 1 000 000), ``--repeat R`` (default 7), ``--only
indicators|ast|api``, ``--workdir DIR`` (default a temporary folder; the generated data
is kept there and reused), ``--requests N`` (API, default 2000).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SECTIONS = ("indicators", "ast", "api")
PERIOD = (dt.date(2024, 1, 1), dt.date(2025, 12, 31))
FLOOR_SQL = (
    "SELECT organism, antibiotic, setting, year(sampled_on) AS year, count(*) AS tested,"
    " count(*) FILTER (WHERE sir = 'R') AS resistant FROM isolates"
    " WHERE sampled_on BETWEEN ? AND ? GROUP BY ALL"
)


def machine() -> dict[str, Any]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "memory": memory,
        "cpu": cpu,
        "python": platform.python_version(),
        "date": dt.date.today().isoformat(),
    }


def best_of(repeat: int, *runs: Callable[[], Any]) -> list[float]:
    """Best time of each callable over ``repeat`` rounds, the callables alternating."""
    best = [float("inf")] * len(runs)
    for _ in range(repeat):
        for i, run in enumerate(runs):
            start = time.perf_counter()
            run()
            best[i] = min(best[i], time.perf_counter() - start)
    return best


def prepare(workdir: Path, n: int) -> tuple[Path, Path, float]:
    """The generated Parquet file and the warehouse it was imported into (made once)."""
    from benchmarks.resistance.data import write
    from cratb.engine.sources import import_file

    data = workdir / f"isolates-{n}.parquet"
    warehouse = workdir / f"warehouse-{n}.duckdb"
    import_seconds = float("nan")
    if not data.exists():
        print(f"  génération de {n:,} isolats × 15 antibiotiques…", flush=True)
        write(n, data)
    if not warehouse.exists():
        print("  import dans l'entrepôt (cratb import isolates)…", flush=True)
        start = time.perf_counter()
        import_file("isolates", data, warehouse=warehouse, report_path=workdir / "import.json")
        import_seconds = time.perf_counter() - start
    return data, warehouse, import_seconds


def indicators(workdir: Path, n: int, repeat: int, results: dict[str, Any]) -> bool:
    import duckdb
    import pandas as pd

    from benchmarks.resistance.pandas_reference import COLUMNS, pct_resistant
    from cratb.engine.backends import open_session
    from cratb.engine.indicators import Query, compute

    data, warehouse, import_seconds = prepare(workdir, n)
    query = Query(by=("setting", "year"), date_from=PERIOD[0], date_to=PERIOD[1])
    floor_rows: list[Any] = []
    ours: list[Any] = []

    def floor() -> None:
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            floor_rows[:] = con.execute(FLOOR_SQL, list(PERIOD)).fetchall()
        finally:
            con.close()

    def cratb() -> None:
        with open_session(warehouse=warehouse) as session:
            ours[:] = compute("resistance.pct_resistant", session, query).table.to_pylist()

    print(f"  plancher DuckDB et cratb, meilleur de {repeat}…", flush=True)
    floor_s, cratb_s = best_of(repeat, floor, cratb)
    start = time.perf_counter()
    df = pd.read_parquet(data, columns=COLUMNS)
    df["sampled_on"] = pd.to_datetime(df["sampled_on"])
    load_s = time.perf_counter() - start
    print("  pandas (une fois)…", flush=True)
    start = time.perf_counter()
    reference = pct_resistant(df)
    pandas_s = time.perf_counter() - start
    theirs = {
        (r.organism, r.antibiotic, r.setting, int(r.year)): (int(r.tested), int(r.resistant))
        for r in reference.itertuples()
    }
    mine = {
        (r["organism"], r["antibiotic"], r["setting"], r["year"]): (
            r["denominator"],
            r["numerator"],
        )
        for r in ours
    }
    floor_total = sum(r[4] for r in floor_rows)
    agree = theirs == mine and floor_total >= sum(v[0] for v in mine.values())
    results["indicators"] = {
        "isolates": n,
        "rows": len(df),
        "groups": len(mine),
        "first_isolate_rows": sum(v[0] for v in mine.values()),
        "floor_seconds": round(floor_s, 3),
        "cratb_seconds": round(cratb_s, 3),
        "cratb_over_floor": round(cratb_s / floor_s, 2),
        "pandas_seconds": round(pandas_s, 2),
        "pandas_load_seconds": round(load_s, 2),
        "pandas_over_cratb": round(pandas_s / cratb_s, 1),
        "import_seconds": None if import_seconds != import_seconds else round(import_seconds, 1),
        "same_results": agree,
    }
    r = results["indicators"]
    print(
        f"  plancher {r['floor_seconds']} s, cratb {r['cratb_seconds']} s"
        f" ({r['cratb_over_floor']} × le plancher), pandas {r['pandas_seconds']} s"
        f" ({r['pandas_over_cratb']} × plus lent) ; résultats identiques : {agree}"
    )
    return agree and r["cratb_over_floor"] <= 3 and r["pandas_over_cratb"] >= 10


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks resistance")
    parser.add_argument("--isolates", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--only", choices=SECTIONS, action="append")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None, help="écrire les résultats en JSON")
    args = parser.parse_args(argv)
    sections = args.only or list(SECTIONS)
    results: dict[str, Any] = {"machine": machine()}
    ok = True
    with tempfile.TemporaryDirectory(prefix="cratb-bench-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for section in sections:
            print(f"==> {section}", flush=True)
            if section == "indicators":
                ok = indicators(workdir, args.isolates, args.repeat, results) and ok
            elif section == "ast":
                ok = ast(workdir, args.isolates, args.repeat, results) and ok
            else:
                ok = api(workdir, args.requests, results) and ok
    text = json.dumps(results, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0 if ok else 1


def ast(workdir: Path, n: int, repeat: int, results: dict[str, Any]) -> bool:
    """``cratb ast target`` on the Parquet file (read, decide, write), without the log."""
    from cratb.engine.ast.batch import target_file
    from cratb.engine.ast.rules import load_rules

    data, _, _ = prepare(workdir, n)
    rules = load_rules()
    out = workdir / "targeted.parquet"
    reports: list[Any] = []

    def run() -> None:
        reports[:] = [target_file(data, out, rules=rules, write_log=False)]

    print(f"  cratb ast target, meilleur de {min(repeat, 3)}…", flush=True)
    (seconds,) = best_of(min(repeat, 3), run)
    report = reports[0]
    results["ast"] = {
        "isolates": report.isolates,
        "rows": report.rows,
        "seconds": round(seconds, 2),
        "isolates_per_second": round(report.isolates / seconds),
        "modes": report.modes,
    }
    r = results["ast"]
    print(f"  {r['isolates']} isolats en {r['seconds']} s : {r['isolates_per_second']} isolats/s")
    return bool(r["isolates_per_second"] >= 100_000)


def api(workdir: Path, requests: int, results: dict[str, Any]) -> bool:
    raise NotImplementedError


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
