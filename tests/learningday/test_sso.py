"""Single sign-on through OpenID Connect, against a real (tiny, local) identity provider.

The provider in ``oidc_server`` runs on 127.0.0.1 in a thread. The test plays the browser:
it asks the app to start SSO, follows the redirect to the provider's authorization
endpoint over HTTP, and brings the code and state back to the app's callback. The app
itself fetches discovery, token and userinfo from the provider, as it would in production.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.models import SocialAccount
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client

from learningday.models import User
from tests.factories import PASSWORD
from tests.learningday.oidc_server import IdentityProvider

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parents[2]
PROVIDER_ID = "sso"
NAME = "Acme SSO"
CLIENT_ID = "learningday-client"
CLIENT_SECRET = "learningday-secret"
LOGIN_URL = f"/accounts/oidc/{PROVIDER_ID}/login/"
CALLBACK_URL = f"/accounts/oidc/{PROVIDER_ID}/login/callback/"


def provider_settings(server_url: str, *, provider_id: str, name: str, client_id: str, secret: str) -> dict:
    """SOCIALACCOUNT_PROVIDERS as settings.py builds it from OIDC_* (checked in test_settings_build_...)."""
    return {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": provider_id,
                    "name": name,
                    "client_id": client_id,
                    "secret": secret,
                    "settings": {"server_url": server_url},
                }
            ],
        }
    }


@pytest.fixture(autouse=True)
def _no_proxy_and_clean_cache(monkeypatch):
    # The app talks to the provider with requests, which honours *_PROXY: never for 127.0.0.1.
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    cache.clear()  # allauth's rate limits and id_token replay list live here
    yield
    cache.clear()


@pytest.fixture
def idp():
    server = IdentityProvider(client_id=CLIENT_ID, client_secret=CLIENT_SECRET).start()
    yield server
    server.stop()


@pytest.fixture
def sso(settings, idp):
    """The app configured for the local provider, the way settings.py does it from OIDC_*."""
    settings.SOCIALACCOUNT_PROVIDERS = provider_settings(
        idp.url, provider_id=PROVIDER_ID, name=NAME, client_id=CLIENT_ID, secret=CLIENT_SECRET
    )
    settings.SIGNUP_OPEN = True
    settings.ALLOWED_SIGNUP_DOMAINS = []
    return idp


_opener = urllib.request.build_opener(
    urllib.request.ProxyHandler({}),
    type("NoRedirect", (urllib.request.HTTPRedirectHandler,), {"redirect_request": lambda *a, **k: None}),
)


def browser_visits_provider(authorize_url: str) -> str:
    """GET the provider's authorization URL as a browser would; return where it redirects."""
    try:
        with _opener.open(authorize_url, timeout=5) as response:
            pytest.fail(f"the provider did not redirect back: {response.status} {response.read()!r}")
    except urllib.error.HTTPError as redirect:
        assert redirect.code == 302, redirect.read()
        return redirect.headers["Location"]


def start_sso(client) -> str:
    """Press the provider's button (POST, as allauth's confirmation form does); return the IdP URL."""
    response = client.post(LOGIN_URL)
    assert response.status_code == 302
    return response["Location"]


def sign_in_with_sso(client, idp, **follow):
    authorize_url = start_sso(client)
    assert authorize_url.startswith(f"{idp.url}/authorize?")
    callback = urlsplit(browser_visits_provider(authorize_url))
    assert callback.path == CALLBACK_URL
    assert set(parse_qs(callback.query)) == {"code", "state"}
    return client.get(f"{callback.path}?{callback.query}", **follow)


def signed_in_user(client):
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


# --- The login page -------------------------------------------------------------


def test_login_page_offers_the_configured_provider(client, sso):
    body = client.get("/accounts/login/").content.decode()
    assert f'<form method="post" action="{LOGIN_URL}?process=login">' in body
    assert f"Sign in with {NAME}</button>" in body
    # The password form is still there: SSO is an extra choice, not the only one.
    assert 'name="password"' in body


def test_login_page_offers_no_provider_when_not_configured(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {}
    body = client.get("/accounts/login/").content.decode()
    assert "/accounts/oidc/" not in body
    assert "Or use your organisation's account" not in body
    assert client.post(LOGIN_URL).status_code == 404


def test_provider_button_leads_to_a_confirmation_then_to_the_provider(client, sso):
    # A GET must not start the flow (no login CSRF): it shows a form that POSTs.
    confirm = client.get(f"{LOGIN_URL}?process=login")
    assert confirm.status_code == 200
    body = confirm.content.decode()
    assert f"Sign In Via {NAME}" in body
    assert '<form method="post"' in body  # posts back to the same URL
    assert sso.calls == []
    authorize_url = urlsplit(start_sso(client))
    query = {k: v[0] for k, v in parse_qs(authorize_url.query).items()}
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == f"http://testserver{CALLBACK_URL}"
    assert set(query["scope"].split()) == {"openid", "profile", "email"}
    assert query["code_challenge_method"] == "S256"
    assert query["state"]
    assert sso.calls == [("GET", "/.well-known/openid-configuration")]


# --- Signing in -----------------------------------------------------------------


def test_person_from_allowed_domain_signs_in_and_gets_a_verified_account(client, sso, settings):
    settings.ALLOWED_SIGNUP_DOMAINS = ["example.com"]
    sso.person = {"sub": "ada-42", "email": "ada@example.com", "email_verified": True, "name": "Ada Lovelace"}

    response = sign_in_with_sso(client, sso, follow=True)

    assert response.redirect_chain[-1] == ("/", 302)
    assert response.status_code == 200
    assert "logs/dashboard.html" in [template.name for template in response.templates]
    user = User.objects.get(email="ada@example.com")
    assert response.context["user"] == user
    assert signed_in_user(client) == user
    assert user.display_name == "Ada Lovelace"  # the name the provider gives
    assert "Hello, Ada Lovelace" in response.content.decode()
    assert EmailAddress.objects.get(user=user, email="ada@example.com").verified
    account = SocialAccount.objects.get(user=user)
    assert (account.provider, account.uid) == (PROVIDER_ID, "ada-42")
    assert not user.has_usable_password()  # the provider is the only way in, until they set one
    # The app spoke the whole protocol to the provider, and the provider found no fault.
    assert [path for _, path in sso.calls] == [
        "/.well-known/openid-configuration",
        "/authorize",
        "/.well-known/openid-configuration",
        "/token",
        "/userinfo",
    ]
    assert sso.errors == []


def test_person_from_a_disallowed_domain_is_refused(client, sso, settings):
    settings.ALLOWED_SIGNUP_DOMAINS = ["example.com"]
    sso.person = {"sub": "mallory", "email": "mallory@evil.test", "email_verified": True}

    response = sign_in_with_sso(client, sso)

    assert response.status_code == 200
    assert response.templates[0].name == "account/signup_closed.html"
    assert "Sign Up Closed" in response.content.decode()
    assert not User.objects.filter(email="mallory@evil.test").exists()
    assert not SocialAccount.objects.exists()
    assert signed_in_user(client) is None
    assert client.get("/").status_code == 302  # still sent to the login page


def test_nobody_new_gets_in_when_signup_is_closed(client, sso, settings):
    settings.SIGNUP_OPEN = False
    sso.person = {"sub": "new", "email": "newcomer@example.com", "email_verified": True}

    response = sign_in_with_sso(client, sso)

    assert response.templates[0].name == "account/signup_closed.html"
    assert not User.objects.filter(email="newcomer@example.com").exists()
    assert signed_in_user(client) is None


def test_existing_user_with_the_same_verified_email_is_signed_in_to_their_account(client, sso, settings, member):
    settings.SIGNUP_OPEN = False  # joining an existing account is not a signup
    sso.person = {"sub": "tom-7", "email": "member@example.com", "email_verified": True, "name": "Tom"}

    response = sign_in_with_sso(client, sso, follow=True)

    assert response.redirect_chain[-1] == ("/", 302)
    assert "Hello, Tom Member" in response.content.decode()
    assert signed_in_user(client) == member
    assert User.objects.filter(email__iexact="member@example.com").count() == 1
    assert SocialAccount.objects.get(provider=PROVIDER_ID, uid="tom-7").user == member
    member.refresh_from_db()
    assert member.check_password(PASSWORD)  # their password still works too

    # Next time the account is found by the provider's subject, not the email.
    client.logout()
    sign_in_with_sso(client, sso)
    assert signed_in_user(client) == member
    assert SocialAccount.objects.count() == 1


def test_unverified_email_from_the_provider_does_not_take_over_an_existing_account(client, sso, member):
    sso.person = {"sub": "imposter", "email": "member@example.com", "email_verified": False}

    sign_in_with_sso(client, sso, follow=True)

    assert signed_in_user(client) is None
    assert not SocialAccount.objects.exists()
    assert User.objects.filter(email__iexact="member@example.com").count() == 1
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_a_forged_callback_is_refused(client, sso):
    start_sso(client)
    response = client.get(CALLBACK_URL, {"code": "made-up", "state": "made-up"})
    assert response.status_code == 401
    assert response.templates[0].name == "socialaccount/authentication_error.html"
    assert signed_in_user(client) is None
    assert ("POST", "/token") not in sso.calls


def test_a_code_the_provider_rejects_ends_on_the_error_page(client, sso):
    authorize_url = start_sso(client)
    callback = urlsplit(browser_visits_provider(authorize_url))
    state = parse_qs(callback.query)["state"][0]
    response = client.get(CALLBACK_URL, {"code": "not-the-code", "state": state})
    assert response.status_code == 401
    assert response.templates[0].name == "socialaccount/authentication_error.html"
    assert "unknown or used code" in sso.errors
    assert signed_in_user(client) is None
    assert not User.objects.exclude(email="").exists()


def test_id_token_is_checked_against_the_providers_keys(rf, sso):
    """The token-authentication path verifies the RS256 signature with the provider's JWKS."""
    request = rf.get("/")
    provider = get_social_adapter().get_provider(request, PROVIDER_ID)
    claims = {"sub": "ada-42", "email": "ada@example.com", "email_verified": True}

    login = provider.verify_token(request, {"id_token": sso.id_token(claims)})
    assert login.account.uid == "ada-42"
    assert login.user.email == "ada@example.com"

    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    for bad in (sso.id_token(claims, key=forger), sso.id_token(claims, audience="someone-else")):
        with pytest.raises(ValidationError) as refused:
            provider.verify_token(request, {"id_token": bad})
        assert refused.value.code == "invalid_token"
    assert ("GET", "/jwks") in sso.calls


# --- The provider is down -----------------------------------------------------------

# The person's view of a failure: Django's test client re-raises view exceptions by
# default; a browser would get the 500 page instead, so look at what a browser gets.


@pytest.fixture
def browser(db):
    return Client(raise_request_exception=False)


def test_provider_down_when_starting_sign_in_shows_an_error_page(browser, sso):
    sso.stop()  # connection refused from now on

    response = browser.post(LOGIN_URL)

    assert response.status_code < 500
    assert response.templates[0].name == "socialaccount/authentication_error.html"
    assert "Third-Party Login Failure" in response.content.decode()
    assert not User.objects.exists()


def test_provider_down_on_return_shows_an_error_page(browser, sso):
    authorize_url = start_sso(browser)
    callback = browser_visits_provider(authorize_url)
    sso.stop()  # the provider goes away between sign-in there and the return here

    response = browser.get(callback)

    assert response.status_code < 500
    assert response.templates[0].name == "socialaccount/authentication_error.html"
    assert "Third-Party Login Failure" in response.content.decode()
    assert not User.objects.exists()
    assert signed_in_user(browser) is None


def test_provider_down_never_creates_a_user_or_a_session(browser, sso):
    """Whatever page is shown, a failed provider lets nobody in."""
    authorize_url = start_sso(browser)
    callback = browser_visits_provider(authorize_url)
    sso.stop()

    response = browser.get(callback)

    assert response.status_code != 302
    assert b"Traceback" not in response.content
    assert not User.objects.exists()
    assert signed_in_user(browser) is None


# --- Settings -------------------------------------------------------------------------


def run_settings(**env_vars: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OIDC_")}
    env.update(DJANGO_SETTINGS_MODULE="learningday.settings", **env_vars)
    code = (
        "import json; from django.conf import settings; "
        "print(json.dumps({'providers': settings.SOCIALACCOUNT_PROVIDERS, "
        "'form_action': settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']}))"
    )
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_settings_build_the_provider_from_the_environment():
    result = run_settings(OIDC_SERVER_URL="https://idp.example.com", OIDC_CLIENT_ID="abc", OIDC_NAME="Acme SSO")
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout.strip().splitlines()[-1])
    assert config["providers"] == provider_settings(
        "https://idp.example.com", provider_id="sso", name="Acme SSO", client_id="abc", secret=""
    )
    # The browser is sent to the provider after a form POST: CSP must allow it.
    assert "https://idp.example.com" in config["form_action"]


def test_settings_without_a_server_have_no_provider():
    result = run_settings()
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1])["providers"] == {}


def test_server_url_without_client_id_stops_start_up_naming_the_variable():
    result = run_settings(OIDC_SERVER_URL="https://idp.example.com")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "OIDC_CLIENT_ID" in result.stderr.strip().splitlines()[-1]
