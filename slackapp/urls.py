from django.urls import path

from slackapp import views

app_name = "slackapp"

urlpatterns = [
    path("events", views.events, name="events"),
    path("connect/<str:token>/", views.connect, name="connect"),
    path("disconnect/", views.disconnect, name="disconnect"),
    path("teams/<slug:slug>/channel/", views.team_channel, name="team_channel"),
]
