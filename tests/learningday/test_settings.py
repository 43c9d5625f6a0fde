"""Settings come from the environment; production is checked by Django's own deploy checks."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# The production environment the README documents (values are examples).
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k3y-for-the-deploy-check-9f8e7d6c5b4a39281706f5e4d3c2b1a0-zz",
    "ALLOWED_HOSTS": "learningday.example.com",
    "SITE_URL": "https://learningday.example.com",
    "DATABASE_URL": "postgres://learningday:secret@db.internal:5432/learningday",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "CACHE_URL": "redis://redis.internal:6379/2",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.com:587",
    "BEHIND_TLS_PROXY": "true",
}

# Variables of this project that the surrounding shell (CI) may have set.
OURS = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "CACHE_URL",
    "EMAIL_URL",
    "SITE_URL",
    "VAR_DIR",
    "BROKER_VISIBILITY_TIMEOUT",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # the browser tests set it for their own process only
)


def manage(*args: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in OURS}
    clean.update({"VAR_DIR": str(tmp_path), **env})
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )


def test_deploy_check_passes_with_the_documented_production_environment(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION, tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_check_warns_when_the_cache_is_not_shared(tmp_path):
    env = {k: v for k, v in PRODUCTION.items() if k != "CACHE_URL"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "learningday.W001" in result.stderr


def test_embedded_default_needs_no_environment(tmp_path):
    result = manage("check", env={}, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "false"}, "SECRET_KEY: required when DEBUG is false"),
        (
            {"DEBUG": "false", "SECRET_KEY": PRODUCTION["SECRET_KEY"]},
            "ALLOWED_HOSTS: required when DEBUG is false",
        ),
        (
            {**PRODUCTION, "SECRET_KEY": "k3y-only-forty-nine-characters-long-0123456789abc"},
            "SECRET_KEY: must be 50+ random characters when DEBUG is false, got 49 characters",
        ),
        ({**PRODUCTION, "SECRET_KEY": "ab" * 30}, "SECRET_KEY: must be 50+ random characters when DEBUG is false"),
        ({"BROKER_VISIBILITY_TIMEOUT": "an hour"}, "BROKER_VISIBILITY_TIMEOUT: expected a whole number"),
        ({"DEBUG": "maybe"}, "DEBUG: expected true or false, got 'maybe'"),
        ({"LEARNING_DAY_WEEKDAY": "funday"}, "LEARNING_DAY_WEEKDAY: expected a weekday name such as thursday"),
        ({"HOME_CURRENCY": "euro"}, "HOME_CURRENCY: expected an ISO 4217 code such as EUR, got 'euro'"),
        ({"ANNUAL_LEARNING_BUDGET": "lots"}, "ANNUAL_LEARNING_BUDGET: expected an amount such as 1000.00"),
        ({"ANNUAL_LEARNING_BUDGET": "-5"}, "ANNUAL_LEARNING_BUDGET: must be zero or more"),
        ({"DEFAULT_USER_TIMEZONE": "Mars/Base"}, "DEFAULT_USER_TIMEZONE: 'Mars/Base' is not an IANA time zone"),
        ({"SECURE_HSTS_SECONDS": "a year"}, "SECURE_HSTS_SECONDS: expected a whole number"),
        ({"OIDC_SERVER_URL": "https://idp.example.com"}, "OIDC_CLIENT_ID: required when OIDC_SERVER_URL is set"),
        (
            {**PRODUCTION, "ACCOUNT_EMAIL_VERIFICATION": "optional"},
            "ACCOUNT_EMAIL_VERIFICATION: must be mandatory when DEBUG is false",
        ),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET: the Slack app needs both"),
        ({"SLACK_SIGNING_SECRET": "abc"}, "SLACK_BOT_TOKEN: the Slack app needs both"),
        ({"SLACK_BOT_TOKEN": "xoxp-1", "SLACK_SIGNING_SECRET": "abc"}, "SLACK_BOT_TOKEN: expected the bot token"),
    ],
)
def test_a_wrong_value_stops_start_up_with_a_message_naming_the_variable(tmp_path, env, message):
    result = manage("check", env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert f"ImproperlyConfigured: Environment variable {message}" in result.stderr


def test_organisation_settings_are_read_from_the_environment(tmp_path):
    env = {"LEARNING_DAY_WEEKDAY": "Tuesday", "HOME_CURRENCY": "USD", "ANNUAL_LEARNING_BUDGET": "1500.50"}
    code = (
        "from django.conf import settings as s; "
        "print(s.LEARNING_DAY_WEEKDAY, s.HOME_CURRENCY, repr(s.ANNUAL_LEARNING_BUDGET), s.CELERY_TASK_ALWAYS_EAGER)"
    )
    result = manage("shell", "-v", "0", "-c", code, env=env, tmp_path=tmp_path)
    assert result.stdout.split() == ["1", "USD", "Decimal('1500.50')", "True"]


def test_a_broker_url_turns_off_in_process_tasks(tmp_path):
    code = "from django.conf import settings as s; print(s.CELERY_BROKER_URL, s.CELERY_TASK_ALWAYS_EAGER)"
    result = manage("shell", "-v", "0", "-c", code, env={"REDIS_URL": "redis://127.0.0.1:6379/3"}, tmp_path=tmp_path)
    assert result.stdout.split() == ["redis://127.0.0.1:6379/3", "False"]


@pytest.mark.django_db
def test_pages_send_a_strict_content_security_policy(client):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert b"<script>" not in response.content


def test_a_short_secret_key_is_fine_while_debug_is_on(tmp_path):
    result = manage("check", env={"DEBUG": "true", "SECRET_KEY": "short"}, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("seconds", "options"),
    [
        # kombu's own sweep (a Redis scan every 10th tick of 10 s) for the default 20 minutes.
        (None, "{'visibility_timeout': 1200, 'unacked_restore_interval': 10, 'unacked_restore_throttle': 10}"),
        ("300", "{'visibility_timeout': 300, 'unacked_restore_interval': 10, 'unacked_restore_throttle': 3}"),
        # A few seconds (the killed-worker test): the sweep every second.
        ("8", "{'visibility_timeout': 8, 'unacked_restore_interval': 1, 'unacked_restore_throttle': 1}"),
    ],
)
def test_the_broker_visibility_timeout_comes_from_the_environment(tmp_path, seconds, options):
    code = "from django.conf import settings as s; print(s.CELERY_BROKER_TRANSPORT_OPTIONS)"
    env = {"BROKER_VISIBILITY_TIMEOUT": seconds} if seconds else {}
    result = manage("shell", "-v", "0", "-c", code, env=env, tmp_path=tmp_path)
    assert result.stdout.strip() == options, result.stderr


def handlers_writing(record: logging.LogRecord) -> list[logging.Handler]:
    """The handlers of the configured logging (not pytest's own) that write ``record``."""
    found, logger = [], logging.getLogger(record.name)
    while logger is not None:
        found += [
            h
            for h in logger.handlers
            if not type(h).__module__.startswith("_pytest") and record.levelno >= h.level and h.filter(record)
        ]
        logger = logger.parent if logger.propagate else None
    return found


@pytest.mark.django_db
def test_a_403_is_logged_once_with_one_traceback(client, member, settings, caplog):
    settings.DEBUG = True  # Django's own console handler writes only while DEBUG is on
    client.force_login(member)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get("/claims/finance/").status_code == 403
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage() == "Forbidden (Permission denied): /claims/finance/"
    (handler,) = handlers_writing(record)
    assert handler.format(record).count("Traceback (most recent call last)") == 1


_READS = """
import os, environ
read = set()
class Recording(dict):
    def __getitem__(self, key):
        read.add(key)
        return super().__getitem__(key)
    def get(self, key, default=None):
        read.add(key)
        return super().get(key, default)
    def __contains__(self, key):
        read.add(key)
        return super().__contains__(key)
environ.Env.ENVIRON = Recording(os.environ)
import learningday.settings
print(" ".join(sorted(read)))
"""


def test_every_variable_the_settings_read_is_in_the_readme_and_in_env_example():
    # With single sign-on on, the settings read every variable they know.
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("OIDC_")},
        "OIDC_SERVER_URL": "https://sso.example",
    }
    env["OIDC_CLIENT_ID"] = "learningday"
    read = subprocess.run(  # noqa: S603
        [sys.executable, "-c", _READS], cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    readme = (ROOT / "README.md").read_text()
    table = set()
    for row in re.findall(r"^\| (`[A-Z][A-Z0-9_]+`.*?) \|", readme, flags=re.MULTILINE):
        table.update(re.findall(r"`([A-Z][A-Z0-9_]+)`", row))
    example = set(re.findall(r"^# ([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), flags=re.MULTILINE))
    assert {"SECRET_KEY", "OIDC_CLIENT_SECRET", "RECEIPTS_S3_BUCKET"} <= set(read)
    assert set(read) - table == set(), "read by the settings but not in the README's table"
    assert set(read) - example == set(), "read by the settings but not in .env.example"
    assert example - set(read) == set(), "in .env.example but never read"


def test_production_installs_no_benchmark_app_but_the_tests_and_benchmarks_do(settings):
    def installed(module: str) -> list[str]:
        script = "from django.conf import settings; print(' '.join(settings.INSTALLED_APPS))"
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": module}
        return subprocess.run(  # noqa: S603
            [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=60
        ).stdout.split()

    assert "scale" not in installed("learningday.settings")
    assert "scale" in installed("bench.settings")
    assert "scale" in settings.INSTALLED_APPS  # the suite's own, tests/settings.py
