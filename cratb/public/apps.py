"""Django's configuration of the ``public`` app."""

from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "cratb.public"
    verbose_name = "Pages publiques"
