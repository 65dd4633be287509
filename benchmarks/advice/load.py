"""Load N advice requests (default 100,000) into the database of $DATABASE_URL.

The rows come from the demo generator (cratb/demo/advice.py) scaled up: two years of
requests with their answers, history, surveys and on-call rota, for the demo region.
Run from the project root:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cratb_advice_bench \\
        .venv/bin/python benchmarks/advice/load.py --requests 100000
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--region", default="11")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cratb.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from cratb.advice.models import AdviceEvent, AdviceRequest
    from cratb.demo import advice as demo
    from cratb.demo.accounts import ensure_demo_users
    from cratb.network.territories import sync_territories

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    sync_territories()
    ensure_demo_users(region_code=args.region)
    demo.REQUESTS_PER_YEAR = args.requests // 2
    report = demo.build_demo(region_code=args.region, seed=args.seed, year=2025)
    print(
        f"{report} ; base : {AdviceRequest.objects.count()} demandes, "
        f"{AdviceEvent.objects.count()} événements ; {time.perf_counter() - started:.0f} s"
    )
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # VACUUM marks the pages all-visible: the figures of a year are then read
            # from the index on received_at alone (index-only scans), as autovacuum
            # leaves a database that has been up for a while.
            cursor.execute("VACUUM ANALYZE")
    return 0


if __name__ == "__main__":
    sys.exit(main())
