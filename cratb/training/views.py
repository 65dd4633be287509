from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cratb.accounts.access import allow, roles
from cratb.accounts.models import Role

#: Sessions and registrations concern those who train and are trained; the number of
#: people trained reaches the agency through « Activité ».
TRAINING_ROLES = (Role.COORDINATOR, Role.EMA_MEMBER, Role.REQUESTER, Role.ADMIN)


@allow(roles(*TRAINING_ROLES))
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "training/home.html")
