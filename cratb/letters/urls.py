"""URLs of the news, the subscription and the letters."""

from django.urls import path

from cratb.letters import views

app_name = "letters"
urlpatterns = [
    path("", views.news_list, name="news-list"),
    path("<int:pk>/", views.news_detail, name="news"),
    path("rss/", views.feed, name="feed"),
    path("lettres/inscription/", views.subscribe, name="subscribe"),
    path("lettres/confirmer/<str:token>/", views.confirm, name="confirm"),
    path("lettres/desinscription/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("gestion/", views.manage, name="manage"),
    path("gestion/actualites/nouvelle/", views.news_create, name="news-create"),
    path("gestion/actualites/<int:pk>/modifier/", views.news_edit, name="news-edit"),
    path("gestion/lettres/nouvelle/", views.letter_create, name="letter-create"),
    path("gestion/lettres/<int:pk>/", views.letter_detail, name="letter"),
    path("gestion/lettres/<int:pk>/modifier/", views.letter_edit, name="letter-edit"),
    path("gestion/lettres/<int:pk>/envoyer/", views.letter_send, name="letter-send"),
]
