from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.translation import get_language
from wagtail.models import Site
from wagtail.views import serve

from cratb.accounts.access import PUBLIC, allow
from cratb.accounts.navigation import landing_url_name


@allow(PUBLIC)
def home(request: HttpRequest) -> HttpResponseBase:
    """The site's home page as the coordination writes it (cratb/cms, in French); this
    fixed page, translated, in another language or when none is published."""
    site = Site.find_for_request(request)
    if get_language() == settings.LANGUAGE_CODE and site is not None and site.root_page.live:
        response: HttpResponseBase = serve(request, "")
        return response
    return fallback_home(request)


def fallback_home(request: HttpRequest) -> HttpResponse:
    """What a CRAtb does and how to ask it for advice; the way in for its users."""
    landing = landing_url_name(request.user) if request.user.is_authenticated else None
    return render(request, "public/home.html", {"landing_url_name": landing})
