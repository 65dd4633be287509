"""URLs of the activity pages (campaigns, EMA plans and reports, syntheses, network log)."""

from django.urls import path

from cratb.activity import views

app_name = "activity"
urlpatterns = [
    path("", views.home, name="home"),
    path("campagnes/nouvelle/", views.campaign_create, name="campaign-create"),
    path("campagnes/<int:pk>/", views.campaign_detail, name="campaign"),
    path("formulaires/<int:pk>/", views.submission_detail, name="submission"),
    path("formulaires/<int:pk>/objectifs/", views.objective_add, name="objective-add"),
    path(
        "formulaires/<int:pk>/objectifs/<int:objective_pk>/",
        views.objective_edit,
        name="objective-edit",
    ),
    path(
        "formulaires/<int:pk>/objectifs/<int:objective_pk>/supprimer/",
        views.objective_delete,
        name="objective-delete",
    ),
    path("formulaires/<int:pk>/pieces-jointes/", views.attachment_add, name="attachment-add"),
    path(
        "formulaires/<int:pk>/pieces-jointes/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment",
    ),
    path("formulaires/<int:pk>/<str:action>/", views.submission_action, name="action"),
    path("synthese/", views.synthesis, name="synthesis"),
    path("actions-reseau/", views.network_actions, name="network-actions"),
    path("actions-reseau/synthese/", views.network_actions_summary, name="network-summary"),
]
