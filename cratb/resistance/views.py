"""Pages of the resistance app: the cumulative antibiogram and the comparison by setting
(staff, aggregates), the lab results contrary to expected resistant phenotypes (each lab
its own, the coordination all), the labs' code table (coordination), the lab's API
tokens (lab users)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cratb.accounts.access import allow, roles
from cratb.accounts.models import Role, User
from cratb.charts import Bar, Reference, ranked_bars, small_multiples
from cratb.charts.numbers import format_number
from cratb.engine import reference
from cratb.engine.antibiogram import (
    SETTINGS,
    Antibiogram,
    Cell,
    cumulative_antibiogram,
)
from cratb.engine.antibiogram import contrary as contrary_engine
from cratb.engine.antibiogram.comparison import Comparison, setting_comparison
from cratb.engine.antibiogram.export import to_csv, to_pdf, to_xlsx
from cratb.engine.backends import open_session
from cratb.engine.errors import EngineError
from cratb.engine.reference import expected
from cratb.engine.sources import lab_codes as codes_table
from cratb.engine.tabular import FRENCH, csv_bytes
from cratb.resistance.forms import (
    SETTING_CHOICES,
    SPECIMEN_CHOICES,
    AntibiogramForm,
    ComparisonForm,
    ContraryForm,
    LabCodeForm,
    LabCodeUploadForm,
    TokenForm,
    default_period,
)
from cratb.resistance.models import ApiToken, LabAccount
from cratb.resistance.services import save_lab_codes
from cratb.security import without_paths

#: Who reads aggregated resistance figures: the CRAtb, EMA teams, the agency.
ANTIBIOGRAM_ROLES = (Role.COORDINATOR, Role.EMA_MEMBER, Role.AGENCY_VIEWER, Role.ADMIN)
#: Who edits the labs' code table: the CRAtb's coordination and the administrator.
LAB_CODES_ROLES = (Role.COORDINATOR, Role.ADMIN)
#: Who reads the lab results contrary to expected resistant phenotypes: each lab its
#: own, the coordination and the administrator every lab's.
CONTRARY_ROLES = (Role.LAB, Role.COORDINATOR, Role.ADMIN)
#: Lines of contrary results listed on the page (all of them in the CSV).
CONTRARY_SHOWN = 200
DOWNLOADS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "pdf": ("application/pdf", "pdf"),
}


def _csv_labels() -> dict[str, str] | None:
    """French column names on the French pages (issue #14: downloads that open right in a
    French Excel); the contract's names on the English ones."""
    from cratb.engine.antibiogram.export import CSV_COLUMNS_FR

    return None if (get_language() or "fr").startswith("en") else CSV_COLUMNS_FR


def _warehouse() -> Path:
    return Path(settings.CRATB_WAREHOUSE)


def _shade(cell: Cell) -> str:
    if cell.intrinsic:
        return "ab-intrinsic"
    if cell.low_count:
        return "ab-low"
    pct = cell.pct_susceptible
    return "ab-high" if pct >= 90 else "ab-mid" if pct >= 70 else "ab-poor"


def _table(ab: Antibiogram) -> dict[str, Any]:
    names = {c.antibiotic: c.name for c in ab.cells}
    rows = []
    for organism in ab.organisms:
        cells: list[dict[str, object] | None] = []
        for code in ab.antibiotics:
            cell = ab.cell(organism, code)
            if cell is None:
                cells.append(None)
                continue
            if cell.intrinsic:
                cells.append(
                    {
                        "label": _("RN"),
                        "css": _shade(cell),
                        "intrinsic": True,
                        "title": _(
                            "%(name)s : résistance naturelle attendue (EUCAST) ; résultats"
                            " transmis : %(s)s S, %(i)s I, %(r)s R"
                        )
                        % {
                            "name": cell.name,
                            "s": cell.susceptible,
                            "i": cell.intermediate,
                            "r": cell.resistant,
                        },
                    }
                )
                continue
            pct = cell.pct_susceptible
            low, high = cell.ci
            language = get_language() or "fr"
            cells.append(
                {
                    "label": "" if math.isnan(pct) else f"{pct:.0f}",
                    "interval": ""
                    if math.isnan(low)
                    else f"{format_number(low, decimals=0, language=language)}–"
                    f"{format_number(high, decimals=0, language=language)}",
                    "low": cell.low_count,
                    "css": _shade(cell),
                    "title": _(
                        "%(name)s : %(si)s sensibles (dont %(i)s I) sur %(n)s testés ;"
                        " IC 95 %% %(low)s–%(high)s %%"
                    )
                    % {
                        "name": cell.name,
                        "si": cell.susceptible + cell.intermediate,
                        "i": cell.intermediate,
                        "n": cell.tested,
                        "low": format_number(low, decimals=1, language=language),
                        "high": format_number(high, decimals=1, language=language),
                    },
                }
            )
        rows.append({"organism": organism, "n": ab.first_isolates[organism], "cells": cells})
    return {"codes": [(c, names[c]) for c in ab.antibiotics], "rows": rows}


@allow(roles(*ANTIBIOGRAM_ROLES))
def antibiogram(request: HttpRequest) -> HttpResponse:
    """« Antibiogramme cumulé »: % S per organism × antibiotic for a setting and a period,
    first isolates only, with CSV, Excel and PDF downloads."""
    start, end = default_period()
    data = request.GET if "setting" in request.GET else {
        "setting": "community",
        "date_from": start.isoformat(),
        "date_to": end.isoformat(),
    }  # fmt: skip
    form = AntibiogramForm(data)
    ab: Antibiogram | None = None
    problem = ""
    if form.is_valid():
        warehouse = _warehouse()
        if not warehouse.exists():
            problem = _("Aucune donnée : l'entrepôt n'existe pas encore (importer des isolats).")
        else:
            try:
                with open_session(
                    warehouse=warehouse,
                    memory_limit=settings.CRATB_ENGINE.duckdb_memory_limit,
                ) as session:
                    ab = cumulative_antibiogram(
                        session,
                        setting=form.cleaned_data["setting"],
                        date_from=form.cleaned_data["date_from"],
                        date_to=form.cleaned_data["date_to"],
                        specimen=form.cleaned_data["specimen"] or None,
                        first_isolate=form.cleaned_data["first_isolate"] or "episode",
                    )
            except EngineError as exc:
                problem = without_paths(str(exc))
    wanted = request.GET.get("format")
    if ab is not None and wanted in DOWNLOADS:
        content_type, suffix = DOWNLOADS[wanted]
        body: str | bytes = (
            to_csv(ab, dialect=FRENCH, labels=_csv_labels())
            if wanted == "csv"
            else to_xlsx(ab)
            if wanted == "xlsx"
            else to_pdf(ab)
        )
        response = HttpResponse(body, content_type=content_type)
        name = f"antibiogramme-{ab.setting}-{ab.date_from}-{ab.date_to}.{suffix}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    query = request.GET.copy() if "setting" in request.GET else None
    if query is not None:
        query.pop("format", None)
    context = {
        "form": form,
        "ab": ab,
        "table": _table(ab) if ab is not None and ab.organisms else None,
        "problem": problem,
        "query": (query.urlencode() if query is not None else ""),
        "may_edit_codes": getattr(request.user, "role", None) in LAB_CODES_ROLES,
        "may_see_contrary": getattr(request.user, "role", None) in CONTRARY_ROLES,
        "expected_source": expected.SOURCE,
    }
    return render(request, "resistance/antibiogram.html", context)


@allow(roles(*LAB_CODES_ROLES))
def lab_codes(request: HttpRequest) -> HttpResponse:
    """« Codes des laboratoires »: the versioned correspondence table of the labs' own
    antibiotic codes to WHONET codes, used by every import of isolates."""
    user = request.user
    assert isinstance(user, User)
    warehouse = _warehouse()
    try:
        current = codes_table.read_current(warehouse)
        history = codes_table.history(warehouse)[:20]
    except EngineError as exc:
        messages.error(request, without_paths(str(exc)))
        current, history = codes_table.LabCodes(), []
    add_form = LabCodeForm(prefix="add")
    upload_form = LabCodeUploadForm(prefix="upload")
    if request.method == "POST":
        action = request.POST.get("action")
        rows = list(current.rows)
        note = ""
        new_rows: list[codes_table.LabCode] | list[dict[str, str]] | None = None
        if action == "add":
            add_form = LabCodeForm(request.POST, prefix="add")
            if add_form.is_valid():
                d = add_form.cleaned_data
                key = (d["lab_id"].strip(), d["lab_code"].strip().upper())
                new_rows = [r for r in rows if (r.lab_id, r.lab_code) != key]
                new_rows.append(codes_table.LabCode(key[0], key[1], d["whonet"]))
                note = d["note"] or _("ajout de %(code)s (%(lab)s)") % {
                    "code": key[1],
                    "lab": key[0],
                }
        elif action == "delete":
            key = (request.POST.get("lab_id", ""), request.POST.get("lab_code", ""))
            new_rows = [r for r in rows if (r.lab_id, r.lab_code) != key]
            note = _("suppression de %(code)s (%(lab)s)") % {"code": key[1], "lab": key[0]}
        elif action == "upload":
            upload_form = LabCodeUploadForm(request.POST, request.FILES, prefix="upload")
            if upload_form.is_valid():
                raw = upload_form.cleaned_data["file"].read()
                try:
                    text = raw.decode("utf-8-sig")
                except UnicodeDecodeError:
                    text = raw.decode("cp1252")
                try:
                    new_rows = codes_table.parse_csv(text)
                except codes_table.LabCodeError as exc:
                    upload_form.add_error("file", str(exc))
                note = upload_form.cleaned_data["note"] or _("import d'un fichier")
        if new_rows is not None:
            try:
                saved = save_lab_codes(new_rows, user=user, note=note)
            except EngineError as exc:
                messages.error(request, without_paths(str(exc)))
            else:
                messages.success(
                    request, _("Table enregistrée : version %(v)s.") % {"v": saved.version}
                )
                return redirect("resistance:lab-codes")
    names = dict(LabCodeForm.base_fields["whonet"].choices)  # type: ignore[attr-defined]
    context = {
        "current": current,
        "rows": [(r, names.get(r.whonet, r.whonet)) for r in current.rows],
        "history": history,
        "add_form": add_form,
        "upload_form": upload_form,
    }
    return render(request, "resistance/lab_codes.html", context)


@allow(roles(Role.LAB))
def tokens(request: HttpRequest) -> HttpResponse | HttpResponseRedirect:
    """« Accès API »: the lab user's tokens for the targeted-reporting API."""
    user = request.user
    assert isinstance(user, User)
    account = LabAccount.objects.filter(user=user).first()
    form = TokenForm()
    new_key = ""
    status = 200
    if request.method == "POST" and request.POST.get("action") == "revoke":
        token_id = request.POST.get("token", "")
        # A database key has at most 18 digits; anything else is a malformed request.
        if not (token_id.isascii() and token_id.isdigit() and len(token_id) <= 18):
            messages.error(request, _("Jeton à révoquer mal désigné : rien n'a été révoqué."))
            status = 400
        else:
            token = get_object_or_404(ApiToken, user=user, pk=int(token_id))
            token.revoke(by=user)
            messages.success(request, _("Jeton %(prefix)s… révoqué.") % {"prefix": token.prefix})
            return redirect("resistance:tokens")
    elif request.method == "POST":
        form = TokenForm(request.POST)
        if account is None:
            messages.error(
                request, _("Votre compte n'est rattaché à aucun laboratoire : aucun jeton créé.")
            )
        elif form.is_valid():
            _token, new_key = ApiToken.issue(user=user, label=form.cleaned_data["label"])
            form = TokenForm()
    context = {
        "account": account,
        "tokens": list(ApiToken.objects.filter(user=user)),
        "form": form,
        "new_key": new_key,
        "api_url": request.build_absolute_uri("/api/v1/ast/target"),
    }
    return render(request, "resistance/tokens.html", context, status=status)


def _period_data(request: HttpRequest, **defaults: str) -> dict[str, str] | Any:
    """The GET parameters when the form was sent, else the default period (last year)."""
    if "date_from" in request.GET:
        return request.GET
    start, end = default_period()
    return {"date_from": start.isoformat(), "date_to": end.isoformat(), **defaults}


def _csv_response(body: bytes, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("format", None)
    return query.urlencode()


def _pct(value: float | None) -> str:
    return format_number(value, decimals=1, language=get_language() or "fr")


#: The agents drawn by setting (the table has every key agent): amoxicillin,
#: co-amoxiclav, cefotaxime (3rd-gen. cephalosporins), ciprofloxacin (fluoroquinolones),
#: co-trimoxazole, nitrofurantoin.
CHART_AGENTS = ("AMX", "AMC", "CTX", "CIP", "SXT", "NIT")

COMPARISON_COLUMNS = [
    "indicator", "organism", "antibiotic", "setting", "specimen", "date_from", "date_to",
    "numerator", "denominator", "value", "ci_low", "ci_high", "low_count", "method",
    "national_value", "national_year", "national_label", "national_source",
]  # fmt: skip


def _comparison_rows(c: Comparison) -> list[dict[str, Any]]:
    """One row per indicator × agent × setting, with the national reference."""
    out = []
    lines: list[tuple[str | None, dict[str, Any]]] = [(None, c.esbl)]
    lines += [(code, c.resistance[code]) for code in c.agents]
    for code, per_setting in lines:
        for setting in SETTINGS:
            v = per_setting.get(setting)
            ref = c.reference(code, setting)
            out.append(
                {
                    "indicator": "resistance.esbl_share" if code is None else
                    "resistance.pct_resistant",
                    "antibiotic": code or "",
                    "setting": setting,
                    "value": v,
                    "reference": ref,
                }
            )  # fmt: skip
    return out


def _comparison_csv(c: Comparison) -> bytes:
    rows = []
    for r in _comparison_rows(c):
        v, ref = r["value"], r["reference"]
        rows.append(
            [
                r["indicator"], c.organism, r["antibiotic"], r["setting"], c.specimen or "",
                c.date_from, c.date_to,
                v.numerator if v else None, v.denominator if v else None,
                None if v is None or v.value is None else round(v.value, 1),
                None if v is None or v.ci_low is None else round(v.ci_low, 1),
                None if v is None or v.ci_high is None else round(v.ci_high, 1),
                v.low_count if v else None, v.method if v else "",
                ref.value if ref else None, ref.year if ref else None,
                ref.label_fr if ref else "", ref.source if ref else "",
            ]
        )  # fmt: skip
    return csv_bytes(COMPARISON_COLUMNS, rows, dialect=FRENCH)


def _agent_names() -> dict[str, str]:
    """WHONET code → the agent's name in the page's language."""
    english = (get_language() or "fr").startswith("en")
    return {
        a.whonet: (a.name_en if english else a.name_fr)
        for a in reference.antibacterials().values()
        if a.whonet
    }


def _comparison_charts(c: Comparison) -> dict[str, Any]:
    language = get_language() or "fr"
    labels = {
        "community": _("Ville"),
        "nursing_home": _("EHPAD et médico-social"),
        "hospital": _("Établissements de santé"),
    }
    charts: dict[str, Any] = {}
    esbl = [
        Bar(labels[s], v.value, v.ci_low, v.ci_high)
        for s in SETTINGS
        if (v := c.esbl.get(s)) is not None and v.value is not None
    ]
    ref = c.reference(None, "community")
    if esbl:
        chart = ranked_bars(
            esbl,
            title=_("E. coli producteurs de BLSE par lieu de vie"),
            unit="%",
            decimals=1,
            language=language,
            reference=Reference(ref.value, _("France %(year)s") % {"year": ref.year})
            if ref
            else None,
            sort=False,
            subject=_("lieux de vie"),
        )
        charts["esbl"] = {"html": mark_safe(chart.html()), "key": chart.key}  # noqa: S308
    # One small chart per agent, the three settings in the same order in each.
    short = {"community": _("Ville"), "nursing_home": _("EHPAD"), "hospital": _("Hôpital")}
    names = _agent_names()
    panels = []
    for code in [a for a in CHART_AGENTS if a in c.agents]:
        bars = [
            Bar(str(short[s]), v.value, v.ci_low, v.ci_high)
            for s in SETTINGS
            if (v := c.resistance[code].get(s)) is not None and v.value is not None
        ]
        if bars:
            panels.append((names.get(code, code), bars))
    if panels:
        chart = small_multiples(
            panels,
            title=_("E. coli : %% de résistance par lieu de vie"),
            unit="%",
            decimals=1,
            language=language,
        )
        charts["resistance"] = {"html": mark_safe(chart.html()), "key": chart.key}  # noqa: S308
    return charts


@allow(roles(*ANTIBIOGRAM_ROLES))
def by_setting(request: HttpRequest) -> HttpResponse:
    """« Résistance par lieu de vie »: ESBL E. coli and the resistance of E. coli in the
    community, nursing homes and hospitals, side by side, with the national figures of
    the reference tables; chart, table and CSV of the same values."""
    form = ComparisonForm(_period_data(request, specimen="urine"))
    comparison: Comparison | None = None
    problem = ""
    if form.is_valid():
        warehouse = _warehouse()
        if not warehouse.exists():
            problem = _("Aucune donnée : l'entrepôt n'existe pas encore (importer des isolats).")
        else:
            try:
                with open_session(
                    warehouse=warehouse, memory_limit=settings.CRATB_ENGINE.duckdb_memory_limit
                ) as session:
                    comparison = setting_comparison(
                        session,
                        date_from=form.cleaned_data["date_from"],
                        date_to=form.cleaned_data["date_to"],
                        specimen=form.cleaned_data["specimen"] or None,
                    )
            except EngineError as exc:
                problem = without_paths(str(exc))
    if comparison is not None and request.GET.get("format") == "csv":
        return _csv_response(
            _comparison_csv(comparison),
            f"resistance-par-lieu-de-vie-{comparison.date_from}-{comparison.date_to}.csv",
        )
    table = None
    settings_named = dict(SETTING_CHOICES)
    if comparison is not None and (comparison.esbl or comparison.resistance):
        names = _agent_names()
        table = []
        for r in _comparison_rows(comparison):
            v, ref = r["value"], r["reference"]
            if v is None and r["antibiotic"]:
                continue  # an agent a setting's labs do not test
            table.append(
                {
                    "what": _("BLSE (E. coli)") if not r["antibiotic"] else
                    names.get(r["antibiotic"], r["antibiotic"]),
                    "setting": settings_named[r["setting"]],
                    "value": _pct(v.value) if v else "",
                    "interval": f"{_pct(v.ci_low)}–{_pct(v.ci_high)}"
                    if v and v.ci_low is not None else "",
                    "n": f"{v.numerator} / {v.denominator}" if v else "",
                    "low": bool(v and v.low_count),
                    "method": v.method if v else "",
                    "reference": f"{_pct(ref.value)} ({ref.label(get_language())})" if ref
                    else "",
                    "above": bool(v and ref and v.ci_low is not None and v.ci_low > ref.value),
                }
            )  # fmt: skip
    rows = table or []
    for i, row in enumerate(rows):
        row["first"] = i == 0 or rows[i - 1]["what"] != row["what"]
    context = {
        "form": form,
        "comparison": comparison,
        "specimen_label": dict(SPECIMEN_CHOICES).get(comparison.specimen or "", "")
        if comparison and comparison.specimen
        else "",
        "table": table,
        "charts": _comparison_charts(comparison) if comparison is not None and table else {},
        "problem": problem,
        "query": _query(request) if "date_from" in request.GET else "",
        "may_see_contrary": getattr(request.user, "role", None) in CONTRARY_ROLES,
    }
    return render(request, "resistance/by_setting.html", context)


@allow(roles(*CONTRARY_ROLES))
def contrary(request: HttpRequest) -> HttpResponse:
    """« Résultats à vérifier »: results S or I that a lab sent for an expected resistant
    phenotype (EUCAST). A lab sees its own only; the coordination every lab's."""
    user = request.user
    assert isinstance(user, User)
    lab_only: str | None = None
    problem = ""
    if user.role == Role.LAB:
        account = LabAccount.objects.filter(user=user).first()
        if account is None:
            problem = _("Votre compte n'est rattaché à aucun laboratoire.")
        else:
            lab_only = account.lab_id
    form = ContraryForm(_period_data(request))
    report: contrary_engine.ContraryReport | None = None
    if not problem and form.is_valid():
        warehouse = _warehouse()
        if not warehouse.exists():
            problem = _("Aucune donnée : l'entrepôt n'existe pas encore (importer des isolats).")
        else:
            try:
                with open_session(
                    warehouse=warehouse, memory_limit=settings.CRATB_ENGINE.duckdb_memory_limit
                ) as session:
                    report = contrary_engine.contrary_results(
                        session,
                        date_from=form.cleaned_data["date_from"],
                        date_to=form.cleaned_data["date_to"],
                        lab_id=lab_only or form.cleaned_data["lab_id"].strip() or None,
                    )
            except EngineError as exc:
                problem = without_paths(str(exc))
    if report is not None and request.GET.get("format") == "csv":
        return _csv_response(
            contrary_engine.to_csv(report, dialect=FRENCH),
            f"resultats-a-verifier-{report.lab_id or 'tous'}-{report.date_from}"
            f"-{report.date_to}.csv",
        )
    names = _agent_names()
    context = {
        "form": form,
        "lab_only": lab_only,
        "report": report,
        "summary": [
            (lab, organism, code, names.get(code, code), s, i, total)
            for lab, organism, code, s, i, total in (report.summary if report else [])
        ],
        "shown": [
            (r, dict(SETTING_CHOICES).get(r.setting, r.setting))
            for r in (report.results[:CONTRARY_SHOWN] if report else [])
        ],
        "more": max(0, len(report.results) - CONTRARY_SHOWN) if report else 0,
        "problem": problem,
        "query": _query(request) if "date_from" in request.GET else "",
        "expected_source": expected.SOURCE,
    }
    return render(request, "resistance/contrary.html", context)
