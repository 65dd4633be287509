"""URLs of the accounts pages (log-in, log-out, password, account)."""

from django.urls import path

from cratb.accounts import second_factor, views

app_name = "accounts"
urlpatterns = [
    path("connexion/", views.login, name="login"),
    path("deconnexion/", views.logout, name="logout"),
    path("mon-compte/", views.account, name="account"),
    path("double-authentification/", second_factor.setup, name="otp-setup"),
    path("code/", second_factor.verify, name="otp-verify"),
    path("mot-de-passe/modifier/", views.password_change, name="password-change"),
    path("mot-de-passe/modifie/", views.password_change_done, name="password-change-done"),
    path("mot-de-passe/oubli/", views.password_reset, name="password-reset"),
    path("mot-de-passe/oubli/envoye/", views.password_reset_done, name="password-reset-done"),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password-reset-confirm",
    ),
    path(
        "mot-de-passe/nouveau/enregistre/",
        views.password_reset_complete,
        name="password-reset-complete",
    ),
]
