from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cratb.accounts.access import allow, roles
from cratb.accounts.models import Role


@allow(roles(Role.COORDINATOR, Role.EMA_MEMBER, Role.AGENCY_VIEWER, Role.ADMIN, Role.REQUESTER))
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboards/home.html")
