"""allauth adapters: who may sign up."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django import forms
from django.conf import settings
from django.http import HttpRequest

from learningday import mail


def email_domain_allowed(email: str) -> bool:
    domains = settings.ALLOWED_SIGNUP_DOMAINS
    if not domains:
        return True
    return email.rsplit("@", 1)[-1].lower() in domains


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return settings.SIGNUP_OPEN

    def format_email_subject(self, subject: str) -> str:
        return mail.subject(subject)  # allauth's emails too: one line, the site's prefix

    def clean_email(self, email: str) -> str:
        email = super().clean_email(email)
        if not email_domain_allowed(email):
            allowed = ", ".join(f"@{d}" for d in settings.ALLOWED_SIGNUP_DOMAINS)
            raise forms.ValidationError(f"Sign up with your work address ({allowed}).", code="domain")
        return email


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin) -> bool:
        # The identity provider vouches for the person, but the domain rule still holds.
        email = sociallogin.user.email or ""
        return settings.SIGNUP_OPEN and bool(email) and email_domain_allowed(email)

    def populate_user(self, request: HttpRequest, sociallogin, data: dict):
        user = super().populate_user(request, sociallogin, data)
        if not user.display_name:
            name = data.get("name") or " ".join(filter(None, [data.get("first_name"), data.get("last_name")]))
            user.display_name = (name or "").strip()[:100]
        return user
