"""Request middleware: the person's time zone, single sign-on failures shown kindly, and no NUL in a page."""

from __future__ import annotations

import logging

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


class NoNulInPagesMiddleware:
    """A page never carries a NUL: a refused form shows what was typed, NUL included, and HTML
    forbids it. It becomes U+FFFD, as a browser's parser would make it anyway."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
            and b"\x00" in response.content
        ):
            response.content = response.content.replace(b"\x00", "\ufffd".encode(response.charset))
        return response
