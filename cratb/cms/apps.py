"""Django's configuration of the ``cms`` app: the public site's editable pages (Wagtail)."""

from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cratb.cms"
    verbose_name = "Pages du site public"
