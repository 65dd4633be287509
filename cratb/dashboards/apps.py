"""Django's configuration of the ``dashboards`` app."""

from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "cratb.dashboards"
    verbose_name = "Surveillance"
