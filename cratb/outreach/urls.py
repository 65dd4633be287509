"""URLs of the big-prescriber campaign pages."""

from django.urls import path

from cratb.outreach import views

app_name = "outreach"
urlpatterns = [
    path("", views.home, name="home"),
    path("nouvelle/", views.campaign_create, name="campaign-create"),
    path("<int:pk>/", views.campaign_detail, name="campaign"),
    path("<int:pk>/cibles/", views.campaign_export, name="export"),
    path("<int:pk>/visite/", views.visit_edit, name="visit"),
    path("<int:pk>/mesurer/", views.campaign_measure, name="measure"),
    path("rendu-cible/programmes/", views.programme_list, name="programmes"),
    path("rendu-cible/programmes/<int:pk>/", views.programme_detail, name="programme"),
    path("rendu-cible/laboratoire/", views.lab_adoption, name="lab-adoption"),
]
