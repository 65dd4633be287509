"""The sitemap view; the pages themselves are served by Wagtail (cratb/urls.py)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap

from cratb.accounts.access import PUBLIC, allow
from cratb.cms.sitemaps import SITEMAPS


@allow(PUBLIC)
def sitemap(request: HttpRequest) -> HttpResponse:
    response: HttpResponse = wagtail_sitemap(request, sitemaps=SITEMAPS)
    return response
