"""Write every chart kind of ``cratb.charts`` to HTML files (French and English), styled by
the site's own CSS, for looking at them in a browser or taking screenshots.

    .venv/bin/python scripts/chart_gallery.py /tmp/gallery

Each file holds one chart (both variants: the CSS shows the one that fits) with its key,
as a page shows it. The sample data are those of the charts' tests.
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cratb.charts.tests.test_charts import KINDS  # noqa: E402

CSS = ROOT / "cratb" / "static" / "cratb" / "css" / "cratb.css"


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for kind, make in sorted(KINDS.items()):
        for language in ("fr", "en"):
            chart = make(language)
            page = (
                f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                f'<link rel="stylesheet" href="{CSS.as_uri()}"><title>{kind}</title></head>'
                '<body><main class="container" style="padding:1rem">'
                f'<figure class="chart-figure">{chart.html()}'
                f'<figcaption class="note">{html.escape(chart.key)}</figcaption></figure>'
                "</main></body></html>"
            )
            (out / f"{kind}-{language}.html").write_text(page, encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "gallery"))
