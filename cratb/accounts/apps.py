"""Django's configuration of the ``accounts`` app."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cratb.accounts"
    verbose_name = "Comptes et rôles"

    def ready(self) -> None:
        # The login signal that starts the second-factor step (cratb/accounts/middleware.py).
        from cratb.accounts import middleware  # noqa: F401
