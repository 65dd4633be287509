"""Middleware of the accounts app (docs/security.md).

- :class:`RequestSizeMiddleware` answers 413 to a request whose declared body passes
  ``CRATB_REQUEST_MAX_MB``, before anything reads it (the CSRF check would parse it).
- :class:`IdleSessionMiddleware` ends a session ``CRATB_SESSION_IDLE_HOURS`` after the last
  page viewed: the session's expiry is pushed back at most every few minutes (not on
  every request, which would cost a database write per page).
- :class:`SecondFactorMiddleware`: a user whose account has a confirmed TOTP device is sent
  to the code page after the password, and cannot open any other page before; with
  ``CRATB_OTP_REQUIRED``, coordination and admin accounts without a device are sent to the
  enrolment page. The state lives in the session (set at login), so pages cost no query.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from cratb.accounts.models import Role

#: Session key: "pending" (code not yet given), "verified", or absent (no device).
SESSION_KEY = "cratb.second-factor"
#: Session key: when the session's expiry was last pushed back (seconds since the epoch).
SEEN_KEY = "cratb.seen"
#: How often, at most, the expiry of an active session is pushed back (seconds).
TOUCH_EVERY = 300
#: Roles that may (or, with CRATB_OTP_REQUIRED, must) use a second factor.
SECOND_FACTOR_ROLES = (Role.COORDINATOR, Role.ADMIN)


def has_confirmed_device(user: object) -> bool:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


@receiver(user_logged_in, dispatch_uid="cratb.second-factor")
def _on_login(sender: object, request: HttpRequest | None, user: object, **kwargs: object) -> None:
    if request is None or not hasattr(request, "session"):
        return
    request.session[SEEN_KEY] = int(time.time())
    if has_confirmed_device(user):
        request.session[SESSION_KEY] = "pending"
    else:
        request.session.pop(SESSION_KEY, None)


class IdleSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        session = getattr(request, "session", None)
        if session is not None and session.session_key:
            now = int(time.time())
            seen = session.get(SEEN_KEY)
            if not isinstance(seen, int) or now - seen >= TOUCH_EVERY:
                # A modified session is saved with a fresh expiry (SESSION_COOKIE_AGE).
                session[SEEN_KEY] = now
        return self.get_response(request)


class RequestSizeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit_mb = float(settings.CRATB_REQUEST_MAX_MB)
        if length > limit_mb * 1024 * 1024:
            message = _("Envoi trop volumineux (%(size)s Mo) : la limite est de %(limit)s Mo.") % {
                "size": f"{length / 1024 / 1024:.0f}",
                "limit": f"{limit_mb:g}",
            }
            if request.path.startswith("/api/"):
                from django.http import JsonResponse

                return JsonResponse({"detail": message}, status=413)
            return render(request, "413.html", {"message": message}, status=413)
        return self.get_response(request)


def _open_paths() -> tuple[str, ...]:
    """Pages a user between password and code may still open."""
    return (
        reverse("accounts:otp-verify"),
        reverse("accounts:otp-setup"),
        reverse("accounts:logout"),
        "/" + settings.STATIC_URL.lstrip("/"),
        "/i18n/",
        "/api/",
    )


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        state = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        if state == "pending" and not request.path.startswith(_open_paths()):
            return self._to("accounts:otp-verify", request)
        if (
            settings.CRATB_OTP_REQUIRED
            and state is None
            and request.user.is_authenticated
            and getattr(request.user, "role", None) in SECOND_FACTOR_ROLES
            and not request.path.startswith(_open_paths())
        ):
            return self._to("accounts:otp-setup", request)
        return self.get_response(request)

    @staticmethod
    def _to(name: str, request: HttpRequest) -> HttpResponse:
        from django.utils.http import urlencode

        target = reverse(name)
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        response: HttpResponse = redirect(target)
        return response
