"""Surveillance pages: the dashboard home, the published indicator values (filters, chart,
exports), the publications and the file imports started from the web (jobs followed on
their pages), the DDD per product page."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cratb.accounts.access import STAFF_ROLES, WEB_ROLES, allow, roles
from cratb.accounts.models import Role, User
from cratb.dashboards.charts import MAX_BARS, Bar, bar_chart
from cratb.dashboards.editions import editions_in_words
from cratb.dashboards.forms import DataImportForm, PublishForm, ValueFilterForm, grouping_label
from cratb.dashboards.labels import establishment_names, territory_names
from cratb.dashboards.models import DataImport, IndicatorValue, Publication
from cratb.dashboards.services import create_publication, warehouse_imports
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


FILTER_NAMES = {"indicator": "l'indicateur", "year": "l'année", "grouping": "le regroupement",
                "departement": "le territoire"}  # fmt: skip


def _filtered(request: HttpRequest) -> tuple[ValueFilterForm, Any, list[str]]:
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
    problems: list[str] = []
    if form.is_bound and not form.is_valid():
        # A filter that does not fit (a year without values, a grouping of another
        # indicator…) is said in one sentence and left out; the other filters apply.
        wrong = [name for name in form.errors if name in FILTER_NAMES]
        for name in wrong:
            problems.append(
                _(
                    "« %(value)s » ne convient pas pour %(filter)s avec ces filtres : "
                    "ce filtre est ignoré."
                )
                % {"value": request.GET.get(name, "")[:40], "filter": _(FILTER_NAMES[name])}
            )
        kept = request.GET.copy()
        for name in wrong:
            kept.pop(name, None)
        form = ValueFilterForm(
            kept,
            years=years,
            groupings=groupings,
            departements=[(c, _departement_label(c)) for c in codes],
        )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["indicator"]:
            values = values.filter(indicator=data["indicator"])
        if data["year"]:
            values = values.filter(year=data["year"])
        if data["grouping"]:
            values = values.filter(grouping="" if data["grouping"] == "-" else data["grouping"])
        if data["departement"]:
            values = values.filter(departement=data["departement"])
    return form, values.select_related("publication"), problems


def _download(
    rows: Iterable[Sequence[Any]], header: tuple[str, ...], name: str, fmt: str
) -> HttpResponse:
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

    names = (
        establishment_names(str(v.dimensions.get("finess", "")) for v in items)
        if grouping == "finess"
        else _territory_names(grouping, {str(v.dimensions.get(grouping, "")) for v in items})
        if grouping in ("cpts", "ght")
        else {}
    )

    def label(v: IndicatorValue) -> str:
        if grouping == "departement":
            return _departement_label(v.departement)
        if grouping in ("month", "year", "region"):
            return str(getattr(v, grouping))
        value = str(v.dimensions.get(grouping, ""))
        return names.get(value, value)

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
    form, values, problems = _filtered(request)
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "xlsx"):
        return _values_export(values, fmt)
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
        "problems": problems,
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
    return render(
        request,
        "dashboards/publication_detail.html",
        {
            "publication": publication,
            "warnings": [web_warning(w) for w in publication.warnings],
            "editions": editions_in_words(publication.editions or {}),
        },
    )


#: The engine's warnings end with the command a command-line user runs to see the details;
#: on the web the same details are on the « DDJ par produit » page.
DDD_HINT = re.compile(r"\s*:\s*voir « cratb ddd report »\s*$")


def web_warning(text: str) -> dict[str, Any]:
    """A publication warning for a web user: the command-line hint becomes a link."""
    stripped = DDD_HINT.sub("", str(text))
    return {"text": stripped, "ddd_report": stripped != str(text)}


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
    stored, stored_error = warehouse_imports(settings.CRATB_WAREHOUSE)
    return render(
        request,
        "dashboards/import_list.html",
        {"form": form, "imports": imports, "stored": stored, "stored_error": stored_error},
    )


@allow(roles(*STAFF_ROLES))
def data_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One import: its stage while it runs (the page refreshes itself), then its counts and
    the reasons of its first rejected rows."""
    data_import = get_object_or_404(DataImport.objects.select_related("requested_by"), pk=pk)
    return render(request, "dashboards/import_detail.html", {"data_import": data_import})


# --- the indicators hub and one page per indicator -----------------------------------------

#: Who reads prescribers' rows (the funnel of prescribers): the coordination only.
INDIVIDUAL_READERS = (Role.COORDINATOR, Role.ADMIN)
PAGE_CACHE_SECONDS = 24 * 3600


def _publication_stamp() -> str:
    """Changes whenever a publication finishes (or is deleted): the pages' cache key."""
    from django.db.models import Count, Max

    done = Publication.objects.filter(status=Publication.Status.DONE).aggregate(
        last=Max("pk"), count=Count("pk"), finished=Max("finished_at")
    )
    return f"{done['last']}-{done['count']}-{done['finished']}"


def _scope(user: User) -> str:
    """What decides which rows a user reads: the role and the territories (the codes of
    the user's territories and of the départements under them)."""
    if user.role == Role.ADMIN:
        return "admin"
    from cratb.network.models import Territory

    mine = Membership.of(user).territories.all()
    codes = sorted(
        Territory.objects.filter(Q(pk__in=mine) | Q(parent__in=mine)).values_list("code", flat=True)
    )
    return f"{user.role}:{','.join(codes)}"


def _cache_key(*parts: Any) -> str:
    import hashlib

    text = "|".join(str(p) for p in parts)
    return "cratb-indicator:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


VALUE_FIELDS = (
    "indicator", "grouping", "year", "month", "departement", "region", "dimensions",
    "numerator", "denominator", "value", "ci_low", "ci_high", "extra",
)  # fmt: skip


def _language() -> str:
    return "en" if (get_language() or "fr").startswith("en") else "fr"


def _hub_cards(user: User, language: str) -> list[dict[str, Any]]:
    from cratb.charts.numbers import format_number

    regional = (
        IndicatorValue.objects.current()
        .visible_to(user)
        .filter(grouping__in=("", "year"), departement="")
        .values("indicator", "year", "value")
    )
    by_indicator: dict[str, dict[int, float | None]] = {}
    for row in regional:
        if row["year"] is not None:
            by_indicator.setdefault(row["indicator"], {})[row["year"]] = row["value"]
    published = set(
        IndicatorValue.objects.current().visible_to(user).values_list("indicator", flat=True)
    )
    cards = []
    for declaration in CATALOGUE.values():
        if declaration.id not in published:
            continue
        years = by_indicator.get(declaration.id, {})
        latest = max(years) if years else None
        previous = max((y for y in years if latest is not None and y < latest), default=None)
        value = years.get(latest) if latest is not None else None
        before = years.get(previous) if previous is not None else None
        trend, trend_text, good = "", "", None
        if value is not None and before is not None:
            now_text = format_number(value, decimals=1, language="en")
            before_text = format_number(before, decimals=1, language="en")
            if now_text == before_text:
                trend, trend_text = "flat", _("stable depuis %(year)s") % {"year": previous}
            elif value > before:
                trend, trend_text = "up", _("en hausse depuis %(year)s") % {"year": previous}
            else:
                trend, trend_text = "down", _("en baisse depuis %(year)s") % {"year": previous}
            if trend != "flat" and declaration.lower_is_better is not None:
                good = (trend == "down") == declaration.lower_is_better
        cards.append(
            {
                "id": declaration.id,
                "title": _title(declaration, english=language == "en"),
                "unit": _unit(declaration, english=language == "en"),
                "year": latest,
                "value": format_number(value, decimals=1, language=language)
                if value is not None
                else "",
                "previous": format_number(before, decimals=1, language=language)
                if before is not None
                else "",
                "trend": trend,
                "trend_text": trend_text,
                "trend_good": good,
            }
        )
    return cards


@allow(INDICATOR_READERS)
def indicator_hub(request: HttpRequest) -> HttpResponse:
    """The published indicators, one card each (latest regional value and its trend), each
    leading to its page."""
    from django.core.cache import caches

    cache = caches["pages"]

    user = _user(request)
    language = _language()
    key = _cache_key("hub", _publication_stamp(), _scope(user), language)
    cards = cache.get(key)
    if cards is None:
        cards = _hub_cards(user, language)
        cache.set(key, cards, PAGE_CACHE_SECONDS)
    context = {
        "cards": cards,
        "latest": Publication.objects.filter(status=Publication.Status.DONE).first(),
    }
    return render(request, "dashboards/indicator_hub.html", context)


def _page_request(request: HttpRequest, declaration: Indicator) -> Any:
    from cratb.dashboards.indicator_page import PageRequest, series_columns

    return PageRequest(
        year=request.GET.get("annee", "")[:20],
        level=request.GET.get("niveau", "")[:40],
        series={c: request.GET.get(c, "")[:80] for c in series_columns(declaration)},
    )


EXPORT_FIELDS = (*VALUE_FIELDS, "publication_id", "period_start", "period_end")


def _export(rows: Any, fmt: str, name: str) -> HttpResponse:
    """Rows (dicts of value fields) as a download, as the pages show them."""
    from cratb.dashboards.exports import Exporter, export_header

    language = _language()
    published = {
        p.pk: p.finished_at for p in Publication.objects.filter(status=Publication.Status.DONE)
    }
    exporter = Exporter(language, fmt, published)
    table = (exporter.row(CATALOGUE.get(r["indicator"]), r) for r in rows)
    return _download(table, export_header(language), name, fmt)


def _values_export(values: Any, fmt: str) -> HttpResponse:
    return _export(
        values.values(*EXPORT_FIELDS).iterator(chunk_size=2000), fmt, "indicateurs-cratb"
    )


@allow(INDICATOR_READERS)
def indicator_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One indicator: headline figure, map, trend, ranking, funnel, settings; its values
    as CSV or Excel (``?format=csv``)."""
    from django.conf import settings as django_settings
    from django.core.cache import caches

    cache = caches["pages"]
    from django.http import Http404
    from django.template.loader import render_to_string

    from cratb.dashboards.indicator_page import build_page
    from cratb.dashboards.sections import providers_stamp
    from cratb.network.warehouse import cpts_centroids, ght_centroids

    declaration = CATALOGUE.get(code)
    if declaration is None:
        raise Http404(_("Indicateur inconnu."))
    user = _user(request)
    language = _language()
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "xlsx"):
        visible = IndicatorValue.objects.current().visible_to(user).filter(indicator=code)
        name = "indicateur-" + declaration.id.replace(".", "-")
        return _export(visible.values(*EXPORT_FIELDS), fmt, name)
    page_request = _page_request(request, declaration)
    key = _cache_key(
        "page", code, _publication_stamp(), providers_stamp(), _scope(user), language,
        page_request.year, page_request.level, sorted(page_request.series.items()),
    )  # fmt: skip
    # The page's content (everything below the title) is kept until the next publication:
    # what it shows depends only on the published values, the user's scope, the language
    # and the filters, which make the key.
    cached = cache.get(key)
    if cached is None:
        from django.http import QueryDict

        visible = IndicatorValue.objects.current().visible_to(user).filter(indicator=code)
        rows = list(visible.values(*VALUE_FIELDS))
        page = build_page(
            declaration,
            rows,
            page_request,
            language=language,
            region=django_settings.CRATB_REGION,
            may_read_individuals=user.role in INDIVIDUAL_READERS,
            unit_names={
                **establishment_names(
                    str(r["dimensions"]["finess"]) for r in rows if r["dimensions"].get("finess")
                ),
                **territory_names(
                    str(r["dimensions"][c])
                    for r in rows
                    for c in ("cpts", "ght")
                    if r["dimensions"].get(c)
                ),
            },
            unit_places={
                **(cpts_centroids() if any(r["dimensions"].get("cpts") for r in rows) else {}),
                **(ght_centroids() if any(r["dimensions"].get("ght") for r in rows) else {}),
            },
        )
        shown = QueryDict(mutable=True)
        if page.year is not None:
            shown["annee"] = str(page.year)
        if page.level:
            shown["niveau"] = page.level
        for column, _label, _options, chosen in page.series_choices:
            shown[column] = chosen
        body = render_to_string(
            "dashboards/indicator_body.html",
            {"page": page, "declaration": declaration, "query": shown.urlencode()},
        )
        cached = {"body": body, "title": page.title}
        cache.set(key, cached, PAGE_CACHE_SECONDS)
    context = {
        "title": cached["title"],
        "body": mark_safe(cached["body"]),  # noqa: S308 - rendered by our template above
    }
    return render(request, "dashboards/indicator_detail.html", context)
