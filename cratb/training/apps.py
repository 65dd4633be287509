"""Django's configuration of the ``training`` app."""

from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "cratb.training"
    verbose_name = "Formation"
