"""URLs of the activity pages (EMA yearly plans and reports)."""

from django.urls import path

from cratb.activity import views

app_name = "activity"
urlpatterns = [
    path("", views.home, name="home"),
]
