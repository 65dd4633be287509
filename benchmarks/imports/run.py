"""Benchmark of the import of dispensing lines against its floor (issue #19).

    python -m benchmarks imports [--lines 2500000] [--repeat 3] [--workdir DIR]
                                 [--memory-limit 6GB] [--bad-every 997]

1. writes, once, a CSV of ``--lines`` dispensing lines in the contract's columns (made by
   DuckDB: realistic shapes, every ``--bad-every``-th row carrying one bad cell so that
   the rejection path runs too);
2. runs ``--repeat`` times, interleaved, each in a fresh child process (so that each
   reports its own peak resident memory, Linux ``VmHWM``):
   - the *floor*: a bare DuckDB read of the same file, cast to the stored types and
     written into a new database file (no validation, no reasons, no duplicates check,
     no derived column, no ledger);
   - the *import*: ``cratb.engine.sources.import_file`` into a new warehouse, with the
     time of each stage it announces;
3. prints and writes ``results-<lines>.json`` with the machine, the load average before
   and after each pair and the ratio of each pair (import ÷ floor, same moment).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb

from benchmarks import verdict

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent

GENERATE_SQL = """
COPY (
  SELECT
    'D' || lpad(CAST(i AS VARCHAR), 10, '0') AS dispensation_id,
    CASE WHEN i % {bad} = 1 THEN '2025-02-30'
         ELSE CAST(DATE '2025-01-01' + CAST(hash(i // 3) % 365 AS INTEGER) AS VARCHAR)
    END AS dispensed_on,
    'O' || lpad(CAST(i // 3 AS VARCHAR), 9, '0') AS prescription_id,
    'P' || lpad(CAST(hash(i // 3) % {patients} AS VARCHAR), 9, '0') AS patient_id,
    CASE WHEN i % {bad} = 2 THEN 'abc' ELSE CAST(hash(i // 3) % 95 AS VARCHAR) END
      AS patient_age,
    CASE WHEN hash(i // 3) % 2 = 0 THEN 'F' ELSE 'M' END AS patient_sex,
    ['75', '77', '78', '91', '92', '93', '94', '95'][1 + CAST(hash(i // 3 + 7) % 8 AS INTEGER)]
      AS patient_departement,
    'PR' || lpad(CAST(hash(i // 3 + 11) % 40000 AS VARCHAR), 7, '0') AS prescriber_id,
    ['general_practice', 'general_practice', 'general_practice', 'dentistry', 'hospital',
     'other_specialty', 'midwifery', 'other'][1 + CAST(hash(i // 3 + 13) % 8 AS INTEGER)]
      AS prescriber_specialty,
    '34009' || lpad(CAST(3000000 + hash(i % 3 + i // 3) % 400 AS VARCHAR), 8, '0') AS cip13,
    CASE WHEN i % 53 = 0 THEN '-1' WHEN i % {bad} = 3 THEN '1,5'
         ELSE CAST(1 + hash(i) % 3 AS VARCHAR) END AS boxes,
    CASE WHEN hash(i // 3 + 17) % 20 = 0 THEN 'nursing_home' ELSE 'community' END AS setting
  FROM range({lines}) t(i)
) TO '{path}' (HEADER, DELIMITER ',')
"""

# The floor: read the same file with the stored types (cells that do not convert are set
# aside by DuckDB's own reader), write it into a new database file.
FLOOR_SQL = """
CREATE TABLE dispensations AS SELECT * FROM read_csv('{path}', header = true,
  store_rejects = true, columns = {{
  'dispensation_id': 'VARCHAR', 'dispensed_on': 'DATE', 'prescription_id': 'VARCHAR',
  'patient_id': 'VARCHAR', 'patient_age': 'BIGINT', 'patient_sex': 'VARCHAR',
  'patient_departement': 'VARCHAR', 'prescriber_id': 'VARCHAR',
  'prescriber_specialty': 'VARCHAR', 'cip13': 'VARCHAR', 'boxes': 'BIGINT',
  'setting': 'VARCHAR'}})
"""

CHILD = """
import json, re, sys, time
from pathlib import Path
what, path, warehouse, limit = sys.argv[1:5]
limit = limit or None
stages = []
started = time.perf_counter()
if what == "floor":
    import duckdb
    con = duckdb.connect(warehouse)
    if limit:
        con.execute(f"SET memory_limit = '{limit}'")
    con.execute(sys.argv[5].format(path=path))
    con.close()
    out = {}
else:
    from cratb.engine.sources import import_file
    def on_stage(name):
        stages.append((name, time.perf_counter() - started))
    report = import_file(
        "dispensations", Path(path), warehouse=Path(warehouse), on_stage=on_stage,
        memory_limit=limit,
    )
    out = {"read": report.read, "accepted": report.accepted, "rejected": report.rejected}
took = time.perf_counter() - started
hwm = re.search(r"VmHWM:\\s+(\\d+) kB", Path("/proc/self/status").read_text())
out.update(seconds=round(took, 3), peak_gib=round(int(hwm.group(1)) / 2**20, 2))
if stages:
    marks = [t for _, t in stages] + [took]
    out["stages"] = {n: round(marks[i + 1] - t, 3) for i, (n, t) in enumerate(stages)}
print(json.dumps(out))
"""


def generate(lines: int, workdir: Path, bad_every: int) -> Path:
    path = workdir / f"dispensations-{lines}-{bad_every}.csv"
    if not path.exists():
        started = time.perf_counter()
        tmp = path.with_suffix(".tmp")
        duckdb.connect().execute(
            GENERATE_SQL.format(
                lines=lines, bad=bad_every, patients=max(lines // 6, 1), path=str(tmp)
            )
        )
        tmp.rename(path)
        print(f"fichier de {lines} lignes écrit en {time.perf_counter() - started:.1f} s")
    return path


def child(what: str, path: Path, workdir: Path, limit: str | None) -> dict[str, Any]:
    warehouse = workdir / f"{what}.duckdb"
    for stale in workdir.glob(f"{what}.duckdb*"):
        stale.unlink()
    result = subprocess.run(  # noqa: S603 - this interpreter, the benchmark's own code
        [sys.executable, "-c", CHILD, what, str(path), str(warehouse), limit or "", FLOOR_SQL],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if result.returncode:
        raise SystemExit(f"{what} failed:\n{result.stderr[-3000:]}")
    for stale in workdir.glob(f"{what}.duckdb*"):
        stale.unlink()
    out: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return out


def targets(result: dict[str, Any]) -> list[verdict.Target]:
    """The targets of issue #19 for the import, from one run's results."""
    lines = result["lines"]
    limit = result["memory_limit"]
    peak = result["max_import_peak_gib"]
    return [
        verdict.Target(
            f"import ÷ floor at {lines:,} lines (median; the target is set at 10 M)",
            result["median_ratio"],
            1.5,
        ),
        verdict.Target(
            f"import peak memory at {lines:,} lines, DuckDB limit {limit}",
            peak if limit else None,
            8.0,
            unit=" GiB",
            why_not="run with --memory-limit 6GB (the target is set at 50 M lines)",
        ),
    ]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks imports")
    parser.add_argument("--lines", type=int, default=2_500_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path("var/bench/imports"))
    parser.add_argument("--memory-limit", default=None)
    parser.add_argument("--bad-every", type=int, default=997)
    args = parser.parse_args(argv)
    args.workdir = args.workdir.resolve()
    args.workdir.mkdir(parents=True, exist_ok=True)
    path = generate(args.lines, args.workdir, args.bad_every)
    runs = []
    for i in range(args.repeat):
        before = verdict.load()
        floor = child("floor", path, args.workdir, args.memory_limit)
        imported = child("import", path, args.workdir, args.memory_limit)
        after = verdict.load()
        ratio = round(imported["seconds"] / floor["seconds"], 2)
        runs.append(
            {
                "floor": floor,
                "import": imported,
                "ratio": ratio,
                "load_before": before,
                "load_after": after,
            }
        )
        stages = ", ".join(f"{k} {v:.1f} s" for k, v in imported.get("stages", {}).items())
        print(
            f"run {i + 1}: floor {floor['seconds']:.1f} s ({floor['peak_gib']} GiB), import "
            f"{imported['seconds']:.1f} s ({imported['peak_gib']} GiB), ratio {ratio} "
            f"[load {before} → {after}]\n  stages: {stages}",
            flush=True,
        )
    result = {
        "lines": args.lines,
        "bad_every": args.bad_every,
        "memory_limit": args.memory_limit,
        "machine": verdict.machine(),
        "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "median_ratio": statistics.median(r["ratio"] for r in runs),
        "median_floor_s": statistics.median(r["floor"]["seconds"] for r in runs),
        "median_import_s": statistics.median(r["import"]["seconds"] for r in runs),
        "max_import_peak_gib": max(r["import"]["peak_gib"] for r in runs),
        "max_floor_peak_gib": max(r["floor"]["peak_gib"] for r in runs),
        "runs": runs,
    }
    loads = [r["load_before"] for r in runs]
    result["targets"] = verdict.report(targets(result), loads)
    out = verdict.results_path(HERE, args.lines, loads)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"médiane import ÷ plancher : {result['median_ratio']} → {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
