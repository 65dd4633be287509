"""The surveillance section: the key indicators of the year against their targets and the
2019 baseline, the trend of the main one and its map by département.

Every value is a published indicator value (``IndicatorValue.objects.current()``, the
rows the surveillance pages show: the same publication, the same numbers), never a second
computation; only the change since 2019 is derived here. The report shows regional and
département aggregates, never a prescriber's row.

*At the merge of the indicator pages (issue #14):* take the headline, the map and the
trend from ``cratb.dashboards.indicator_page.build_page`` (the page's own builder), so the
report's charts are the page's charts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.conf import settings
from django.db.models import Max

from cratb.charts import AreaValue, Point, choropleth, time_series
from cratb.dashboards.charts import DECIMALS
from cratb.dashboards.models import IndicatorValue, Publication
from cratb.documents import Block, ChartBlock, Column, Paragraph, Table
from cratb.engine import reference
from cratb.engine.indicators import CATALOGUE, Indicator
from cratb.engine.indicators.catalogue import Target

__all__ = [
    "BASELINE_YEAR",
    "KEY_INDICATORS",
    "MAPPED",
    "blocks",
    "departement_values",
    "regional_values",
    "target_for",
]

#: The key indicators of the report, in their order (those published are shown).
KEY_INDICATORS = (
    "community.prescriptions_per_1000",
    "community.did",
    "community.access_share",
    "community.critical_share",
    "hospital.ddd_per_1000_patient_days",
    "nursing_home.ddd_per_1000_resident_days",
    "resistance.esbl_share",
    "resistance.targeted_reporting",
)
#: The indicator drawn as a trend and a map: the national strategy's target.
MAPPED = "community.prescriptions_per_1000"
BASELINE_YEAR = 2019


def regional_values(indicator: str) -> dict[int, IndicatorValue]:
    """The region's published value of ``indicator`` for each year (the row the values page
    shows with the grouping « ensemble »)."""
    rows = IndicatorValue.objects.current().filter(
        individual=False, indicator=indicator, grouping="", departement="", year__isnull=False
    )
    return {row.year: row for row in rows if row.year is not None}


def departement_values(indicator: str, year: int) -> list[IndicatorValue]:
    """The published values of ``indicator`` per département for ``year``."""
    return list(
        IndicatorValue.objects.current()
        .filter(
            individual=False,
            indicator=indicator,
            grouping="departement",
            year=year,
        )
        .exclude(departement="")
        .order_by("departement")
    )


def target_for(indicator: Indicator, year: int) -> Target | None:
    """The target that applies to ``year``: the first without a year or not yet past."""
    return next((t for t in indicator.targets if t.year is None or t.year >= year), None)


def _change(value: float | None, baseline: float | None) -> float | None:
    if value is None or baseline in (None, 0):
        return None
    assert baseline is not None
    return 100 * (value - baseline) / baseline


def _departement_label(code: str) -> str:
    try:
        return f"{reference.departement(code).name} ({code})"
    except reference.ReferenceError:
        return code


def _publication_date() -> date | None:
    last = Publication.objects.filter(status=Publication.Status.DONE).aggregate(
        at=Max("finished_at")
    )["at"]
    return last.date() if last else None


def key_table(year: int) -> Table | None:
    rows = []
    for code in KEY_INDICATORS:
        indicator = CATALOGUE.get(code)
        values = regional_values(code)
        current = values.get(year)
        if indicator is None or current is None:
            continue
        baseline = values.get(BASELINE_YEAR)
        target = target_for(indicator, year)
        met = None
        if target is not None and current.value is not None:
            met = "oui" if target.met(current.value) else "non"
        rows.append(
            (
                indicator.title_fr,
                indicator.unit,
                current.value,
                baseline.value if baseline else None,
                _change(current.value, baseline.value if baseline else None),
                f"{target.comparison} {target.value:g}".replace(".", ",") if target else None,
                met,
            )
        )
    if not rows:
        return None
    return Table(
        columns=(
            Column("Indicateur"),
            Column("Unité"),
            Column(str(year), DECIMALS),
            Column(f"{BASELINE_YEAR} (référence)", DECIMALS),
            Column(f"Évolution depuis {BASELINE_YEAR} (%)", DECIMALS),
            Column("Objectif"),
            Column("Objectif atteint"),
        ),
        rows=tuple(rows),
        caption="Indicateurs clés de la région",
    )


def _trajectory(
    baseline: IndicatorValue | None, target: Target | None, year: int
) -> list[tuple[int | date, float]]:
    """The target's trajectory: from the 2019 value to the target in its year."""
    if target is None:
        return []
    end = (target.year or year, target.value)
    if baseline is None or baseline.value is None or end[0] <= BASELINE_YEAR:
        return [end]
    return [(BASELINE_YEAR, baseline.value), end]


def trend_chart(year: int) -> ChartBlock | None:
    indicator = CATALOGUE[MAPPED]
    values = regional_values(MAPPED)
    points = [
        Point(y, row.value, row.ci_low, row.ci_high)
        for y, row in sorted(values.items())
        if y <= year and row.value is not None
    ]
    if not points:
        return None
    baseline = values.get(BASELINE_YEAR)
    target = target_for(indicator, year)
    chart = time_series(
        points,
        title=f"{indicator.title_fr}, région, par année",
        unit=indicator.unit,
        decimals=DECIMALS,
        language="fr",
        baseline=baseline.value if baseline else None,
        target=_trajectory(baseline, target, year),
        target_label=target.label if target else "",
    )
    return ChartBlock(chart, caption=target.source if target else "")


def map_blocks(year: int) -> list[Block]:
    indicator = CATALOGUE[MAPPED]
    rows = departement_values(MAPPED, year)
    if not rows:
        return []
    chart = choropleth(
        [AreaValue(row.departement, row.value) for row in rows],
        region=settings.CRATB_REGION,
        title=f"{indicator.title_fr} par département, {year}",
        unit=indicator.unit,
        decimals=DECIMALS,
        language="fr",
    )
    table = Table(
        columns=(
            Column("Département"),
            Column(f"Valeur ({indicator.unit})", DECIMALS),
            Column("IC 95 % bas", DECIMALS),
            Column("IC 95 % haut", DECIMALS),
        ),
        rows=tuple(
            (_departement_label(row.departement), row.value, row.ci_low, row.ci_high)
            for row in rows
        ),
        caption=f"{indicator.title_fr} par département, {year}",
    )
    return [ChartBlock(chart), table]


def blocks(year: int) -> Sequence[Block]:
    table = key_table(year)
    if table is None:
        return [
            Paragraph(
                f"Aucun indicateur publié pour {year} : publiez le catalogue pour cette année"
                " (page « Publications ») avant de valider le rapport."
            )
        ]
    published = _publication_date()
    intro = (
        f"Valeurs régionales publiées pour {year}"
        + (f" (dernière publication le {published:%d/%m/%Y})" if published else "")
        + f", comparées à {BASELINE_YEAR}, année de référence des objectifs nationaux, et aux"
        " objectifs en vigueur."
    )
    out: list[Block] = [Paragraph(intro), table]
    trend = trend_chart(year)
    if trend is not None:
        out.append(trend)
    out += map_blocks(year)
    return out
