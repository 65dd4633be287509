"""URLs of the advice desk's pages."""

from django.urls import path

from cratb.advice import views

app_name = "advice"
urlpatterns = [
    path("", views.home, name="home"),
    path("demander/", views.request_create, name="request-create"),
    path("demande-envoyee/", views.request_sent, name="request-sent"),
    path("confirmer/<str:token>/", views.confirm, name="confirm"),
    path("suivi/<str:token>/", views.follow, name="follow"),
    path("suivi/<str:token>/pieces/<int:pk>/", views.follow_attachment, name="follow-attachment"),
    path("mes-demandes/", views.my_requests, name="my-requests"),
    path("boite/", views.inbox, name="inbox"),
    path("telephone/", views.phone_create, name="phone-create"),
    path("demandes/<int:pk>/", views.request_detail, name="request-detail"),
    path("demandes/<int:pk>/prendre/", views.request_take, name="request-take"),
    path("demandes/<int:pk>/reattribuer/", views.request_reassign, name="request-reassign"),
    path("demandes/<int:pk>/question/", views.request_ask, name="request-ask"),
    path("demandes/<int:pk>/avis/", views.request_answer, name="request-answer"),
    path("demandes/<int:pk>/codage/", views.request_coding, name="request-coding"),
    path("demandes/<int:pk>/clore/", views.request_close, name="request-close"),
    path("demandes/<int:pk>/rouvrir/", views.request_reopen, name="request-reopen"),
    path("demandes/<int:pk>/pieces/", views.request_attach, name="request-attach"),
    path("demandes/<int:pk>/supprimer-passage/", views.request_redact, name="request-redact"),
    path("demandes/<int:pk>/demandeur/", views.request_requester, name="request-requester"),
    path("pieces/<int:pk>/", views.attachment_download, name="attachment"),
    path("astreintes/", views.rota_calendar, name="rota"),
    path("astreintes/import/", views.rota_import, name="rota-import"),
    path("astreintes/<int:pk>/supprimer/", views.rota_delete, name="rota-delete"),
    path("chiffres/", views.figures_page, name="figures"),
    path("chiffres/export.csv", views.figures_export, {"fmt": "csv"}, name="figures-csv"),
    path("chiffres/export.xlsx", views.figures_export, {"fmt": "xlsx"}, name="figures-xlsx"),
]
