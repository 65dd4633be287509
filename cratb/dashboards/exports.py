"""The rows of the indicator values' downloads (CSV and Excel), as the pages show them.

Headers in the page's language, values rounded as the pages write them
(:func:`cratb.charts.numbers.round_half_up`, the decimals of the tables: one for values,
intervals and denominators, none for numerators), the publication time in the platform's
time zone. The files are written by the project's one writer (``cratb.network.tabular``
→ ``cratb.engine.tabular``): ``;``, decimal comma and a byte-order mark for CSV.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from cratb.charts.numbers import round_half_up
from cratb.engine.dimensions import column_label
from cratb.engine.indicators import Indicator

__all__ = ["VALUE_DECIMALS", "export_header", "export_row"]

#: Decimals of the exported numbers: what the pages write.
VALUE_DECIMALS = {"numerator": 0, "denominator": 1, "value": 1, "ci_low": 1, "ci_high": 1}


def export_header(language: str) -> tuple[str, ...]:
    del language  # the active translation decides
    return (
        _("code de l'indicateur"),
        _("indicateur"),
        _("unité"),
        _("début de période"),
        _("fin de période"),
        _("regroupement"),
        _("année"),
        _("mois"),
        _("région"),
        _("département"),
        _("autres colonnes"),
        _("numérateur"),
        _("dénominateur"),
        _("valeur"),
        _("IC 95 % bas"),
        _("IC 95 % haut"),
        _("compléments"),
        _("publié le"),
    )


def _local(when: datetime | None, fmt: str) -> Any:
    """A publication time in the platform's time zone: a date-time cell in Excel, a text
    « 2026-12-07 04:12 » in a CSV (which Excel reads as a date)."""
    if when is None:
        return None
    local = timezone.localtime(when).replace(tzinfo=None, microsecond=0)
    return local if fmt == "xlsx" else local.strftime("%Y-%m-%d %H:%M")


def export_row(
    declaration: Indicator | None,
    row: dict[str, Any],
    published_at: datetime | None,
    language: str,
    fmt: str = "csv",
) -> list[Any]:
    """One value (a dict of ``IndicatorValue`` fields) as a row of the download."""
    english = language.startswith("en")
    title = unit = ""
    if declaration is not None:
        title = declaration.title_en if english else declaration.title_fr
        unit = declaration.unit_en if english else declaration.unit
    grouping = " × ".join(
        column_label(c, language=language) for c in row["grouping"].split(",") if c
    )
    return [
        row["indicator"],
        title,
        unit,
        row.get("period_start"),
        row.get("period_end"),
        grouping,
        row["year"],
        row["month"],
        row["region"],
        row["departement"],
        "; ".join(
            f"{column_label(k, language=language)}={v}"
            for k, v in sorted(row["dimensions"].items())
        ),
        *(round_half_up(row[k], decimals=d) for k, d in VALUE_DECIMALS.items()),
        "; ".join(f"{k}={v}" for k, v in sorted(row["extra"].items())),
        _local(published_at, fmt),
    ]
