"""Django's configuration of the ``accounts`` app."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cratb.accounts"
    verbose_name = "Comptes et rôles"
