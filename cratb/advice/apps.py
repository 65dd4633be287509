from django.apps import AppConfig


class AdviceConfig(AppConfig):
    name = "cratb.advice"
    verbose_name = "Conseil"
