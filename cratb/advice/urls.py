from django.urls import path

from cratb.advice import views

app_name = "advice"
urlpatterns = [
    path("", views.home, name="home"),
]
