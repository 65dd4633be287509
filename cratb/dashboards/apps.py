"""The surveillance app: imports, publication of the indicators, dashboards; at start-up
it points the reference tables at the region's editions and lends the project's cache to
the charts."""

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

        from cratb.dashboards import national_figures
        from cratb.dashboards.sections import register_national_figure

        # France's value on the indicator pages' headline, from the reference tables.
        register_national_figure(national_figures.france, stamp=national_figures.stamp)

        from cratb.dashboards import national_section
        from cratb.dashboards.sections import register_section

        # Every region and the country, from Open Medic, on the community indicators' pages.
        register_section(national_section.regions_of_france, order=70, stamp=national_section.stamp)

        from django.core.cache import caches
        from django.core.cache.backends.dummy import DummyCache
        from django.core.cache.backends.locmem import LocMemCache

        from cratb.charts import use_shared_cache

        # A cache shared by the workers (database, files, Redis…) spares each of them the
        # renderings another one made; a per-process one would only copy the charts' own
        # in-process cache.
        cache = caches["default"]
        if not isinstance(cache, LocMemCache | DummyCache):
            use_shared_cache(cache)
