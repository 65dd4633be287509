from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cratb.accounts"
    verbose_name = "Comptes et rôles"
