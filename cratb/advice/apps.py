"""Django's configuration of the ``advice`` app."""

from django.apps import AppConfig


class AdviceConfig(AppConfig):
    name = "cratb.advice"
    verbose_name = "Conseil"

    def ready(self) -> None:
        from cratb.advice import stored_figures

        stored_figures.connect()
