"""Time the full export of the published indicator values (CSV and Excel), as the
coordination downloads it from /surveillance/indicateurs/valeurs/?format=xlsx.

Run on the demo region (``cratb demo``), from the repository root:

    .venv/bin/python benchmarks/indicator_pages/export_time.py [--url PATH] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cratb.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="/surveillance/indicateurs/valeurs/")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--user", default="demo-coordination")
    args = parser.parse_args()

    import django

    django.setup()
    from django.test import Client

    from cratb.accounts.models import User
    from cratb.dashboards.models import IndicatorValue

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=args.user))
    print(f"{IndicatorValue.objects.count()} values published")
    for fmt in ("csv", "xlsx"):
        times = []
        size = 0
        for _ in range(args.repeat):
            start = time.perf_counter()
            response = client.get(args.url, {"format": fmt})
            body = response.content
            times.append(time.perf_counter() - start)
            size = len(body)
            assert response.status_code == 200, response.status_code
        print(
            f"{fmt}: median {statistics.median(times):.2f} s, min {min(times):.2f} s, "
            f"max {max(times):.2f} s over {args.repeat} ({size / 1024:.0f} kB)"
        )


if __name__ == "__main__":
    main()
