"""Load test of the advice desk: inbox, request page, figures page under 20 clients.

Starts gunicorn on the database of $DATABASE_URL (loaded by load.py), logs the demo
coordinator and EMA member in (sessions created directly), then runs ``wrk`` for each
page: 20 concurrent connections for 60 seconds, and writes ``results.json``. Target:
95th percentile under 150 ms, no error. See README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

PAGES = (
    # name, user, path ({id}: a random request id)
    ("inbox", "demo-ema", "/conseil/boite/"),
    ("inbox-all", "demo-coordination", "/conseil/boite/?box=all&state=all"),
    ("request", "demo-coordination", "/conseil/demandes/{id}/"),
    ("figures", "demo-coordination", "/conseil/chiffres/?annee=2025&par=syndrome"),
)


def machine() -> dict[str, str]:
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "nproc": str(os.cpu_count()),
        "ram_gb": f"{mem_kb / 1024 / 1024:.1f}",
        "cpu": cpu,
        "python": platform.python_version(),
    }


def sessions_and_ids() -> tuple[dict[str, str], list[int], dict[str, int]]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cratb.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils.module_loading import import_string

    from cratb.accounts.models import User
    from cratb.advice.models import AdviceEvent, AdviceRequest

    # The backend a password log-in records, as Django's test client picks it.
    backends = settings.AUTHENTICATION_BACKENDS
    backend = next(path for path in backends if hasattr(import_string(path), "get_user"))
    cookies = {}
    for username in {user for _n, user, _p in PAGES}:
        user = User.objects.get(username=username)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies[username] = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
    ids = list(AdviceRequest.objects.values_list("pk", flat=True))
    counts = {"requests": len(ids), "events": AdviceEvent.objects.count()}
    return cookies, ids, counts


class StampChanger:
    """``--cold``: while a page is measured, a thread of this process changes the requests'
    change stamp (``AdviceRequest.objects.change_stamp()``) again and again, by setting
    one request's ``updated_at`` to a time later than every request's, so that the pages a
    server process kept under the old stamp are never found: the inbox and the figures are
    computed afresh. ``updates`` counts the changes, to compare with the number of requests
    served."""

    def __init__(self, pk: int, pause: float, figures_every: float = 0.0) -> None:
        self.pk = pk
        self.pause = pause
        self.figures_every = figures_every
        self.updates = 0
        self.figure_changes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        from django.db import connection
        from django.db.models import Max
        from django.utils import timezone

        from cratb.advice.models import AdviceRequest

        # Each change sets a time later than every request's, so that the stamp (which
        # holds the latest ``updated_at``) changes even if some request's time is ahead
        # of the clock (a run made early in the day on data loaded later in the day).
        latest = AdviceRequest.objects.aggregate(latest=Max("updated_at"))["latest"]
        moment = max(timezone.now(), latest or timezone.now())
        last_figures = time.monotonic()
        try:
            while not self._stop.is_set():
                moment = max(moment + timedelta(microseconds=1), timezone.now())
                AdviceRequest.objects.filter(pk=self.pk).update(updated_at=moment)
                self.updates += 1
                if self.figures_every and time.monotonic() - last_figures >= self.figures_every:
                    self._change_figures()
                    last_figures = time.monotonic()
                self._stop.wait(self.pause)
        finally:
            connection.close()

    def _change_figures(self) -> None:
        """``--figures-every``: a coordinator re-codes the setting of a request of 2025
        (the year the figures page shows), through the request's own method, as the
        coding page does: the figures of 2025 change and are built again at the next
        view."""
        from cratb.accounts.models import Role, User
        from cratb.advice.models import AdviceRequest

        coordinator = User.objects.filter(role=Role.COORDINATOR, is_active=True).first()
        request = AdviceRequest.objects.confirmed().received_in(2025).order_by("pk").first()
        if coordinator is None or request is None:
            return
        setting = "hospital" if request.setting != "hospital" else "community"
        request.edit_coding(
            by=coordinator, changes={"setting": setting}, expected_version=request.version
        )
        self.figure_changes += 1

    def __enter__(self) -> StampChanger:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def wrk_command(connections: int, duration: str, cookie: str, url: str) -> list[str]:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk est introuvable : apt-get install wrk")
    return [
        wrk,
        "-t1" if connections == 1 else "-t2",
        f"-c{connections}",
        f"-d{duration}",
        "--timeout",
        "10s",
        "-s",
        str(HERE / "report.lua"),
        "-H",
        f"Cookie: {cookie}",
        url,
    ]


def wait_for(url: str, cookie: str) -> None:
    for _ in range(100):
        try:
            request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"le serveur ne répond pas : {url}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", default="60s")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", default="sync", help="gunicorn's worker class")
    parser.add_argument("--threads", type=int, default=1, help="threads per gthread worker")
    parser.add_argument(
        "--single-duration",
        default="10s",
        help="then one client alone on each page: the service time without queueing",
    )
    parser.add_argument(
        "--pages",
        default=",".join(name for name, _u, _p in PAGES),
        help="the pages to load, separated by commas (default: all)",
    )
    parser.add_argument(
        "--warmup",
        default="5s",
        help="wrk on each page before it is measured, not counted: every gunicorn worker "
        "has then loaded its templates, translations and database connection",
    )
    parser.add_argument(
        "--no-inbox-cache",
        action="store_true",
        help="the server reads the inbox afresh on every view (CRATB_INBOX_CACHE=false): "
        "the inbox as it is right after every change",
    )
    parser.add_argument(
        "--cold",
        action="store_true",
        help="while each page is measured, change the requests' change stamp every "
        "--cold-pause seconds: no page part kept by a server process is ever found again",
    )
    parser.add_argument("--cold-pause", type=float, default=0.002)
    parser.add_argument(
        "--figures-every",
        type=float,
        default=0.0,
        help="with --cold, also change what the figures read (re-code a request of 2025) "
        "every so many seconds: the stored figures of 2025 are built again after each",
    )
    parser.add_argument("--port", type=int, default=18765)
    parser.add_argument("--out", type=Path, default=HERE / "results.json")
    args = parser.parse_args()
    if "postgres" not in os.environ.get("DATABASE_URL", ""):
        raise SystemExit("DATABASE_URL doit désigner la base PostgreSQL chargée par load.py")
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-" + "0123456789abcdefghij" * 3),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "ERROR",
        "CRATB_INBOX_CACHE": "false" if args.no_inbox_cache else "true",
    }
    os.environ.update(env)
    # As in production (docs/operations.md): the hashed, compressed static files first,
    # which DEBUG=false serves (without them every page fails on its style sheet).
    subprocess.run(  # noqa: S603
        [str(ROOT / ".venv/bin/python"), "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    cookies, ids, counts = sessions_and_ids()
    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(  # noqa: S603
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--worker-class",
            args.worker_class,
            "--threads",
            str(args.threads),
            "--log-level",
            "error",
            "cratb.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
    )
    results = []
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    try:
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
            handle.write("\n".join(str(pk) for pk in ids))
            ids_file = handle.name
        runs = [(args.connections, args.duration)]
        if args.single_duration not in ("", "0", "0s"):
            runs.append((1, args.single_duration))
        for connections, duration in runs:
            for name, user, path in PAGES:
                if name not in args.pages.split(","):
                    continue
                warm = base + path.replace("{id}", str(ids[0]))
                wait_for(warm, cookies[user])
                if args.warmup not in ("", "0", "0s"):
                    subprocess.run(  # noqa: S603
                        wrk_command(connections, args.warmup, cookies[user], base + path),
                        env={**env, "IDS_FILE": ids_file},
                        capture_output=True,
                        check=True,
                    )
                command = wrk_command(connections, duration, cookies[user], base + path)
                changer = (
                    StampChanger(ids[-1], args.cold_pause, args.figures_every)
                    if args.cold
                    else None
                )
                if changer:
                    changer.__enter__()
                try:
                    completed = subprocess.run(  # noqa: S603
                        command,
                        env={**env, "IDS_FILE": ids_file},
                        capture_output=True,
                        text=True,
                        check=True,
                    )
                finally:
                    if changer:
                        changer.__exit__()
                line = next(x for x in completed.stdout.splitlines() if x.startswith("RESULT"))
                values = dict(item.split("=") for item in line.split()[1:])
                row: dict[str, Any] = {
                    "page": name,
                    "path": path,
                    "user": user,
                    "connections": connections,
                    **{k: float(v) for k, v in values.items()},
                }
                row["rps"] = round(row["requests"] / row["duration_s"], 1)
                if changer:
                    row["stamp_changes"] = changer.updates
                    row["figure_changes"] = changer.figure_changes
                results.append(row)
                errors = int(
                    row["status_errors"]
                    + row["connect_errors"]
                    + row["read_errors"]
                    + row["timeouts"]
                )
                cold = (
                    f"  tampons changés {changer.updates}, chiffres changés "
                    f"{changer.figure_changes}"
                    if changer
                    else ""
                )
                print(
                    f"{name:10s} c={connections:<2d} p50 {row['p50_ms']:6.1f} ms  "
                    f"p95 {row['p95_ms']:6.1f} ms  p99 {row['p99_ms']:6.1f} ms  "
                    f"{row['rps']:6.1f} req/s  erreurs {errors}{cold}",
                    flush=True,
                )
    finally:
        server.terminate()
        server.wait(timeout=30)
    report = {
        "machine": machine(),
        "data": counts,
        "connections": args.connections,
        "duration": args.duration,
        "gunicorn_workers": args.workers,
        "gunicorn_worker_class": args.worker_class,
        "gunicorn_threads": args.threads,
        "warmup": args.warmup,
        "inbox_cache": not args.no_inbox_cache,
        "cold": args.cold,
        "figures_every_s": args.figures_every,
        "command": " ".join(sys.argv),
        "loadavg_before": load_before,
        "loadavg_after": Path("/proc/loadavg").read_text().split()[:3],
        "results": results,
    }
    from benchmarks import verdict

    loads = [[float(x) for x in load_before]]
    state = "computed on every request (--cold)" if args.cold else "as served (caches on)"
    report["targets"] = verdict.report(
        [
            verdict.Target(
                f"{r['page']} p95 under {r['connections']:g} clients, {state}",
                r["p95_ms"],
                150.0,
                unit=" ms",
            )
            for r in results
            if r["connections"] > 1
        ],
        loads,
    )
    out = args.out
    if verdict.busy(loads) and out.name.endswith(".json") and "under-load" not in out.name:
        out = out.with_name(out.name[: -len(".json")] + "-under-load.json")
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"→ {out}")
    failed = [
        r["page"] for r in results if r["p95_ms"] >= 150 or r["status_errors"] or r["timeouts"]
    ]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
