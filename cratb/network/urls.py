"""URLs of the directory's pages."""

from django.urls import path

from cratb.network import views

app_name = "network"
urlpatterns = [
    path("", views.home, name="home"),
    path("qui-contacter/", views.public_directory, name="public-directory"),
    path("organisations/", views.organization_list, name="organization-list"),
    path("organisations/nouvelle/", views.organization_create, name="organization-create"),
    path("organisations/<int:pk>/", views.organization_detail, name="organization-detail"),
    path("organisations/<int:pk>/modifier/", views.organization_edit, name="organization-edit"),
    path("personnes/", views.practitioner_list, name="practitioner-list"),
    path("personnes/nouvelle/", views.practitioner_create, name="practitioner-create"),
    path("personnes/<int:pk>/", views.practitioner_detail, name="practitioner-detail"),
    path("personnes/<int:pk>/modifier/", views.practitioner_edit, name="practitioner-edit"),
    path("roles/nouveau/", views.role_create, name="role-create"),
    path("roles/<int:pk>/modifier/", views.role_edit, name="role-edit"),
    path("conventions/nouvelle/", views.agreement_create, name="agreement-create"),
    path("conventions/<int:pk>/modifier/", views.agreement_edit, name="agreement-edit"),
    path("territoires/", views.territory_list, name="territory-list"),
    path("territoires/nouveau/", views.territory_create, name="territory-create"),
    path("territoires/<int:pk>/modifier/", views.territory_edit, name="territory-edit"),
    path("carte/", views.coverage_map, name="map"),
    path("lacunes/", views.gap_analysis, name="gaps"),
    path("lacunes/export/", views.gap_export, name="gaps-export"),
    path("import/", views.bulk_import, name="import"),
    path("export/", views.directory_export, name="export"),
]
