from django.urls import path

from growth import impact_views

app_name = "growth"

urlpatterns: list = [
    path("impact/", impact_views.impact, name="impact"),
    path("impact/export.csv", impact_views.impact_csv, name="impact_csv"),
]
