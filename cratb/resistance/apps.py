"""Django's configuration of the ``resistance`` app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResistanceConfig(AppConfig):
    name = "cratb.resistance"
    verbose_name = _("Résistances et antibiogramme ciblé")
