"""Request middleware: the person's time zone, single sign-on failures shown kindly, pages
that carry no character HTML forbids, and a browser emptied of drafts on sign-out."""

from __future__ import annotations

import logging
import re

from django.urls import reverse
from django.utils import timezone

log = logging.getLogger(__name__)


class UserTimezoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            timezone.activate(user.tzinfo)
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class ClearStorageOnSignOutMiddleware:
    """Signing out empties what the site kept in the browser: the check-in's drafts (localStorage,
    see static/js/checkin.js) may hold text meant for one's teams only, and the next person at a
    shared computer must not find it. ``Clear-Site-Data: "storage"`` leaves cookies alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "POST" or request.path != reverse("account_logout"):
            return self.get_response(request)
        was_signed_in = request.user.is_authenticated
        response = self.get_response(request)
        if was_signed_in and not request.user.is_authenticated:
            response["Clear-Site-Data"] = '"storage"'
        return response


class SocialLoginErrorMiddleware:
    """Show allauth's sign-in error page, not a 500, when the identity provider is unreachable.

    allauth 65 fetches the OpenID Connect discovery document outside its own error handling
    (when sign-in starts and on the way back), so a refused connection would escape the view.
    """

    SSO_VIEWS = frozenset({"openid_connect_login", "openid_connect_callback"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        import requests
        from allauth.socialaccount.adapter import get_adapter
        from allauth.socialaccount.helpers import render_authentication_error

        match = request.resolver_match
        if not isinstance(exception, requests.RequestException) or match is None:
            return None
        if match.url_name not in self.SSO_VIEWS:
            return None
        log.warning("single sign-on: identity provider unreachable: %s", exception)
        provider = get_adapter(request).get_provider(request, match.kwargs["provider_id"])
        return render_authentication_error(request, provider, exception=exception)


# What HTML forbids in a page: NUL and the other control characters but whitespace (tab, line
# feed, form feed, carriage return), and the noncharacters. People can type any of them.
_NOT_IN_HTML = re.compile(
    "[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef"
    + "".join(chr(plane * 0x10000 + 0xFFFE) + chr(plane * 0x10000 + 0xFFFF) for plane in range(17))
    + "]"
)


def fit_for_html(text: str) -> str:
    """``text`` with each character HTML forbids as U+FFFD, as a browser's parser would read it."""
    return _NOT_IN_HTML.sub("\ufffd", text)


class CleanPagesMiddleware:
    """A page never carries a character HTML forbids: a refused form shows back what was typed,
    a NUL or a control character included, and a saved text may hold one. It becomes U+FFFD."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.streaming and response.get("Content-Type", "").startswith("text/html"):
            page = response.content.decode(response.charset)
            if _NOT_IN_HTML.search(page):
                response.content = fit_for_html(page).encode(response.charset)
        return response
