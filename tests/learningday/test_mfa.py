"""Two-factor sign-in with an authenticator app (TOTP, RFC 6238), through allauth.mfa."""

import base64
import datetime as dt
import hashlib
import hmac
import struct
import time

import pytest

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def totp(secret: str, at: float) -> str:
    """What an authenticator app shows: RFC 6238 with SHA-1, 30-second steps, six digits."""
    key = base64.b32decode(secret, casefold=True)
    digest = hmac.new(key, struct.pack(">Q", int(at) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def sign_in(client, password=PASSWORD):
    return client.post("/accounts/login/", {"login": "member@example.com", "password": password})


@pytest.mark.frozen(dt.datetime.fromtimestamp(1_795_000_000, dt.UTC))
def test_member_turns_on_two_factor_and_then_needs_a_code_to_sign_in(client, member, frozen):
    sign_in(client)
    # Changing how one signs in asks for the password again first.
    assert client.get("/accounts/2fa/totp/activate/")["Location"].startswith("/accounts/reauthenticate/")
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = page.context["form"].secret
    assert "issuer=Learning%20Day" in page.context["totp_url"]  # the name the app shows

    wrong = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})
    assert "Incorrect code." in wrong.content.decode()
    client.post("/accounts/2fa/totp/activate/", {"code": totp(secret, time.time())})
    assert member.authenticator_set.filter(type="totp").exists()
    client.post("/accounts/logout/")

    # Ten minutes later: a fresh sign-in.
    frozen.move_to(dt.datetime.fromtimestamp(1_795_000_600, dt.UTC))
    response = sign_in(client)
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session  # the password alone does not let you in
    assert client.get("/").status_code == 302

    refused = client.post("/accounts/2fa/authenticate/", {"code": "123456"})
    assert "Incorrect code." in refused.content.decode()
    assert "_auth_user_id" not in client.session

    response = client.post("/accounts/2fa/authenticate/", {"code": totp(secret, time.time())})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)
    assert client.get("/").status_code == 200
