"""Surveillance pages: the dashboard home, the published indicator values (filters, chart,
exports), the publications and the file imports started from the web (jobs followed on
their pages), the DDD per product page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cratb.accounts.access import STAFF_ROLES, WEB_ROLES, allow, roles
from cratb.accounts.models import Role, User
from cratb.dashboards.charts import MAX_BARS, Bar, bar_chart
from cratb.dashboards.forms import DataImportForm, PublishForm, ValueFilterForm, grouping_label
from cratb.dashboards.models import DataImport, IndicatorValue, Publication
from cratb.dashboards.services import create_publication
from cratb.dashboards.tasks import import_data, publish_indicators
from cratb.engine import reference
from cratb.engine.backends import open_session
from cratb.engine.errors import EngineError
from cratb.engine.indicators import CATALOGUE, Indicator
from cratb.network.models import Membership, Territory
from cratb.network.tabular import table_response
from cratb.security import without_paths

#: Who reads published indicators: the CRAtb, the EMA teams, the agency (aggregates).
INDICATOR_READERS = roles(Role.COORDINATOR, Role.EMA_MEMBER, Role.AGENCY_VIEWER, Role.ADMIN)
PAGE_SIZE = 100


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # guaranteed by @allow: only logged-in users get here
    return user


@allow(roles(*WEB_ROLES))
def home(request: HttpRequest) -> HttpResponse:
    """« Tableau de bord »: who the user is for the platform, and the three missions."""
    user = _user(request)
    latest = Publication.objects.filter(status=Publication.Status.DONE).first()
    membership = Membership.of(user)
    context = {
        "team": membership.team,
        "territories": list(membership.territories.order_by("kind", "code")),
        "latest_publication": latest,
        "may_read_indicators": INDICATOR_READERS.allows(user.role),
    }
    return render(request, "dashboards/home.html", context)


def _departement_label(code: str) -> str:
    if not code:
        return ""
    try:
        return f"{reference.departement(code).name} ({code})"
    except reference.ReferenceError:
        return code


#: Groupings by territories finer than the département, where small counts are masked.
FINE_GROUPINGS = ("commune", "cpts")


def _territory_names(kind: str, codes: set[str] | None = None) -> dict[str, str]:
    """Names of the directory's CPTS or GHT by code (of ``codes`` only, when given: no
    query when there is none)."""
    if codes is not None and not codes:
        return {}
    found = Territory.objects.filter(kind=kind)
    if codes is not None:
        found = found.filter(code__in=codes)
    return dict(found.values_list("code", "name"))


def _details(v: IndicatorValue, names: dict[str, dict[str, str]]) -> list[tuple[str, Any]]:
    """The value's other --by columns, a CPTS or GHT code with its directory name."""
    out = []
    for label, item in v.dimension_items():
        for column in ("cpts", "ght"):
            code = v.dimensions.get(column)
            if code is not None and item == code and code in names[column]:
                item = f"{names[column][code]} ({code})"
        out.append((label, item))
    return out


def _masked(v: IndicatorValue) -> bool:
    """A value left empty by the small-count rule (fewer than 11 events by commune or CPTS)."""
    return v.value is None and any(c in v.grouping.split(",") for c in FINE_GROUPINGS)


def _filtered(request: HttpRequest) -> tuple[ValueFilterForm, Any]:
    user = _user(request)
    visible = IndicatorValue.objects.current().visible_to(user)
    years = sorted(
        {y for y in visible.values_list("year", flat=True).distinct() if y is not None},
        reverse=True,
    )
    chosen = request.GET.get("indicator", "")
    of_chosen = visible.filter(indicator=chosen) if chosen in CATALOGUE else visible
    groupings = sorted(set(of_chosen.values_list("grouping", flat=True).distinct()))
    codes = sorted(set(visible.exclude(departement="").values_list("departement", flat=True)))
    form = ValueFilterForm(
        request.GET or None,
        years=years,
        groupings=groupings,
        departements=[(c, _departement_label(c)) for c in codes],
    )
    values = visible
    if form.is_valid():
        data = form.cleaned_data
        if data["indicator"]:
            values = values.filter(indicator=data["indicator"])
        if data["year"]:
            values = values.filter(year=data["year"])
        if data["grouping"]:
            values = values.filter(grouping="" if data["grouping"] == "-" else data["grouping"])
        if data["departement"]:
            values = values.filter(departement=data["departement"])
    return form, values.select_related("publication")


EXPORT_COLUMNS = (
    "indicator", "title", "unit", "period_start", "period_end", "grouping", "year", "month",
    "region", "departement", "dimensions", "numerator", "denominator", "value", "ci_low",
    "ci_high", "extra", "published_at",
)  # fmt: skip


def _export_rows(values: Any) -> list[list[Any]]:
    rows = []
    for v in values.iterator(chunk_size=2000):
        declaration = CATALOGUE.get(v.indicator)
        rows.append(
            [
                v.indicator,
                declaration.title_fr if declaration else "",
                declaration.unit if declaration else "",
                v.period_start,
                v.period_end,
                v.grouping,
                v.year,
                v.month,
                v.region,
                v.departement,
                "; ".join(f"{k}={val}" for k, val in sorted(v.dimensions.items())),
                v.numerator,
                v.denominator,
                v.value,
                v.ci_low,
                v.ci_high,
                "; ".join(f"{k}={val}" for k, val in sorted(v.extra.items())),
                v.publication.finished_at.isoformat() if v.publication.finished_at else "",
            ]
        )
    return rows


def _download(rows: list[list[Any]], header: tuple[str, ...], name: str, fmt: str) -> HttpResponse:
    return table_response(filename=name, columns=header, rows=rows, fmt=fmt)


def _chart(values: Any, declaration: Indicator, grouping: str, *, english: bool) -> Any:
    """A bar chart of the values when they are one series of a few dozen bars: ranked for
    territories and dimensions, in time order for months and years."""
    items = list(values.order_by("year", "month", "departement")[: MAX_BARS + 1])
    if (
        not items
        or len(items) > MAX_BARS
        or (len({v.year for v in items}) > 1 and grouping != "year")
    ):
        return None

    def label(v: IndicatorValue) -> str:
        if grouping == "departement":
            return _departement_label(v.departement)
        if grouping in ("month", "year", "region"):
            return str(getattr(v, grouping))
        code = str(v.dimensions.get(grouping, ""))
        if grouping in ("cpts", "ght"):
            return names.get(code, code)
        return code

    names = _territory_names(grouping) if grouping in ("cpts", "ght") else {}

    bars = [Bar(label(v), v.value, v.ci_low, v.ci_high) for v in items if v.value is not None]
    target = next(
        ((t.value, t.label) for t in declaration.targets if t.year is None or t.year >= 2025),
        None,
    )
    return bar_chart(
        bars,
        title=_title(declaration, english=english),
        unit=_unit(declaration, english=english),
        target=target,
        ranked=grouping not in ("month", "year"),
        subject=_("départements") if grouping == "departement" else "",
    )


def _title(declaration: Indicator | None, *, english: bool) -> str:
    if declaration is None:
        return ""
    return declaration.title_en if english else declaration.title_fr


def _unit(declaration: Indicator | None, *, english: bool) -> str:
    if declaration is None:
        return ""
    return declaration.unit_en if english else declaration.unit


@allow(INDICATOR_READERS)
def indicator_values(request: HttpRequest) -> HttpResponse:
    """The published indicator values, filtered, paginated, exported as CSV or Excel."""
    form, values = _filtered(request)
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "xlsx"):
        return _download(_export_rows(values), EXPORT_COLUMNS, "indicateurs-cratb", fmt)
    page = Paginator(values, PAGE_SIZE).get_page(request.GET.get("page"))
    selected = form.cleaned_data.get("indicator") if form.is_bound and form.is_valid() else ""
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    english = (get_language() or "fr").startswith("en")
    names = {
        kind: _territory_names(
            kind, {str(v.dimensions[kind]) for v in page.object_list if kind in v.dimensions}
        )
        for kind in ("cpts", "ght")
    }
    rows = [
        {
            "value": v,
            "details": _details(v, names),
            "masked": _masked(v),
            "declaration": CATALOGUE.get(v.indicator),
            "title": _title(CATALOGUE.get(v.indicator), english=english) or v.indicator,
            "unit": _unit(CATALOGUE.get(v.indicator), english=english),
            "grouping": grouping_label(v.grouping),
            "departement": _departement_label(v.departement),
        }
        for v in page.object_list
    ]
    chart = None
    grouping = form.cleaned_data.get("grouping") if form.is_bound and form.is_valid() else ""
    if selected and grouping and grouping != "-" and "," not in grouping:
        chart = _chart(values, CATALOGUE[selected], grouping, english=english)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "chart": chart,
        "declaration": CATALOGUE.get(selected) if selected else None,
        "title": _title(CATALOGUE.get(selected), english=english) if selected else "",
        "query": query.urlencode(),
        "latest": Publication.objects.filter(status=Publication.Status.DONE).first(),
    }
    return render(request, "dashboards/indicator_values.html", context)


@allow(roles(*STAFF_ROLES))
def publication_list(request: HttpRequest) -> HttpResponse:
    """Publications of the catalogue, and the form to start one as a background job."""
    if request.method == "POST":
        form = PublishForm(request.POST)
        if form.is_valid():
            publication = create_publication(
                years=form.cleaned_data["years"],
                indicators=form.cleaned_data["indicators"],
                requested_by=_user(request),
            )
            publish_indicators.enqueue(publication.pk)
            messages.success(request, _("Publication demandée : elle s'exécute en arrière-plan."))
            return redirect("dashboards:publication-detail", pk=publication.pk)
    else:
        form = PublishForm()
    publications = Publication.objects.select_related("requested_by")[:50]
    return render(
        request,
        "dashboards/publication_list.html",
        {"form": form, "publications": publications},
    )


@allow(roles(*STAFF_ROLES))
def publication_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One publication: its progress while it runs (the page refreshes itself), then its
    counts, editions and warnings."""
    publication = get_object_or_404(Publication.objects.select_related("requested_by"), pk=pk)
    return render(request, "dashboards/publication_detail.html", {"publication": publication})


DDD_HEADER = (
    "cip13", "libellé", "ATC", "voie", "unités par boîte", "quantité par unité", "unité",
    "DDJ OMS", "unité DDJ", "DDJ par boîte", "statut", "motif", "boîtes délivrées",
    "lignes de délivrance",
)  # fmt: skip


@allow(roles(*STAFF_ROLES))
def ddd_report(request: HttpRequest) -> HttpResponse:
    """The DDD per box of every product, with the reason when it cannot be computed."""
    from cratb.engine.indicators.reports import ddd_report as build_report

    error = ""
    rows: list[dict[str, Any]] = []
    warehouse = Path(settings.CRATB_WAREHOUSE)
    try:
        with open_session(
            warehouse=warehouse, memory_limit=settings.CRATB_ENGINE.duckdb_memory_limit
        ) as session:
            rows = build_report(session).to_pylist()
    except EngineError as exc:
        error = without_paths(str(exc))
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "xlsx") and not error:
        keys = (
            "cip13", "label", "atc", "route", "units_per_box", "amount_per_unit", "amount_unit",
            "who_ddd", "who_unit", "ddd_per_box", "ddd_status_label", "ddd_reason",
            "dispensed_boxes", "dispensing_rows",
        )  # fmt: skip
        table = [[r[k] for k in keys] for r in rows]
        return _download(table, DDD_HEADER, "ddj-par-produit", fmt)
    problems = [r for r in rows if r["ddd_status"] in ("not_computable", "unknown_product")]
    return render(
        request,
        "dashboards/ddd_report.html",
        {"rows": rows, "problems": problems, "error": error},
    )


@allow(roles(*STAFF_ROLES))
def data_import_list(request: HttpRequest) -> HttpResponse:
    """Upload an input file; it is imported into the warehouse by a background job."""
    if request.method == "POST":
        form = DataImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data_import = DataImport.objects.create(
                kind=form.cleaned_data["kind"],
                file=upload,
                original_name=upload.name[:255],
                hash_ids=form.cleaned_data["hash_ids"],
                requested_by=_user(request),
            )
            import_data.enqueue(data_import.pk)
            messages.success(request, _("Fichier reçu : l'import s'exécute en arrière-plan."))
            return redirect("dashboards:import-detail", pk=data_import.pk)
    else:
        form = DataImportForm()
    imports = DataImport.objects.select_related("requested_by")[:50]
    return render(request, "dashboards/import_list.html", {"form": form, "imports": imports})


@allow(roles(*STAFF_ROLES))
def data_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One import: its stage while it runs (the page refreshes itself), then its counts and
    the reasons of its first rejected rows."""
    data_import = get_object_or_404(DataImport.objects.select_related("requested_by"), pk=pk)
    return render(request, "dashboards/import_detail.html", {"data_import": data_import})
