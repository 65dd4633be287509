"""The second factor (TOTP, django-otp's TOTP plugin): enrolment with a QR code drawn on
the server (segno, as inline SVG: no image service, no script), the code asked after the
password, and its removal. Offered to coordination and admin accounts; with
``CRATB_OTP_REQUIRED`` they must enrol."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_totp.models import TOTPDevice

from cratb.accounts.access import ALL_ROLES, allow, roles
from cratb.accounts.middleware import SECOND_FACTOR_ROLES, SESSION_KEY
from cratb.accounts.models import User
from cratb.accounts.navigation import landing_url_name
from cratb.security import rate_limited


class CodeForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code à 6 chiffres de l'application d'authentification"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*"}
        ),
    )

    def clean_token(self) -> str:
        token: str = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError(_("Le code est fait de 6 chiffres."))
        return token


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(landing_url_name(request.user))


def _qr_svg(url: str) -> str:
    import segno

    return str(segno.make(url, error="m").svg_inline(scale=4, title=_("Code QR")))


@allow(roles(*SECOND_FACTOR_ROLES))
def setup(request: HttpRequest) -> HttpResponseBase:
    """« Double authentification »: enrol an authenticator app, or remove it."""
    user = _user(request)
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if request.method == "POST" and request.POST.get("action") == "remove" and confirmed:
        if settings.CRATB_OTP_REQUIRED:
            messages.error(
                request, _("La double authentification est obligatoire pour votre rôle.")
            )
        else:
            TOTPDevice.objects.filter(user=user).delete()
            request.session.pop(SESSION_KEY, None)
            messages.success(request, _("Double authentification désactivée."))
        return redirect("accounts:otp-setup")
    if confirmed is not None:
        return render(request, "accounts/otp_setup.html", {"confirmed": confirmed})
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="application", confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            request.session[SESSION_KEY] = "verified"
            messages.success(
                request,
                _("Double authentification activée : le code sera demandé à chaque connexion."),
            )
            return redirect(_next(request))
        form.add_error("token", _("Code incorrect ou expiré : saisissez le code affiché."))
    secret = device.bin_key
    import base64

    context: dict[str, Any] = {
        "form": form,
        "qr": mark_safe(_qr_svg(device.config_url)),  # noqa: S308 - segno's own SVG
        "secret": base64.b32encode(secret).decode("ascii"),
        "required": settings.CRATB_OTP_REQUIRED,
        "next": request.GET.get("next", ""),
    }
    return render(request, "accounts/otp_setup.html", context)


@rate_limited("CRATB_RATE_OTP")
@allow(roles(*ALL_ROLES))
def verify(request: HttpRequest) -> HttpResponseBase:
    """The code asked after the password, for an account with a second factor."""
    if request.session.get(SESSION_KEY) != "pending":
        if request.method == "POST":
            return redirect(_next(request))
        return render(request, "accounts/otp_verify.html", {"done": True, "next": _next(request)})
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in TOTPDevice.objects.filter(user=_user(request), confirmed=True):
            if device.verify_token(form.cleaned_data["token"]):
                request.session.cycle_key()
                request.session[SESSION_KEY] = "verified"
                return redirect(_next(request))
        form.add_error("token", _("Code incorrect ou expiré : saisissez le code affiché."))
    response: HttpResponse = render(
        request, "accounts/otp_verify.html", {"form": form, "next": request.GET.get("next", "")}
    )
    return response
