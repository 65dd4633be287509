"""URLs of the surveillance pages."""

from django.urls import path

from cratb.dashboards import national, views

app_name = "dashboards"
urlpatterns = [
    path("", views.home, name="home"),
    path("indicateurs/", views.indicator_hub, name="indicator-list"),
    path("indicateurs/valeurs/", views.indicator_values, name="indicator-values"),
    path("indicateurs/national/", national.national_view, name="national"),
    path("indicateurs/<str:code>/", views.indicator_detail, name="indicator-detail"),
    path("publications/", views.publication_list, name="publication-list"),
    path("publications/<int:pk>/", views.publication_detail, name="publication-detail"),
    path("ddj-par-produit/", views.ddd_report, name="ddd-report"),
    path("imports/", views.data_import_list, name="import-list"),
    path("imports/<int:pk>/", views.data_import_detail, name="import-detail"),
]
