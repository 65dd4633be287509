from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cratb.accounts.access import PUBLIC, allow
from cratb.accounts.navigation import landing_url_name


@allow(PUBLIC)
def home(request: HttpRequest) -> HttpResponse:
    """What a CRAtb does and how to ask it for advice; the way in for its users."""
    landing = landing_url_name(request.user) if request.user.is_authenticated else None
    return render(request, "public/home.html", {"landing_url_name": landing})
