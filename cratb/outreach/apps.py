"""Django's configuration of the ``outreach`` app."""

from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "cratb.outreach"
    verbose_name = "Campagnes auprès des gros prescripteurs"
