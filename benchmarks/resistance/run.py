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
        # The machine is shared: its load during the run says how much it could give.
        "load_average_at_start": [round(x, 1) for x in os.getloadavg()],
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
    results["machine"]["load_average_at_end"] = [round(x, 1) for x in os.getloadavg()]
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


SETUP_LAB = """
from cratb.accounts.models import Role, User
from cratb.resistance.models import ApiToken, LabAccount
user, _ = User.objects.get_or_create(username="bench-lab", defaults={"role": Role.LAB})
LabAccount.objects.update_or_create(user=user, defaults={"lab_id": "LBM-001"})
print(ApiToken.issue(user=user, label="benchmark")[1])
"""


def _payloads(count: int) -> list[bytes]:
    """One JSON request per isolate of the benchmark data (15 antibiotics each)."""
    from benchmarks.resistance.data import generate

    table = generate(count, seed=2).to_pylist()
    isolates: dict[str, dict[str, Any]] = {}
    for row in table:
        item = isolates.setdefault(
            row["isolate_id"],
            {
                "isolate_id": row["isolate_id"],
                "sampled_on": row["sampled_on"].isoformat(),
                "specimen": row["specimen"],
                "organism": row["organism"],
                "patient_age": row["patient_age"],
                "patient_sex": row["patient_sex"],
                "clinical_context": row["clinical_context"],
                "results": [],
            },
        )
        item["results"].append({"antibiotic": row["antibiotic"], "sir": row["sir"]})
    return [json.dumps(i).encode() for i in isolates.values()]


def api(workdir: Path, requests: int, results: dict[str, Any]) -> bool:
    """Sequential requests to cratb's WSGI application (``serve.py``: threaded, with
    TCP_NODELAY like production servers; SQLite, DEBUG off); latency measured by the
    client, connection kept alive."""
    import http.client
    import socket
    import subprocess

    root = Path(__file__).resolve().parents[2]
    python = sys.executable
    var = workdir / "api-var"
    var.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "CRATB_VAR_DIR": str(var),
        "CRATB_WAREHOUSE": str(var / "warehouse.duckdb"),
        "DATABASE_URL": f"sqlite:///{var / 'cratb.sqlite3'}",
        "DEBUG": "false",
        "SECRET_KEY": "benchmark-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    manage = [python, str(root / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True)  # noqa: S603 - fixed arguments
    key = (
        subprocess.run(  # noqa: S603 - fixed arguments
            [*manage, "shell", "-c", SETUP_LAB], env=env, check=True, capture_output=True, text=True
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(  # noqa: S603 - fixed arguments
        [python, "-m", "benchmarks.resistance.serve", str(port)],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        payloads = _payloads(requests + 100)
        # As behind the TLS proxy of a production deployment (SECURE_PROXY_SSL_HEADER).
        headers = {
            "Authorization": f"Token {key}",
            "Content-Type": "application/json",
            "X-Forwarded-Proto": "https",
        }
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        print(f"  {requests} requêtes séquentielles (après 100 de mise en route)…", flush=True)
        for i, body in enumerate(payloads):
            start = time.perf_counter()
            connection.request("POST", "/api/v1/ast/target", body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            elapsed = time.perf_counter() - start
            if i >= 100:
                latencies.append(elapsed)
                statuses[response.status] = statuses.get(response.status, 0) + 1
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    latencies.sort()

    def pct(q: float) -> float:
        return round(1000 * latencies[min(len(latencies) - 1, int(q * len(latencies)))], 1)

    results["api"] = {
        "requests": len(latencies),
        "statuses": statuses,
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "max_ms": round(1000 * latencies[-1], 1),
        "server": "wsgiref threaded + TCP_NODELAY (benchmarks/resistance/serve.py), SQLite",
    }
    r = results["api"]
    print(f"  p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, p99 {r['p99_ms']} ms ; {statuses}")
    return bool(r["p99_ms"] < 20 and statuses == {200: len(latencies)})


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
