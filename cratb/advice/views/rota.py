"""The on-call rota: calendar, shifts, CSV import."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cratb.accounts.access import allow, roles
from cratb.advice import forms, rota
from cratb.advice.models import (
    OnCallShift,
)
from cratb.advice.views.common import (
    RESPONDERS,
    ROTA_EDITORS,
    _user,
)
from cratb.advice.workdays import PARIS

# --- on-call rota -------------------------------------------------------------------------


def _month(request: HttpRequest) -> date:
    try:
        year, month = (int(x) for x in request.GET.get("mois", "").split("-"))
        return date(year, month, 1)
    except ValueError:
        today = timezone.localdate()
        return today.replace(day=1)


@allow(roles(*RESPONDERS))
def rota_calendar(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    editor = user.role in ROTA_EDITORS
    first = _month(request)
    next_month = (first + timedelta(days=32)).replace(day=1)
    start = datetime.combine(first, datetime.min.time(), tzinfo=PARIS)
    end = datetime.combine(next_month, datetime.min.time(), tzinfo=PARIS)
    form = forms.ShiftForm()
    if request.method == "POST":
        if not editor:
            raise PermissionDenied
        form = forms.ShiftForm(request.POST)
        if form.is_valid():
            try:
                rota.add_shift(
                    departement=form.cleaned_data["departement"],
                    responder=form.cleaned_data["responder"],
                    team=form.cleaned_data["team"],
                    starts_at=form.cleaned_data["starts_at"],
                    ends_at=form.cleaned_data["ends_at"],
                    by=user,
                )
            except ValueError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Astreinte ajoutée."))
                return redirect(f"{reverse('advice:rota')}?mois={first:%Y-%m}")
    departements = forms.region_departements()
    shifts = list(
        OnCallShift.objects.between(start, end)
        .filter(departement__in=departements)
        .select_related("departement", "responder", "team")
        .order_by("starts_at")
    )
    days = []
    day = first
    while day < next_month:
        day_start = datetime.combine(day, datetime.min.time(), tzinfo=PARIS)
        day_end = day_start + timedelta(days=1)
        cells = []
        for departement in departements:
            cells.append(
                [
                    s
                    for s in shifts
                    if s.departement_id == departement.pk
                    and s.starts_at < day_end
                    and s.ends_at > day_start
                ]
            )
        days.append({"day": day, "cells": cells, "weekend": day.weekday() >= 5})
        day += timedelta(days=1)
    uncovered = rota.gaps(shifts, departements=departements, start=start, end=end)
    previous = (first - timedelta(days=1)).replace(day=1)
    return render(
        request,
        "advice/rota.html",
        {
            "month": first,
            "previous": previous,
            "next": next_month,
            "departements": departements,
            "days": days,
            "gaps": uncovered,
            "form": form,
            "editor": editor,
            "import_form": forms.RotaImportForm(),
        },
        status=400 if form.is_bound else 200,
    )


@require_POST
@allow(roles(*ROTA_EDITORS))
def rota_delete(request: HttpRequest, pk: int) -> HttpResponseBase:
    shift = get_object_or_404(OnCallShift, pk=pk)
    month = timezone.localtime(shift.starts_at, PARIS).strftime("%Y-%m")
    shift.delete()
    messages.success(request, _("Astreinte supprimée."))
    return redirect(f"{reverse('advice:rota')}?mois={month}")


@allow(roles(*ROTA_EDITORS))
def rota_import(request: HttpRequest) -> HttpResponse:
    report = None
    refused = ""
    form = forms.RotaImportForm()
    status = 200
    if request.method == "POST":
        form = forms.RotaImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > 2 * 1024 * 1024:
                refused = _("Fichier refusé : plus de 2 Mo, ce n'est pas un planning.")
            else:
                try:
                    report = rota.import_rota(upload.read(), by=_user(request))
                except rota.RefusedRotaFile as exc:
                    refused = _("Fichier refusé, rien n'a été importé : %(reason)s") % {
                        "reason": exc
                    }
        if refused or not form.is_valid():
            status = 400
    return render(
        request,
        "advice/rota_import.html",
        {"form": form, "report": report, "refused": refused},
        status=status,
    )
