"""The surveillance app; at start-up it lends the project's cache to the charts."""

from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "cratb.dashboards"
    verbose_name = "Surveillance"

    def ready(self) -> None:
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
