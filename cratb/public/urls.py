"""URLs of the public pages."""

from django.urls import path

from cratb.public import views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
]
