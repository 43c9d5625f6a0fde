from django.urls import path

from logs import views

app_name = "logs"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("logs/", views.feed, name="feed"),
    path("logs/new/", views.entry_new, name="new"),
    path("logs/preview/", views.entry_preview, name="preview"),
    path("logs/topics/", views.entry_topics, name="topics"),
    path("logs/<int:pk>/", views.entry_detail, name="detail"),
    path("logs/<int:pk>/edit/", views.entry_edit, name="edit"),
    path("logs/<int:pk>/delete/", views.entry_delete, name="delete"),
    path("logs/participation/", views.participation, name="participation"),
    path("logs/participation.csv", views.participation_csv, name="participation_csv"),
    path("logs/export.csv", views.export_csv, name="export_csv"),
    path("logs/export.json", views.export_json, name="export_json"),
    path("logs/away/", views.away, name="away"),
    path("pulse/", views.pulse, name="pulse"),
    path("logs/away/<int:pk>/delete/", views.away_delete, name="away_delete"),
    path("logs/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("logs/calendar/<slug:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("logs/calendar/reset/", views.calendar_reset, name="calendar_reset"),
]
