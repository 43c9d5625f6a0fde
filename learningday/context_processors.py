from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from learningday.navigation import nav_for


def site(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    nav = nav_for(user, request.path) if user is not None and user.is_authenticated else []
    return {
        "nav_items": nav,
        # On a phone the navigation folds behind a Menu button: the button carries the sum.
        "nav_waiting": sum(item["count"] for item in nav),
        "site_name": "Learning Day",
        "debug_banner": settings.DEBUG,
        "slack_enabled": settings.SLACK_ENABLED,
    }
