from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cratb.accounts.access import allow, roles
from cratb.accounts.models import Role

#: Advice requests hold clinical context: only those who ask, those who answer and the
#: CRAtb see them. The agency and the health insurance get counts through « Activité ».
ADVICE_ROLES = (Role.COORDINATOR, Role.EMA_MEMBER, Role.REQUESTER, Role.ADMIN)


@allow(roles(*ADVICE_ROLES))
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "advice/home.html")
