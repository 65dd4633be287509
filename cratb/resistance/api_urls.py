from django.urls import path

from cratb.resistance import api

app_name = "resistance-api"
urlpatterns = [
    path("ast/target", api.target, name="ast-target"),
]
