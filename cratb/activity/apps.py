from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "cratb.activity"
    verbose_name = "Activité"
