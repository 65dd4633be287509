"""The surveillance app: imports, publication of the indicators, dashboards."""

from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "cratb.dashboards"
    verbose_name = "Surveillance"

    def ready(self) -> None:
        # The reference tables are shared by the whole process: the web's engine calls
        # search the region's own editions as the command line does (CRATB_ENGINE).
        from django.conf import settings

        from cratb.engine import reference

        reference.use_local_dir(settings.CRATB_ENGINE.reference_dir)
