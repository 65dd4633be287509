"""URLs of the guidelines pages."""

from django.urls import path

from cratb.guidelines import views

app_name = "guidelines"
urlpatterns = [
    path("", views.index, name="index"),
    path("documents/<int:pk>/", views.document_detail, name="document"),
    path("documents/<int:pk>/pdf/", views.document_file, name="document-file"),
    path("syndromes/<str:code>/", views.syndrome_page, name="syndrome"),
    path("gestion/", views.manage, name="manage"),
    path("gestion/documents/nouveau/", views.document_create, name="document-create"),
    path("gestion/documents/<int:pk>/modifier/", views.document_edit, name="document-edit"),
    path(
        "gestion/documents/<int:pk>/nouvelle-version/",
        views.document_new_version,
        name="document-new-version",
    ),
    path("gestion/parcours/nouveau/", views.pathway_create, name="pathway-create"),
    path("gestion/parcours/<int:pk>/modifier/", views.pathway_edit, name="pathway-edit"),
]
