"""URLs of the resistance pages."""

from django.urls import path

from cratb.resistance import views

app_name = "resistance"
urlpatterns = [
    path("", views.antibiogram, name="antibiogram"),
    path("codes-laboratoires/", views.lab_codes, name="lab-codes"),
    path("acces-api/", views.tokens, name="tokens"),
]
