"""Accounts through allauth: email login, no leaking of who has an account, who may sign up."""

import pytest
from django.core import mail
from django.urls import reverse

from learningday.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
SIGNUP = "/accounts/signup/"


def signup_data(email: str) -> dict:
    return {"email": email, "password1": "a-long-study-passphrase", "password2": "a-long-study-passphrase"}


def test_member_signs_in_with_email_and_password(client, member):
    response = client.post(LOGIN, {"login": "member@example.com", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert response.context["user"] == member
    assert "Hello, Tom Member" in response.content.decode()


def test_email_login_ignores_case(client, member):
    response = client.post(LOGIN, {"login": "Member@Example.COM", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)


def test_wrong_password_is_refused_with_a_message(client, member):
    response = client.post(LOGIN, {"login": "member@example.com", "password": "not-it"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "The email address and/or password you specified are not correct." in body
    assert 'role="alert"' in body
    assert 'value="member@example.com"' in body  # what was typed stays
    assert "_auth_user_id" not in client.session


def test_wrong_password_and_unknown_email_look_the_same(client, member):
    known = client.post(LOGIN, {"login": "member@example.com", "password": "not-it"})
    unknown = client.post(LOGIN, {"login": "nobody@example.com", "password": "not-it"})
    assert known.status_code == unknown.status_code == 200
    known_errors = known.context["form"].non_field_errors()
    unknown_errors = unknown.context["form"].non_field_errors()
    assert known_errors == unknown_errors
    assert known_errors  # and there is a message


def test_password_reset_does_not_reveal_whether_an_account_exists(client, member):
    known = client.post("/accounts/password/reset/", {"email": "member@example.com"}, follow=True)
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.com"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain
    assert known.content.decode().count("sent you an email") == unknown.content.decode().count("sent you an email")
    # Both addresses get mail: the known one a reset link, the unknown one a note that no account exists.
    assert sorted(m.to[0] for m in mail.outbox) == ["member@example.com", "nobody@example.com"]
    reset = next(m for m in mail.outbox if m.to == ["member@example.com"])
    assert "/accounts/password/reset/key/" in reset.body


def test_inactive_account_cannot_sign_in(client):
    UserFactory(email="gone@example.com", is_active=False)
    response = client.post(LOGIN, {"login": "gone@example.com", "password": PASSWORD}, follow=True)
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200


def test_signup_creates_an_account_without_a_username(client):
    response = client.post(SIGNUP, signup_data("newcomer@example.com"))
    assert response.status_code == 302
    user = User.objects.get(email="newcomer@example.com")
    assert user.timezone == "Europe/Berlin"
    assert not hasattr(user, "username")


def test_signup_from_a_disallowed_domain_is_refused(client, settings):
    settings.ALLOWED_SIGNUP_DOMAINS = ["example.com"]
    response = client.post(SIGNUP, signup_data("mallory@evil.test"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Sign up with your work address (@example.com)." in body
    assert 'value="mallory@evil.test"' in body
    assert not User.objects.filter(email="mallory@evil.test").exists()


def test_signup_from_an_allowed_domain_works_whatever_the_case(client, settings):
    settings.ALLOWED_SIGNUP_DOMAINS = ["example.com"]
    response = client.post(SIGNUP, signup_data("Newcomer@EXAMPLE.com"))
    assert response.status_code == 302
    assert User.objects.filter(email="newcomer@example.com").exists()


def test_closed_signup_refuses_everyone(client, settings):
    settings.SIGNUP_OPEN = False
    page = client.get(SIGNUP)
    assert "Sign Up Closed" in page.content.decode()
    client.post(SIGNUP, signup_data("newcomer@example.com"))
    assert not User.objects.filter(email="newcomer@example.com").exists()


def test_signing_up_twice_with_one_email_does_not_create_a_second_account(client, member):
    client.post(SIGNUP, signup_data("MEMBER@example.com"))
    assert User.objects.filter(email__iexact="member@example.com").count() == 1


def test_email_verification_is_mandatory_when_debug_is_off(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    UserFactory(email="unverified@example.com", verified_email=False)
    response = client.post(LOGIN, {"login": "unverified@example.com", "password": PASSWORD}, follow=True)
    assert "_auth_user_id" not in client.session
    assert response.redirect_chain[-1][0] == reverse("account_email_verification_sent")
    assert any("unverified@example.com" in m.to for m in mail.outbox)


def test_repeated_wrong_passwords_are_rate_limited(client, member):
    for _ in range(5):
        client.post(LOGIN, {"login": "member@example.com", "password": "not-it"})
    # allauth's default: 5 failed attempts per 5 minutes per account, then even the right password waits.
    response = client.post(LOGIN, {"login": "member@example.com", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()


def test_signing_out_empties_the_browsers_storage_where_check_in_drafts_are_kept(client, member):
    client.force_login(member)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"storage"'
    # Anything else, and a sign-out by someone not signed in, leaves the browser alone.
    assert "Clear-Site-Data" not in client.post("/accounts/logout/")
    client.force_login(member)
    assert "Clear-Site-Data" not in client.get("/")
