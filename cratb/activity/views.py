from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cratb.accounts.access import allow, roles
from cratb.accounts.models import Role

#: Activity reports are written by the EMA teams and the CRAtb and read, as regional
#: aggregates, by the agency. Requesters have no report to write or read.
ACTIVITY_ROLES = (Role.COORDINATOR, Role.EMA_MEMBER, Role.AGENCY_VIEWER, Role.ADMIN)


@allow(roles(*ACTIVITY_ROLES))
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "activity/home.html")
