"""URLs of the training pages."""

from django.urls import path

from cratb.training import views

app_name = "training"
urlpatterns = [
    path("", views.home, name="home"),
    path("agenda/", views.agenda, name="agenda"),
    path("agenda/<int:pk>/", views.session_public, name="session"),
    path("inscription/<uuid:token>/", views.registration_detail, name="registration"),
    path(
        "inscription/<uuid:token>/annuler/", views.registration_cancel, name="registration-cancel"
    ),
    path("inscription/<uuid:token>/attestation/", views.certificate, name="certificate"),
    path("plans/nouveau/", views.plan_create, name="plan-create"),
    path("plans/<int:year>/", views.plan_detail, name="plan"),
    path("plans/<int:year>/modifier/", views.plan_edit, name="plan-edit"),
    path("sessions/nouvelle/", views.session_create, name="session-create"),
    path("sessions/<int:pk>/", views.session_manage, name="session-manage"),
    path("sessions/<int:pk>/modifier/", views.session_edit, name="session-edit"),
    path("chiffres/", views.training_figures, name="figures"),
]
