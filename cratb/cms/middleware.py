"""Browser caching of the public pages for signed-out visitors (docs/site.md).

A page a signed-out visitor reads may be kept by their browser for
``CRATB_PUBLIC_PAGE_MAX_AGE`` seconds (``private``: never by a shared proxy). Never a page
that sets a cookie (a session, a message, a new CSRF cookie), nor one holding a CSRF token
(a form: the token would outlive a login), nor a page a view already gave its own rule,
nor a non-public view's: those keep Django's default (no header).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_cache_control


class PublicPageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if self.cacheable(request, response):
            patch_cache_control(response, private=True, max_age=settings.CRATB_PUBLIC_PAGE_MAX_AGE)
        return response

    @staticmethod
    def cacheable(request: HttpRequest, response: HttpResponseBase) -> bool:
        if settings.CRATB_PUBLIC_PAGE_MAX_AGE <= 0:
            return False
        if request.method not in {"GET", "HEAD"} or response.status_code != 200:
            return False
        if response.has_header("Cache-Control") or response.cookies:
            return False
        if request.META.get("CSRF_COOKIE_USED") or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
            return False
        user = getattr(request, "user", None)
        if user is None or user.is_authenticated:
            return False
        match = request.resolver_match
        access = getattr(match.func, "cratb_access", None) if match is not None else None
        return bool(access is not None and access.public)
