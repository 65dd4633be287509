"""Load test of the indicator pages: the hub and indicator pages under 20 clients.

Runs on the demo region as ``make run`` builds it (``cratb demo``: Île-de-France, scale
0.01, its web database and its publication). Starts gunicorn on that database, logs the
demo coordinator and agency user in (sessions created directly), then runs ``wrk`` on each
page: 20 concurrent connections for 30 seconds after 5 seconds of warm-up (not counted),
then one client alone. Writes ``results.json``. Target (issue #14): 95th percentile under
300 ms, no error. See README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.advice.bench import machine, wrk_command  # noqa: E402

TARGET_MS = 300.0
PAGES = (
    # name, user, path
    ("hub", "demo-coordination", "/surveillance/indicateurs/"),
    ("did", "demo-coordination", "/surveillance/indicateurs/community.did/"),
    (
        "did-agency-setting",
        "demo-agence",
        "/surveillance/indicateurs/community.did/?annee=2025&niveau=setting",
    ),
    ("did-en", "demo-coordination", "/en/surveillance/indicateurs/community.did/"),
    (
        "prescribers-funnel",
        "demo-coordination",
        "/surveillance/indicateurs/community.prescriber_profile/",
    ),
    ("hospital", "demo-agence", "/surveillance/indicateurs/hospital.ddd_per_1000_patient_days/"),
    ("resistance", "demo-coordination", "/surveillance/indicateurs/resistance.pct_resistant/"),
)


def sessions() -> tuple[dict[str, str], dict[str, int]]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cratb.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.module_loading import import_string

    from cratb.accounts.models import User
    from cratb.dashboards.models import IndicatorValue

    store = import_string(settings.SESSION_ENGINE + ".SessionStore")
    backends = settings.AUTHENTICATION_BACKENDS
    backend = next(path for path in backends if hasattr(import_string(path), "get_user"))
    cookies = {}
    for username in {user for _n, user, _p in PAGES}:
        user = User.objects.get(username=username)
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies[username] = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
    return cookies, {"indicator_values": IndicatorValue.objects.count()}


def wait_for(url: str, cookie: str) -> None:
    for _ in range(200):
        try:
            request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                if response.status == 200:
                    return
                raise SystemExit(f"{url} : statut {response.status}")
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"le serveur ne répond pas : {url}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", default="30s")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--single-duration", default="5s")
    parser.add_argument("--warmup", default="5s")
    parser.add_argument("--pages", default=",".join(name for name, _u, _p in PAGES))
    parser.add_argument("--port", type=int, default=18781)
    parser.add_argument("--out", type=Path, default=HERE / "results.json")
    args = parser.parse_args()
    env = {
        **os.environ,
        "DEBUG": "false",
        "CRATB_DEMO": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-" + "0123456789abcdefghij" * 3),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "LOG_LEVEL": "ERROR",
        # The pages' content shared by the workers: drawn once per publication.
        "CRATB_PAGES_CACHE": os.environ.get("CRATB_PAGES_CACHE", "files"),
    }
    os.environ.update(env)
    # As in production (docs/operations.md): the hashed, compressed static files first.
    subprocess.run(  # noqa: S603
        [str(ROOT / ".venv/bin/python"), "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    cookies, counts = sessions()
    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(  # noqa: S603
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "error",
            "--timeout",
            "120",
            "cratb.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
    )
    results = []
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    try:
        runs = [(args.connections, args.duration)]
        if args.single_duration not in ("", "0", "0s"):
            runs.append((1, args.single_duration))
        for connections, duration in runs:
            for name, user, path in PAGES:
                if name not in args.pages.split(","):
                    continue
                wait_for(base + path, cookies[user])
                if args.warmup not in ("", "0", "0s"):
                    subprocess.run(  # noqa: S603
                        wrk_command(connections, args.warmup, cookies[user], base + path),
                        env=env,
                        capture_output=True,
                        check=True,
                    )
                completed = subprocess.run(  # noqa: S603
                    wrk_command(connections, duration, cookies[user], base + path),
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                )
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
                results.append(row)
                errors = int(
                    row["status_errors"]
                    + row["connect_errors"]
                    + row["read_errors"]
                    + row["timeouts"]
                )
                print(
                    f"{name:20s} c={connections:<2d} p50 {row['p50_ms']:6.1f} ms  "
                    f"p95 {row['p95_ms']:6.1f} ms  p99 {row['p99_ms']:6.1f} ms  "
                    f"{row['rps']:6.1f} req/s  erreurs {errors}",
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
        "warmup": args.warmup,
        "pages_cache": env["CRATB_PAGES_CACHE"],
        "command": " ".join(
            [".venv/bin/python", "benchmarks/indicator_pages/bench.py", *sys.argv[1:]]
        ),
        "loadavg_before": load_before,
        "loadavg_after": Path("/proc/loadavg").read_text().split()[:3],
        "results": results,
    }
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    failed = [
        r["page"]
        for r in results
        if r["p95_ms"] >= TARGET_MS or r["status_errors"] or r["timeouts"]
    ]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
