from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuidelinesConfig(AppConfig):
    name = "cratb.guidelines"
    verbose_name = _("Recommandations et parcours")
