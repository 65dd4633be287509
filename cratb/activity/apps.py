"""Django's configuration of the ``activity`` app."""

from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "cratb.activity"
    verbose_name = "Activité"
