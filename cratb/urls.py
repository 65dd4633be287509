"""The project's URLs: the lab API without a language prefix, every app under its French
path (English pages under ``/en/``), the site editor (Wagtail's admin, coordination only)
under ``/edition/``, the site's pages last, and the 500 handler that answers the API in
JSON."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls

from cratb.cms import views as cms_views
from cratb.cms.editors import guarded, public_view

urlpatterns: list[URLPattern | URLResolver] = [
    path("i18n/", include("django.conf.urls.i18n")),
    # The lab API: no language prefix, token authentication (cratb/resistance/api.py).
    path("api/", include("cratb.resistance.api_urls")),
    # The site editor: every view for the coordination and administrators only.
    path("edition/", include(guarded(wagtailadmin_urls.urlpatterns))),
    path("sitemap.xml", cms_views.sitemap, name="sitemap"),
]
urlpatterns += i18n_patterns(
    path("", include("cratb.public.urls")),
    path("comptes/", include("cratb.accounts.urls")),
    path("surveillance/", include("cratb.dashboards.urls")),
    path("conseil/", include("cratb.advice.urls")),
    path("reseau/", include("cratb.network.urls")),
    path("formation/", include("cratb.training.urls")),
    path("activite/", include("cratb.activity.urls")),
    path("audits/", include("cratb.audits.urls")),
    path("campagnes/", include("cratb.outreach.urls")),
    path("resistances/", include("cratb.resistance.urls")),
    path("recommandations/", include("cratb.guidelines.urls")),
    path("rapports/", include("cratb.reports.urls")),
    path("retours/", include("cratb.feedback.urls")),
    path("actualites/", include("cratb.letters.urls")),
    path("admin/", admin.site.urls),
    # The site's pages (cratb/cms), last: any address not taken above.
    path("", include(guarded(wagtail_urls.urlpatterns, public_view))),
    prefix_default_language=False,
)

handler500 = "cratb.resistance.api.server_error"
