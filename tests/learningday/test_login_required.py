"""Every page needs a login, except the few that must not: allauth's way in, and /healthz."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Views that answer without a login. Adding one here is a decision: say why in review.
PUBLIC = {
    "healthz",
    "logs:unsubscribe",  # one click from an email; the signed token is the proof
    "logs:calendar_feed",  # calendar apps cannot sign in; the secret token in the address is the proof
    "slackapp:events",  # Slack itself calls it; Bolt checks the request signature
    "account_login",
    "account_logout",
    "account_inactive",
    "account_signup",
    "account_email_verification_sent",
    "account_reset_password",
    "account_confirm_login_code",
    "account_confirm_email",
    "account_reset_password_from_key_done",
    "account_reset_password_from_key",
    "account_reset_password_done",
    "mfa_authenticate",
    "socialaccount_login_cancelled",
    "socialaccount_signup",
    "openid_connect_login",
    "openid_connect_callback",
}

# Sample values for URL parameters, by name.
SAMPLES = {
    "key": "abc",
    "uidb36": "1",
    "provider_id": "sso",
    "pk": 1,
    "id": 1,
    "slug": "robotics",
    "receipt_id": 1,
    "token": "x",
}


def _walk(patterns, prefix="", namespace=None, keys=frozenset()):
    for pattern in patterns:
        here = keys | set(pattern.pattern.regex.groupindex)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), pattern.namespace or namespace, here)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), namespace, pattern, here


def _site_routes():
    """(url name, path, view) for every route outside the Django admin, which guards itself."""
    routes = []
    for route, namespace, pattern, keys in _walk(get_resolver().url_patterns):
        if route.startswith("admin/"):
            continue
        if pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            path = reverse(name, kwargs={k: SAMPLES[k] for k in keys})
        else:
            assert not keys, f"unnamed route with parameters: {route}"
            name, path = route, "/" + route
        routes.append((name, path, pattern.callback))
    return routes


ROUTES = _site_routes()


def test_the_public_views_are_exactly_the_listed_ones():
    public = {name for name, _path, view in ROUTES if getattr(view, "login_required", True) is False}
    assert public == PUBLIC


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "path"),
    [(name, path) for name, path, view in ROUTES if name not in PUBLIC],
)
def test_anonymous_visitor_is_sent_to_the_login_page(client, name, path):
    response = client.get(path)
    assert response.status_code == 302, f"{name} ({path}) answered {response.status_code}"
    assert response["Location"].startswith("/accounts/login/?next="), response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/", "/admin/login/", "/admin/learningday/user/"])
def test_django_admin_sends_an_anonymous_visitor_to_the_site_login(client, path):
    # The admin's own password form would skip allauth's rate limits and two-factor step.
    response = client.get(path, follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/?next=")
    assert response.status_code == 200


@pytest.mark.django_db
def test_a_member_who_is_not_staff_is_refused_by_the_admin(client, member):
    client.force_login(member)
    response = client.get("/admin/learningday/user/", follow=True)
    assert response.status_code == 403
    assert b"member@example.com" not in response.content


@pytest.mark.django_db
def test_staff_reach_the_admin(client, staff_user):
    client.force_login(staff_user)
    assert client.get("/admin/learningday/user/").status_code == 200
