"""Django's configuration of the ``network`` app."""

from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "cratb.network"
    verbose_name = "Réseau"
