"""Pages of the resistance app: the cumulative antibiogram (staff, aggregates), the labs'
code table (coordination), the lab's API tokens (lab users)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from cratb.accounts.access import allow, roles
from cratb.accounts.models import Role, User
from cratb.engine.antibiogram import Antibiogram, Cell, cumulative_antibiogram
from cratb.engine.antibiogram.export import to_csv, to_pdf, to_xlsx
from cratb.engine.backends import open_session
from cratb.engine.errors import EngineError
from cratb.engine.sources import lab_codes as codes_table
from cratb.engine.tabular import FRENCH
from cratb.resistance.forms import (
    AntibiogramForm,
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
DOWNLOADS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "pdf": ("application/pdf", "pdf"),
}


def _warehouse() -> Path:
    return Path(settings.CRATB_WAREHOUSE)


def _shade(cell: Cell) -> str:
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
            pct = cell.pct_susceptible
            cells.append(
                {
                    "label": "" if math.isnan(pct) else f"{pct:.0f}",
                    "low": cell.low_count,
                    "css": _shade(cell),
                    "title": _("%(name)s : %(s)s S sur %(n)s testés")
                    % {"name": cell.name, "s": cell.susceptible, "n": cell.tested},
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
                    )
            except EngineError as exc:
                problem = without_paths(str(exc))
    wanted = request.GET.get("format")
    if ab is not None and wanted in DOWNLOADS:
        content_type, suffix = DOWNLOADS[wanted]
        body: str | bytes = (
            to_csv(ab, dialect=FRENCH)
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
