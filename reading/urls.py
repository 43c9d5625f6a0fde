from django.urls import path

from reading import views

app_name = "reading"
urlpatterns = [
    path("", views.item_list, name="list"),
    path("mine/", views.shelf, name="mine"),
    path("new/", views.item_new, name="new"),
    path("import/", views.import_bibtex, name="import"),
    path("export.bib", views.export_bib, name="export_bib"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("teams/<slug:slug>/topics/", views.home_topics, name="home_topics"),
    path("<int:pk>/", views.item_detail, name="detail"),
    path("<int:pk>/edit/", views.item_edit, name="edit"),
    path("<int:pk>/curate/", views.item_curate, name="curate"),
    path("<int:pk>/reject/", views.item_reject, name="reject"),
    path("<int:pk>/move/", views.item_move, name="move"),
    path("<int:pk>/endorse/", views.item_endorse, name="endorse"),
    path("<int:pk>/progress/", views.item_progress, name="progress"),
]
