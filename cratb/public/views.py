from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cratb.accounts.access import PUBLIC, allow


@allow(PUBLIC)
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "public/home.html")
