"""URLs of the resistance pages."""

from django.urls import path

from cratb.resistance import views

app_name = "resistance"
urlpatterns = [
    path("", views.antibiogram, name="antibiogram"),
    path("par-lieu-de-vie/", views.by_setting, name="by-setting"),
    path("resultats-a-verifier/", views.contrary, name="contrary"),
    path("codes-laboratoires/", views.lab_codes, name="lab-codes"),
    path("acces-api/", views.tokens, name="tokens"),
]
