from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cratb.accounts.access import allow, roles
from cratb.accounts.models import Role

#: The directory names people: it is for the network itself. The agency and the health
#: insurance see coverage as figures in « Activité ».
NETWORK_ROLES = (Role.COORDINATOR, Role.EMA_MEMBER, Role.REQUESTER, Role.ADMIN)


@allow(roles(*NETWORK_ROLES))
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "network/home.html")
