"""Django's configuration of the ``reports`` app."""

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "cratb.reports"
    verbose_name = "Rapports"
