"""The national view: the region against every other region and the country, from
aggregated dispensing (Open Medic), by prescriber specialty or age band (issue #17).

Computed from the warehouse when the page is asked (an Open Medic year is a few hundred
thousand antibacterial rows, summed in well under a second), never published: the
values are public open data, by region only.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from cratb.accounts.access import allow, roles
from cratb.accounts.models import Role
from cratb.charts import Bar, Reference, ranked_bars
from cratb.charts.numbers import round_half_up
from cratb.dashboards.labels import specialty_label
from cratb.engine import reference
from cratb.engine.backends import Session, open_session
from cratb.engine.errors import EngineError
from cratb.engine.indicators import CATALOGUE, Query, compute
from cratb.engine.indicators.aggregated import ddd_coverage
from cratb.network.tabular import table_response
from cratb.security import without_paths

__all__ = ["national_view"]

INDICATORS = (
    "community.did",
    "community.did_age_standardised",
    "community.access_share",
    "community.critical_share",
)
AGGREGATE = "aggregated_dispensations"
STANDARDISED = "community.did_age_standardised"
CACHE_SECONDS = 3600
#: Who reads it: the readers of the indicator pages (public data, by region only).
READERS = roles(Role.COORDINATOR, Role.EMA_MEMBER, Role.AGENCY_VIEWER, Role.ADMIN)
#: Decimals of the values, in the chart and the table.
DECIMALS = 1
#: Open Medic's groups of regions (docs/open-data.md).
GROUP_NAMES = {
    "93+94": gettext_lazy("Provence-Alpes-Côte d'Azur et Corse"),
    "01+02+03+04+06": gettext_lazy("Outre-mer"),
}
BREAKDOWNS = {
    "": gettext_lazy("aucune"),
    "prescriber_specialty": gettext_lazy("spécialité du prescripteur"),
    "age_band": gettext_lazy("tranche d'âge"),
}


class NationalForm(forms.Form):
    indicator = forms.ChoiceField(label=gettext_lazy("Indicateur"), required=False)
    year = forms.TypedChoiceField(label=gettext_lazy("Année"), coerce=int, required=False)
    breakdown = forms.ChoiceField(
        label=gettext_lazy("Ventilation"),
        choices=list(BREAKDOWNS.items()),
        required=False,
    )

    def __init__(self, *args: Any, years: list[int], english: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        indicator = self.fields["indicator"]
        year = self.fields["year"]
        assert isinstance(indicator, forms.ChoiceField)
        assert isinstance(year, forms.ChoiceField)
        indicator.choices = [
            (i, CATALOGUE[i].title_en if english else CATALOGUE[i].title_fr) for i in INDICATORS
        ]
        year.choices = [(y, str(y)) for y in sorted(years, reverse=True)]


def region_label(code: str | None) -> str:
    if not code:
        return _("région inconnue")
    if code in GROUP_NAMES:
        return str(GROUP_NAMES[code])
    found = reference.regions().get(code)
    return found.name if found else code


def column_label(breakdown: str, value: str | None) -> str:
    if not value:
        return _("inconnu")
    if breakdown == "prescriber_specialty":
        return specialty_label(value)
    if breakdown == "age_band":
        return _("%(band)s ans") % {"band": value}
    return value


@dataclass
class Comparison:
    """The page's numbers: one row per region (the own region first), the country."""

    indicator: str
    year: int
    breakdown: str
    columns: list[tuple[str, str]] = field(default_factory=list)  # (value, label)
    rows: list[dict[str, Any]] = field(default_factory=list)
    country: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # Share (%) of the J01 boxes of the aggregate that got a DDD from the catalogue.
    coverage: float | None = None
    boxes_without_ddd: int = 0


def aggregate_years(session: Session) -> list[int]:
    if not session.has(AGGREGATE):
        return []
    t = session.table(AGGREGATE)
    rows = session.to_arrow(t.select("year").distinct())
    return sorted(int(y) for y in rows["year"].to_pylist() if y is not None)


def compare(session: Session, *, indicator: str, year: int, breakdown: str) -> Comparison:
    """Every region and the country for ``year``, optionally by ``breakdown``."""
    from datetime import date

    def run(by: tuple[str, ...]) -> list[dict[str, Any]]:
        query = Query(
            by=by, date_from=date(year, 1, 1), date_to=date(year, 12, 31), source="aggregate"
        )
        ident = indicator
        if "region" not in by and indicator == STANDARDISED:
            # Standardised on the population of all the regions: the country's value is
            # its crude rate.
            ident = "community.did"
        result = compute(ident, session, query)
        for warning in result.warnings:
            if warning not in out.warnings:
                out.warnings.append(warning)
        rows: list[dict[str, Any]] = result.table.to_pylist()
        return rows

    out = Comparison(indicator=indicator, year=year, breakdown=breakdown)
    coverage = ddd_coverage(session)
    if coverage is not None and coverage.share is not None:
        out.coverage = coverage.share
        out.boxes_without_ddd = coverage.boxes - coverage.boxes_with_ddd
    own = settings.CRATB_REGION
    regions = run(("region",))
    country = run(())
    out.country = {"value": country[0]["value"] if country else None, "cells": {}}
    by_region = {r["region"]: {**r, "cells": {}} for r in regions}
    if breakdown == "age_band" and indicator == STANDARDISED:
        breakdown = out.breakdown = ""  # a rate of one age band is not standardised
    if breakdown:
        cells = run(("region", breakdown))
        national = run((breakdown,))
        values = sorted({c[breakdown] for c in national if c[breakdown]})
        out.columns = [(v, column_label(breakdown, v)) for v in values]
        for c in cells:
            if c["region"] in by_region:
                by_region[c["region"]]["cells"][c[breakdown]] = c["value"]
        out.country["cells"] = {c[breakdown]: c["value"] for c in national}
    rows = sorted(
        by_region.values(),
        key=lambda r: (not _is_own(r["region"], own), -(r["value"] or 0.0)),
    )
    for r in rows:
        r["label"] = region_label(r["region"])
        r["own"] = _is_own(r["region"], own)
        r["values"] = [r["cells"].get(v) for v, _label in out.columns]
    out.country["values"] = [out.country["cells"].get(v) for v, _label in out.columns]
    out.rows = rows
    return out


def _is_own(code: str | None, own: str) -> bool:
    return bool(code) and own in str(code).split("+")


def _chart(comparison: Comparison, *, english: bool) -> Any:
    declaration = CATALOGUE[comparison.indicator]
    bars = [
        Bar(r["label"] + (" ◆" if r["own"] else ""), r["value"])
        for r in comparison.rows
        if r["value"] is not None
    ]
    if not bars:
        return None
    national = comparison.country.get("value")
    chart = ranked_bars(
        bars,
        title=f"{declaration.title_en if english else declaration.title_fr} — {comparison.year}",
        unit=declaration.unit_en if english else declaration.unit,
        decimals=DECIMALS,
        language=get_language() or "fr",
        reference=Reference(national, _("France")) if national is not None else None,
        subject=_("régions"),
    )
    return mark_safe(chart.html())  # noqa: S308 - rendered and escaped by cratb.charts


class _Refused(Exception):
    """A comparison the data cannot give (rates by age without INSEE's population…): the
    page keeps its form to choose another."""

    def __init__(self, form: NationalForm, years: list[int], message: str) -> None:
        super().__init__(message)
        self.form, self.years, self.message = form, years, message


def _comparison(
    request: HttpRequest, *, english: bool
) -> tuple[NationalForm, list[int], Comparison | None]:
    """The form, the years of the aggregate and the comparison asked; the same warehouse
    file gives the same figures, so they are kept an hour in the process's cache."""
    warehouse = Path(settings.CRATB_WAREHOUSE)
    try:
        stat = warehouse.stat()
        version = f"{warehouse}:{stat.st_mtime_ns}:{stat.st_size}"
    except OSError:
        version = ""
    years: list[int] | None = cache.get(f"national:years:{version}") if version else None
    if years is not None:
        form = NationalForm(request.GET or None, years=years, english=english)
        key = _cache_key(version, form, years, english=english)
        cached: Comparison | None = cache.get(key) if key else None
        if cached is not None or not key:
            return form, years, cached
    with open_session(
        warehouse=warehouse, memory_limit=settings.CRATB_ENGINE.duckdb_memory_limit
    ) as session:
        years = aggregate_years(session)
        if version:
            cache.set(f"national:years:{version}", years, CACHE_SECONDS)
        form = NationalForm(request.GET or None, years=years, english=english)
        key = _cache_key(version, form, years, english=english)
        if not years or (form.is_bound and not form.is_valid()):
            return form, years, None
        data = form.cleaned_data if form.is_bound else {}
        try:
            comparison = compare(
                session,
                indicator=data.get("indicator") or INDICATORS[0],
                year=data.get("year") or years[-1],
                breakdown=data.get("breakdown") or "",
            )
        except EngineError as exc:
            raise _Refused(form, years, str(exc)) from exc
    if key:
        cache.set(key, comparison, CACHE_SECONDS)
    return form, years, comparison


def _cache_key(version: str, form: NationalForm, years: list[int], *, english: bool) -> str:
    """The key of one comparison in the cache, or "" when the request is not valid."""
    if not version or not years or (form.is_bound and not form.is_valid()):
        return ""
    data = form.cleaned_data if form.is_bound else {}
    parts = (
        version,
        data.get("indicator") or INDICATORS[0],
        data.get("year") or years[-1],
        data.get("breakdown") or "",
        settings.CRATB_REGION,
        "en" if english else "fr",
    )
    return "national:" + hashlib.sha256(repr(parts).encode()).hexdigest()


@allow(READERS)
def national_view(request: HttpRequest) -> HttpResponse:
    """The region against the others and the country (Open Medic), by specialty or age."""
    english = (get_language() or "fr").startswith("en")
    error = ""
    comparison: Comparison | None = None
    years: list[int] = []
    chart = None
    form: NationalForm | None = None
    try:
        form, years, comparison = _comparison(request, english=english)
    except _Refused as refused:
        form, years, error = refused.form, refused.years, without_paths(refused.message)
    except EngineError as exc:
        error = without_paths(str(exc))
    if form is None:
        form = NationalForm(None, years=years, english=english)
    fmt = request.GET.get("format", "")
    if comparison is not None and fmt in ("csv", "xlsx"):
        header = (_("région"), _("code"), _("valeur"), *(label for _v, label in comparison.columns))

        def shown(*values: float | None) -> list[float | None]:
            # Rounded as the page shows them (one decimal, half up).
            return [round_half_up(v, decimals=DECIMALS) for v in values]

        table = [
            [r["label"], r["region"], *shown(r["value"], *r["values"])] for r in comparison.rows
        ] + [
            [
                _("France"),
                "",
                *shown(comparison.country.get("value"), *comparison.country["values"]),
            ]
        ]
        return table_response(
            filename=f"comparaison-nationale-{comparison.year}",
            columns=header,
            rows=table,
            fmt=fmt,
        )
    if comparison is not None:
        chart = _chart(comparison, english=english)
    declaration = CATALOGUE.get(comparison.indicator) if comparison else None
    return render(
        request,
        "dashboards/national.html",
        {
            "form": form,
            "comparison": comparison,
            "chart": chart,
            "error": error,
            "years": years,
            "unit": (declaration.unit_en if english else declaration.unit) if declaration else "",
            "own_region": region_label(settings.CRATB_REGION),
            "query": request.GET.urlencode(),
        },
    )
