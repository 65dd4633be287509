"""URLs of the audit pages."""

from django.urls import path

from cratb.audits import views

app_name = "audits"
urlpatterns = [
    path("", views.home, name="home"),
    path("grilles/", views.grid_list, name="grids"),
    path("grilles/nouvelle/", views.grid_create, name="grid-create"),
    path("grilles/<slug:code>/", views.grid_detail, name="grid"),
    path("grilles/<slug:code>/nouvelle-version/", views.grid_edit, name="grid-edit"),
    path("campagnes/nouvelle/", views.campaign_create, name="campaign-create"),
    path("campagnes/<int:pk>/", views.campaign_detail, name="campaign"),
    path("campagnes/<int:pk>/cloturer/", views.campaign_close, name="campaign-close"),
    path("campagnes/<int:pk>/saisie/", views.case_create, name="case-create"),
    path("campagnes/<int:pk>/resultats/", views.results_export, name="export"),
    path(
        "campagnes/<int:pk>/participants/<int:participant_pk>/",
        views.participant_detail,
        name="participant",
    ),
    path(
        "campagnes/<int:pk>/participants/<int:participant_pk>/fiche.pdf",
        views.participant_sheet,
        name="sheet",
    ),
]
