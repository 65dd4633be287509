"""The lab API's addresses, under ``/api/``; any other path there is a JSON 404."""

from django.urls import path, re_path

from cratb.resistance import api

app_name = "resistance-api"
urlpatterns = [
    path("v1/ast/target", api.target, name="ast-target"),
    re_path(r"^(?P<path>.*)$", api.not_found, name="not-found"),
]
