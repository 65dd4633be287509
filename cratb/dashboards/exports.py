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

__all__ = ["VALUE_DECIMALS", "Exporter", "export_header"]

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


class Exporter:
    """Rows of a download, with what repeats from row to row (titles, grouping names,
    publication times) worked out once: the full export holds about 10 000 rows."""

    def __init__(self, language: str, fmt: str, published: dict[int, datetime | None]) -> None:
        self.language = language
        self.english = language.startswith("en")
        self.fmt = fmt
        self.published = {pk: _local(when, fmt) for pk, when in published.items()}
        self.titles: dict[str, tuple[str, str]] = {}
        self.groupings: dict[str, str] = {}
        self.labels: dict[str, str] = {}

    def _title(self, indicator: str, declaration: Indicator | None) -> tuple[str, str]:
        if indicator not in self.titles:
            if declaration is None:
                self.titles[indicator] = ("", "")
            elif self.english:
                self.titles[indicator] = (declaration.title_en, declaration.unit_en)
            else:
                self.titles[indicator] = (declaration.title_fr, declaration.unit)
        return self.titles[indicator]

    def _grouping(self, grouping: str) -> str:
        if grouping not in self.groupings:
            self.groupings[grouping] = " × ".join(
                column_label(c, language=self.language) for c in grouping.split(",") if c
            )
        return self.groupings[grouping]

    def _label(self, column: str) -> str:
        if column not in self.labels:
            self.labels[column] = column_label(column, language=self.language)
        return self.labels[column]

    def row(self, declaration: Indicator | None, row: dict[str, Any]) -> list[Any]:
        """One value (a dict of ``IndicatorValue`` fields) as a row of the download."""
        title, unit = self._title(row["indicator"], declaration)
        dims = row["dimensions"]
        extra = row["extra"]
        return [
            row["indicator"],
            title,
            unit,
            row.get("period_start"),
            row.get("period_end"),
            self._grouping(row["grouping"]),
            row["year"],
            row["month"],
            row["region"],
            row["departement"],
            "; ".join(f"{self._label(k)}={v}" for k, v in sorted(dims.items())) if dims else "",
            *(round_half_up(row[k], decimals=d) for k, d in VALUE_DECIMALS.items()),
            "; ".join(f"{k}={v}" for k, v in sorted(extra.items())) if extra else "",
            self.published.get(row.get("publication_id", 0)),
        ]
