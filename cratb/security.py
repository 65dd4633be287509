"""Web-side safeguards shared by the apps (docs/security.md): server paths kept out of
the messages people read, the visitor's address behind a proxy, per-address rate limits
(django-ratelimit on a shared cache) answered 429 with ``Retry-After``, and size limits
of uploaded files."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

# --- server paths ----------------------------------------------------------------------------

#: An absolute path of two parts or more (``/srv/cratb/var/media/imports/x.csv``), not
#: the path of a web address (``https://host/a/b``).
_PATH = re.compile(r"(?<![\w:/.~-])/(?:[^\s/'\"«»()<>,;]+/)+[^\s/'\"«»()<>,;]*")


def without_paths(text: str, *, names: dict[Path | str, str] | None = None) -> str:
    """``text`` with every server path replaced by the file's own name (or by the name
    ``names`` gives a path, e.g. the name a file had on the user's computer)."""
    for path, name in (names or {}).items():
        text = text.replace(str(path), name)

    def last_part(match: re.Match[str]) -> str:
        found = match.group(0).rstrip("/")
        return found.rsplit("/", 1)[-1] or "…"

    return _PATH.sub(last_part, text)


# --- the visitor's address -------------------------------------------------------------------


def client_address(request: HttpRequest) -> str:
    """The visitor's IP address: ``REMOTE_ADDR``, or behind ``CRATB_PROXY_COUNT`` reverse
    proxies that each append to ``X-Forwarded-For``, the address the first proxy saw (the
    n-th from the right: what a visitor writes there himself is ignored)."""
    proxies = int(getattr(settings, "CRATB_PROXY_COUNT", 0))
    remote = str(request.META.get("REMOTE_ADDR", "") or "")
    if proxies <= 0:
        return remote
    chain = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    chain = [a for a in chain if a]
    return chain[-proxies] if len(chain) >= proxies else remote


def axes_client_address(request: HttpRequest) -> str:
    """django-axes' ``AXES_CLIENT_IP_CALLABLE``: the same address as the rate limits."""
    return client_address(request)


# --- rate limits -----------------------------------------------------------------------------


def _address_key(_group: str, request: HttpRequest) -> str:
    return client_address(request)


def _too_many(request: HttpRequest, *, seconds: int, api: bool) -> HttpResponseBase:
    minutes = max(1, math.ceil(seconds / 60))
    message = _("Trop de demandes depuis votre adresse : réessayez dans %(minutes)s minute(s).") % {
        "minutes": minutes
    }
    response: HttpResponseBase
    if api:
        response = JsonResponse({"detail": message, "retry_after": seconds}, status=429)
    else:
        response = render(request, "429.html", {"message": message}, status=429)
    response["Retry-After"] = str(seconds)
    return response


def rate_limited(
    setting: str, *, methods: tuple[str, ...] = ("POST",), api: bool = False
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Limit a view per visitor address to the rate the setting ``setting`` names
    (``"10/h"``, ``"5/15m"``: django-ratelimit's notation), counted in the
    ``CRATB_LIMITS_CACHE`` cache shared by every server process. Past it the view answers
    429 with ``Retry-After``: a French page, or JSON for the API."""

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        group = f"cratb.{setting}"

        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            rate = str(getattr(settings, setting, ""))
            if rate and request.method in methods and settings.RATELIMIT_ENABLE:
                from django_ratelimit.core import get_usage

                usage = get_usage(request, group=group, key=_address_key, rate=rate, increment=True)
                if usage is not None and usage["should_limit"]:
                    return _too_many(request, seconds=int(usage["time_left"]) or 1, api=api)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# --- uploads ---------------------------------------------------------------------------------


class UploadTooLarge(ValueError):
    """A file over its size limit; the message is French and says the limit."""


def check_size(upload: UploadedFile, *, limit_mb: float) -> None:
    """Refuse ``upload`` when it weighs more than ``limit_mb`` megabytes."""
    size = upload.size or 0
    if size > limit_mb * 1024 * 1024:
        raise UploadTooLarge(
            _("« %(name)s » pèse %(size)s Mo : la limite est de %(limit)s Mo.")
            % {
                "name": upload.name or _("fichier"),
                "size": f"{size / 1024 / 1024:.1f}".replace(".", ","),
                "limit": f"{limit_mb:g}".replace(".", ","),
            }
        )


class LimitedFileField(forms.FileField):
    """A file field refused past the megabytes of the setting ``setting``, with a French
    message saying the limit."""

    def __init__(self, setting: str, **kwargs: Any) -> None:
        self.setting = setting
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        cleaned = super().clean(data, initial)
        if isinstance(cleaned, UploadedFile):
            try:
                check_size(cleaned, limit_mb=float(getattr(settings, self.setting)))
            except UploadTooLarge as exc:
                raise forms.ValidationError(str(exc)) from None
        return cleaned
