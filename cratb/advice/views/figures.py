"""Response figures: the page and its CSV and Excel exports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
)
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cratb.accounts.access import allow, roles
from cratb.accounts.models import Role
from cratb.advice import charts, figures, stored_figures
from cratb.advice.caching import cached
from cratb.advice.models import (
    AdviceRequest,
)
from cratb.advice.views.common import (
    FIGURES_ROLES,
    _user,
)
from cratb.engine.tabular import Sheet
from cratb.network.tabular import sheets_response

# --- figures ---------------------------------------------------------------------------------


def _figures_choice(request: HttpRequest, stamp: str) -> tuple[int, str, str, bool, list[int]]:
    user = _user(request)
    detailed = user.role != Role.AGENCY_VIEWER
    years, default = figures.cached_years(stamp)
    try:
        year = int(request.GET.get("annee", default))
    except ValueError:
        year = default
    if year not in years:
        year = default
    dimension = request.GET.get("par", "setting")
    if dimension not in figures.dimensions(detailed=detailed):
        dimension = "setting"
    period = request.GET.get("periode", "month")
    if period not in figures.PERIODS:
        period = "month"
    return year, dimension, period, detailed, years


def _figures_parts(year: int, dimension: str, period: str, stamp: str) -> dict[str, Any]:
    """The figures' summary and their rendered tables and charts, cached together (the
    page then costs a cache read), per language."""
    key = (
        figures.cache_key(year, dimension=dimension, period=period, stamp=stamp)
        + f":page:{get_language()}"
    )
    return cached(
        key,
        lambda: _build_figures_parts(year, dimension, period),
        seconds=figures.CACHE_SECONDS,
    )


def _build_figures_parts(year: int, dimension: str, period: str) -> dict[str, Any]:
    # Read from the stored figures directly: the page's parts are kept under the same
    # stamp, so keeping the figures object too would only cost its pickling.
    found = stored_figures.stored_year_figures(year, dimension=dimension, period=period)
    label = str(found.dimension.label).lower()
    series = found.series
    tables = render_to_string(
        "advice/includes/figures_tables.html",
        {
            "figures": found,
            "series_header": [series.labels[code] for code in series.codes],
            "series_rows": [
                (
                    day,
                    [series.counts.get(day, {}).get(code, 0) for code in series.codes],
                    series.total(day),
                )
                for day in series.periods
            ],
            "series_chart": charts.stacked_bars_chart(
                series,
                period=period,
                title=_("Demandes par %(period)s et %(dimension)s, %(year)s")
                % {"period": figures.PERIODS[period], "dimension": label, "year": year},
            ),
            "bars_chart": charts.horizontal_bars(
                found.breakdown,
                title=_("Demandes par %(dimension)s, %(year)s")
                % {"dimension": label, "year": year},
            ),
            "periods": figures.PERIODS,
        },
    )
    return {
        "figures": {
            "year": found.year,
            "period": found.period,
            "dimension": found.dimension,
            "summary": found.summary,
            "computed_at": found.computed_at,
        },
        "tables": mark_safe(tables),  # noqa: S308 - rendered by the template engine
    }


@allow(roles(*FIGURES_ROLES))
def figures_page(request: HttpRequest) -> HttpResponse:
    stamp = AdviceRequest.objects.change_stamp()
    year, dimension, period, detailed, years = _figures_choice(request, stamp)
    overdue = _overdue_list(stamp) if detailed else ""
    return render(
        request,
        "advice/figures.html",
        {
            **_figures_parts(year, dimension, period, stamp),
            "years": years,
            "dimensions": figures.dimensions(detailed=detailed),
            "periods": figures.PERIODS,
            "detailed": detailed,
            "overdue": overdue,
            "target_days": figures_target_days(),
        },
    )


def _overdue_list(stamp: str) -> str:
    """The 20 most overdue open requests, rendered; kept until a request changes, and
    for one minute at most (time alone makes requests overdue)."""
    now = timezone.now()
    return cached(
        f"cratb.advice.overdue:{stamp}:{now:%Y%m%d%H%M}:{get_language()}",
        lambda: _render_overdue(now),
        seconds=60,
    )


def _render_overdue(now: datetime) -> str:
    """The list built in Python (no model instances, one ``reverse``): it is drawn again
    whenever a request changes."""
    rows = (
        AdviceRequest.objects.overdue(now)
        .order_by("due_at")
        .values_list(
            "pk",
            "due_at",
            "departement__code",
            "assignee_id",
            "assignee__username",
            "assignee__first_name",
            "assignee__last_name",
        )[:20]
    )
    items = []
    url_head, url_tail = reverse("advice:request-detail", args=[0]).rsplit("/0/", 1)
    title = _("Demande n° %(number)s")
    before = escape(_("attendue avant le"))
    for pk, due_at, departement, assignee, username, first_name, last_name in rows:
        name = f"{first_name} {last_name}".strip() or username if assignee else ""
        items.append(
            f'<li><a href="{url_head}/{pk}/{url_tail}">{escape(title % {"number": f"{pk:06d}"})}'
            f"</a> — {escape(departement or '')} — {before} "
            f"{timezone.localtime(due_at):%d/%m/%Y %H:%M}"
            + (f" — {escape(name)}" if assignee else "")
            + "</li>"
        )
    if not items:
        return ""
    heading = escape(_("Demandes ouvertes hors délai"))
    return mark_safe(  # noqa: S308 - every value is escaped above
        f"\n<h2>{heading}</h2>\n<ul>{''.join(items)}</ul>\n"
    )


def figures_target_days() -> int:
    from django.conf import settings

    return int(settings.CRATB_ADVICE_TARGET_WORKING_DAYS)


def _pct(share: figures.Share) -> float | None:
    value = share.percent
    return None if value is None else round(value, 1)


def _hours(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def export_rows(found: figures.Figures) -> tuple[list[list[Any]], list[list[Any]]]:
    """The two tables of an export: breakdown (with the total) and series (long format)."""
    header = [
        found.dimension.key,
        "libelle",
        "demandes",
        "repondues",
        "delai_median_heures",
        "delai_p90_heures",
        "dans_le_delai_cible_pct",
        "avis_suivis_pct",
        "antibiotique_critique_evite_pct",
    ]

    def line(code: str, label: str, m: figures.Measures) -> list[Any]:
        return [
            code,
            label,
            m.total,
            m.answered,
            _hours(m.median_hours),
            _hours(m.p90_hours),
            _pct(m.within_target),
            _pct(m.followed),
            _pct(m.avoided_critical),
        ]

    breakdown = [header] + [line(r.code, r.label, r.measures) for r in found.breakdown]
    breakdown.append(line("total", _("Total"), found.summary))
    series: list[list[Any]] = [["periode", found.dimension.key, "libelle", "demandes"]]
    for period in found.series.periods:
        for code in found.series.codes:
            n = found.series.counts.get(period, {}).get(code, 0)
            series.append([period.isoformat(), code, found.series.labels[code], n])
    return breakdown, series


@allow(roles(*FIGURES_ROLES))
def figures_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    stamp = AdviceRequest.objects.change_stamp()
    year, dimension, period, _detailed, _years = _figures_choice(request, stamp)
    found = stored_figures.cached_year_figures(
        year, dimension=dimension, period=period, stamp=stamp
    )
    breakdown, series = export_rows(found)
    stem = f"cratb-avis-{year}-{dimension}-{period}"
    sheets = [
        Sheet("synthese", breakdown[0], breakdown[1:]),
        Sheet("series", series[0], series[1:]),
    ]
    if fmt == "xlsx":
        return sheets_response(filename=stem, sheets=sheets, fmt="xlsx")
    wanted = "series" if request.GET.get("table") == "series" else "synthese"
    chosen = [s for s in sheets if s.name == wanted]
    return sheets_response(filename=f"{stem}-{wanted}", sheets=chosen, fmt="csv")
