"""URLs of the feedback reports."""

from django.urls import path

from cratb.feedback import views

app_name = "feedback"
urlpatterns = [
    path("", views.index, name="index"),
    path("envois/<int:pk>/", views.batch_detail, name="batch"),
    path(
        "etablissements/<str:finess>/<int:year>.pdf", views.establishment_pdf, name="establishment"
    ),
    path("cpts/<str:code>/<int:year>.pdf", views.cpts_pdf, name="cpts"),
    path(
        "prescripteurs/<str:prescriber_id>/<int:year>.pdf",
        views.prescriber_pdf,
        name="prescriber",
    ),
    path("mon-rapport/", views.mine, name="mine"),
    path("lien/<str:token>/", views.link, name="link"),
]
