from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cratb.accounts.access import WEB_ROLES, allow, roles
from cratb.accounts.models import User


@allow(roles(*WEB_ROLES))
def home(request: HttpRequest) -> HttpResponse:
    """« Tableau de bord »: who the user is for the platform, and the three missions."""
    user = request.user
    assert isinstance(user, User)  # guaranteed by @allow: only logged-in users get here
    context = {
        "team": user.team,
        "territories": list(user.territories.order_by("kind", "code")),
    }
    return render(request, "dashboards/home.html", context)
