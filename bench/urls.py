"""The app's URLs plus the baseline page. Only bench/settings.py points ROOT_URLCONF here."""

from django.urls import path

from bench.baseline.views import baseline
from learningday.urls import urlpatterns as app_urlpatterns

urlpatterns = [path("bench/baseline/", baseline, name="bench_baseline"), *app_urlpatterns]
