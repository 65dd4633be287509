"""The national comparison on the indicator pages (issue #17 point 4): for the community
indicators that aggregated dispensing (Open Medic) gives, a section ranking every region
and the country for the page's year, computed by the national comparison page's own
function (:func:`cratb.dashboards.national.compare`: one source for each figure). The
breakdowns by prescriber specialty and age band stay on that page, linked from here.

Registered from :class:`cratb.dashboards.apps.DashboardsConfig`; nothing is drawn when
the warehouse holds no aggregated dispensing.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from cratb.charts import Bar, Reference, ranked_bars
from cratb.charts.numbers import format_number
from cratb.dashboards.national import DECIMALS, INDICATORS, aggregate_years, compare
from cratb.dashboards.sections import PageContext, Section
from cratb.engine.backends import open_session
from cratb.engine.errors import EngineError

__all__ = ["regions_of_france", "stamp"]


def stamp() -> str:
    """The warehouse file's version: a new import changes the section."""
    try:
        found = Path(settings.CRATB_WAREHOUSE).stat()
    except OSError:
        return ""
    return f"{found.st_mtime_ns}:{found.st_size}"


def regions_of_france(ctx: PageContext) -> Section | None:
    if ctx.indicator.id not in INDICATORS:
        return None
    warehouse = Path(settings.CRATB_WAREHOUSE)
    if not warehouse.exists():
        return None
    try:
        with open_session(
            warehouse=warehouse, memory_limit=settings.CRATB_ENGINE.duckdb_memory_limit
        ) as session:
            years = aggregate_years(session)
            if not years:
                return None
            year = ctx.year if ctx.year in years else years[-1]
            comparison = compare(session, indicator=ctx.indicator.id, year=year, breakdown="")
    except EngineError:
        return None
    english = ctx.language.lower().startswith("en")
    rows = [r for r in comparison.rows if r["value"] is not None]
    if not rows:
        return None
    label = {r["region"]: r["label"] + (" ◆" if r["own"] else "") for r in rows}
    country = comparison.country.get("value")
    chart = ranked_bars(
        [Bar(label[r["region"]], r["value"]) for r in rows],
        title=_("Régions de France, %(year)s (Open Medic)") % {"year": year},
        unit=ctx.indicator.unit_en if english else ctx.indicator.unit,
        decimals=DECIMALS,
        language=ctx.language,
        reference=Reference(country, _("France")) if country is not None else None,
        subject=_("régions"),
    )
    table = [
        [label[r["region"]], format_number(r["value"], decimals=DECIMALS, language=ctx.language)]
        for r in rows
    ]
    if country is not None:
        table.append(
            [_("France"), format_number(country, decimals=DECIMALS, language=ctx.language)]
        )
    note = _(
        "Délivrances de ville agrégées de l'Assurance maladie (Open Medic), %(year)s ; ◆ : "
        "votre région. Par spécialité du prescripteur et par âge : page « Comparaison "
        "nationale » du tableau de bord de la surveillance."
    ) % {"year": year}
    return Section(
        slug="regions-france",
        title=_("Comparaison avec les autres régions"),
        chart=chart,
        columns=(_("Région"), _("Valeur")),
        rows=table,
        numeric=frozenset({1}),
        note=note,
        table_caption=_("Valeur de chaque région et de la France"),
        order=70,
    )
