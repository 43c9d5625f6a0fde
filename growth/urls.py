from django.urls import path

from growth import impact_views, views

app_name = "growth"

urlpatterns = [
    path("growth/", views.growth, name="mine"),
    path("impact/", impact_views.impact, name="impact"),
    path("impact/export.csv", impact_views.impact_csv, name="impact_csv"),
]
