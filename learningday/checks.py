"""Deploy checks of our own, run by `manage.py check --deploy`."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def shared_cache_check(app_configs, **kwargs):
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith(("LocMemCache", "DummyCache")):
        return [
            Warning(
                "The cache lives in each process's memory, so allauth's login rate limits are not shared "
                "between web processes.",
                hint="Set CACHE_URL to a Redis database of its own, e.g. redis://redis:6379/2.",
                id="learningday.W001",
            )
        ]
    return []
