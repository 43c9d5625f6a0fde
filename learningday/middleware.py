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


# The same characters in UTF-8, found in a page's bytes without decoding it. Searching the
# decoded page with the pattern above takes about 4 ms on a 60 kB page; these take about 0.2:
# the controls by deleting every other byte (C speed), each multi-byte kind by a pattern that
# starts with a fixed byte (a fast scan).
_CONTROLS = bytes([*range(0x09), 0x0B, *range(0x0E, 0x20), 0x7F])
_ALL_BUT_CONTROLS = bytes(byte for byte in range(256) if byte not in _CONTROLS)
_FORBIDDEN_MULTIBYTE = (
    re.compile(rb"\xc2[\x80-\x9f]"),  # U+0080 to U+009F
    re.compile(rb"\xef(?:\xb7[\x90-\xaf]|\xbf[\xbe\xbf])"),  # U+FDD0 to U+FDEF, U+FFFE, U+FFFF
    # U+1FFFE, U+1FFFF … U+10FFFE, U+10FFFF: the last two bytes, then the two before them.
    re.compile(rb"\xbf[\xbe\xbf](?<=[\xf0-\xf4][\x8f\x9f\xaf\xbf]\xbf[\xbe\xbf])"),
)


def holds_forbidden(content: bytes) -> bool:
    """Whether UTF-8 ``content`` holds a character HTML forbids (those of ``_NOT_IN_HTML``)."""
    return bool(content.translate(None, _ALL_BUT_CONTROLS)) or any(
        pattern.search(content) for pattern in _FORBIDDEN_MULTIBYTE
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
            if response.charset.lower().replace("_", "-") in {"utf-8", "utf8"}:
                if holds_forbidden(response.content):
                    response.content = fit_for_html(response.content.decode("utf-8")).encode("utf-8")
            else:
                page = response.content.decode(response.charset)
                if _NOT_IN_HTML.search(page):
                    response.content = fit_for_html(page).encode(response.charset)
        return response
