"""The coordination's redaction page: a passage removed from every text of a request."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import ngettext

from cratb.accounts.access import allow, roles
from cratb.advice import forms
from cratb.advice.models import AdviceRequest, StateError
from cratb.advice.models.redaction import REDACTORS
from cratb.advice.views.common import _user


@allow(roles(*REDACTORS))
def request_redact(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Show the request's texts and a form; a valid POST overwrites the passage."""
    advice = get_object_or_404(
        AdviceRequest.objects.visible_to(_user(request)).select_related("departement"), pk=pk
    )
    form = forms.RedactionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                event = advice.redact(
                    passage=form.cleaned_data["passage"],
                    reason=form.cleaned_data["reason"],
                    by=_user(request),
                )
            except StateError as exc:
                form.add_error("passage", str(exc))
            else:
                count = sum(event.data["places"].values())
                messages.success(
                    request,
                    ngettext(
                        "Passage supprimé de %(count)s texte de la demande.",
                        "Passage supprimé de %(count)s textes de la demande.",
                        count,
                    )
                    % {"count": count},
                )
                return redirect("advice:request-detail", pk=pk)
        status = 400
    return _page(request, advice, form, status)


def _page(
    request: HttpRequest, advice: AdviceRequest, form: forms.RedactionForm, status: int
) -> HttpResponse:
    return render(
        request,
        "advice/request_redact.html",
        {"advice": advice, "form": form, "staff": True},
        status=status,
    )
