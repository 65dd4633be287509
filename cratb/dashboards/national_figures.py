"""France's value on an indicator page's headline (issue #14 point 1), from the
project's national reference tables (``cratb.engine.reference.national``).

Registered from :class:`cratb.dashboards.apps.DashboardsConfig.ready`. A value of the
page's year is named « France entière, 2023 »; when the reference tables have none for
that year, the latest before it is given as « dernière valeur nationale publiée : 2022 »,
never silently: the headline always names the year of France's value. Nothing is shown
when the tables have no value for the indicator (or the organism, agent, specimen or
setting of the page's series).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from cratb.dashboards.sections import NationalFigure, PageContext
from cratb.engine.reference import national

__all__ = ["france", "stamp"]

RESISTANCE = ("resistance.esbl_share", "resistance.pct_resistant")


def _label(year: int, page_year: int) -> str:
    if year == page_year:
        return _("France entière, %(year)s") % {"year": year}
    return _("dernière valeur nationale publiée : %(year)s") % {"year": year}


def _series(page: PageContext) -> dict[str, str]:
    """The series of the headline (organism, antibiotic, specimen, setting…): the
    dimensions every regional row of the year shares. A regional value over every
    setting and specimen has no specimen nor setting, so it only meets a national value
    measured on all of them."""
    shared: dict[str, str] | None = None
    for row in page.values:
        if row.get("_level", "") != "" or row.get("year") != page.year:
            continue
        dims = {k: str(v) for k, v in (row.get("dimensions") or {}).items() if v not in (None, "")}
        shared = dims if shared is None else {k: v for k, v in shared.items() if dims.get(k) == v}
    return shared or {}


def _short_source(source: str) -> str:
    """The source's name without its address (the reference table keeps it)."""
    return source.split(", http")[0].strip()


def stamp() -> str:
    """The reference tables' files and their modification times: a region's own edition
    (``CRATB_REFERENCE_DIR``) changes the cached pages' France without a publication."""
    from cratb.engine.reference import storage

    parts = []
    for name in (national.FILE, national.CONSUMPTION_FILE):
        try:
            path = storage.find(name)
            parts.append(f"{path}:{path.stat().st_mtime_ns}")
        except OSError:
            parts.append(f"{name}:-")
    return ";".join(parts)


def france(page: PageContext) -> NationalFigure | None:
    """France's value of the page's indicator and year, where the tables have one."""
    if page.year is None:
        return None
    indicator = page.indicator.id
    if indicator in RESISTANCE:
        series = _series(page)
        organism = series.get("organism")
        antibiotic = series.get("antibiotic")
        if not organism or (indicator == "resistance.pct_resistant" and not antibiotic):
            return None
        found = national.reference_for(
            indicator,
            organism=organism,
            year=page.year,
            antibiotic=antibiotic if indicator == "resistance.pct_resistant" else None,
            specimen=series.get("specimen"),
            setting=series.get("setting"),
        )
        if found is None:
            return None
        return NationalFigure(
            value=found.value,
            label=_label(found.year, page.year),
            source=_short_source(found.source),
        )
    consumption = national.consumption_for(indicator, page.year)
    if consumption is None:
        return None
    return NationalFigure(
        value=consumption.value,
        label=_label(consumption.year, page.year),
        source=f"{consumption.source} ({consumption.edition})",
    )
