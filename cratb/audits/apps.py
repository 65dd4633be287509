"""Django's configuration of the ``audits`` app."""

from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "cratb.audits"
    verbose_name = "Audits de pratiques"
