"""URLs of the annual activity report."""

from django.urls import path

from cratb.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("<int:year>/", views.report_detail, name="detail"),
    path("<int:year>/valider/", views.report_validate, name="validate"),
    path("<int:year>/sections/<slug:key>/", views.section_save, name="section-save"),
    path("<int:year>/sections/<slug:key>/versions/", views.section_history, name="section-history"),
    path("<int:year>/rapport.<str:fmt>", views.report_download, name="download"),
]
