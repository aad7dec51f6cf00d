"""Django settings for Attain.

Everything a deployment changes comes from the environment:

- ``DATABASE_URL``: defaults to the embedded SQLite file ``var/attain.sqlite3``;
  ``postgres://user@host:5432/name`` for PostgreSQL.
- ``ATTAIN_SECRET_KEY``: required when ``ATTAIN_DEBUG`` is off.
- ``ATTAIN_DEBUG``: ``1`` for development (the default on a laptop), ``0`` in production.
- ``ATTAIN_ALLOWED_HOSTS``: comma-separated host names.
"""

from __future__ import annotations

import datetime
import os
import zoneinfo
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


def _env_number(name: str, default: str, kind: type[int] | type[float] = int) -> int | float:
    """A number from the environment (empty means the default); one Attain cannot read
    stops every command with a line naming the variable (attain.cli), not a traceback."""
    text = os.environ.get(name, "").strip() or default
    try:
        return kind(text)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise ImproperlyConfigured(f"{name} must be {what}, not {text!r}") from None


def _env_int(name: str, default: str) -> int:
    return int(_env_number(name, default, int))


def _env_float(name: str, default: str) -> float:
    return float(_env_number(name, default, float))


BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ATTAIN_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded database and uploads live here

DEBUG = os.environ.get("ATTAIN_DEBUG", "1") == "1"
SECRET_KEY = os.environ.get("ATTAIN_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set ATTAIN_SECRET_KEY when ATTAIN_DEBUG=0.")
    SECRET_KEY = "attain-development-only-not-secret"


def _env_list(name: str, default: str = "") -> list[str]:
    """A comma-separated list from the environment as operators write it: spaces around
    the commas trimmed, empty entries dropped; nothing in it means the default."""
    found = [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]
    return found or [item for item in default.split(",") if item]


ALLOWED_HOSTS = _env_list("ATTAIN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

INSTALLED_APPS = [
    "attain.core.admin_site.AdminConfig",  # django.contrib.admin, administrators only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "attain.web",
    "attain.accounts",
    "attain.audit",
    "attain.org",
    "attain.crm",
    "attain.intake",
    "attain.measures",
    "attain.calc",
    "attain.targets",
    "attain.incentives",
    "attain.integrity",
    "attain.pay",
    "attain.notify",
    "attain.reviews",
    "attain.core",
    "attain.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # A NUL in the address or a posted form is a 400 before any view reads it
    # (PostgreSQL holds no NUL).
    "attain.web.middleware.NulCharacterMiddleware",
    # An API query parameter the OpenAPI document does not list is a 400 naming it.
    "attain.api.parameters.UnknownQueryParameterMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # An empty install goes to the setup wizard; the company's time zone and languages.
    "attain.core.middleware.FirstRunMiddleware",
    "attain.core.middleware.CompanyMiddleware",
    # The login of someone who has left reaches only its own pay (attain.org.access).
    "attain.core.middleware.LeaverMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # An htmx request of an ended session: the whole page goes to the sign-in page.
    "attain.core.middleware.HtmxSignInMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "attain.core.context_processors.navigation",
                "attain.core.context_processors.company_settings",
            ],
        },
    },
]

# An empty DATABASE_URL (``DATABASE_URL= attain ...``) means the default, as unset does.
try:
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ.get("DATABASE_URL", "").strip() or f"sqlite:///{VAR_DIR / 'attain.sqlite3'}",
            conn_max_age=60,
        )
    }
except ValueError as error:  # the URL itself is not repeated: it may hold a password
    raise ImproperlyConfigured(
        f"DATABASE_URL cannot be used: {str(error).split('. ')[0]} "
        "(e.g. postgres://user@host:5432/attain or sqlite:////path/attain.sqlite3)"
    ) from None
if DATABASES["default"]["ENGINE"] not in {
    "django.db.backends.sqlite3",
    "django.db.backends.postgresql",
}:  # e.g. mysql://: Attain (its locks, backups, triggers) runs on these two only
    raise ImproperlyConfigured(
        "DATABASE_URL cannot be used: Attain runs on PostgreSQL or SQLite "
        "(e.g. postgres://user@host:5432/attain or sqlite:////path/attain.sqlite3)"
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and one writer work at once; IMMEDIATE avoids lock upgrades.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        # Seconds a write waits for another writer before "database is locked" (a web
        # write then answers 503 with Retry-After; `attain worker` waits longer).
        "timeout": _env_int("ATTAIN_SQLITE_BUSY_SECONDS", "5"),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background work (imports, calculation runs) goes through Django's task interface.
# The database backend needs a worker (`attain db_worker`); ATTAIN_TASKS=immediate runs
# tasks inline, which tests and one-off scripts use.
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if os.environ.get("ATTAIN_TASKS") == "immediate"
        else "django_tasks_db.DatabaseBackend"
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
CSRF_FAILURE_VIEW = "attain.core.views.csrf_failure"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "attain" / "locale"]
# Numbers grouped by thousands in every language (attain/core/formats)
FORMAT_MODULE_PATH = ["attain.core.formats"]
TIME_ZONE = os.environ.get("ATTAIN_TIME_ZONE", "").strip() or "Asia/Shanghai"
try:
    zoneinfo.ZoneInfo(TIME_ZONE)
except (ValueError, zoneinfo.ZoneInfoNotFoundError):
    raise ImproperlyConfigured(
        f"ATTAIN_TIME_ZONE must be an IANA time zone such as Asia/Shanghai, not {TIME_ZONE!r}"
    ) from None
# The first month of the fiscal year (1 = January): fiscal years, halves and quarters of
# every calculation (attain.calc.periods).
ATTAIN_FISCAL_YEAR_START = _env_int("ATTAIN_FISCAL_YEAR_START", "1")
if not 1 <= ATTAIN_FISCAL_YEAR_START <= 12:
    raise ImproperlyConfigured(
        "ATTAIN_FISCAL_YEAR_START must be a month from 1 (January) to 12, "
        f"not {ATTAIN_FISCAL_YEAR_START}"
    )
# Integrity: order amounts that matter (approval limits, spiff levels; comma-separated,
# e.g. "50000,100000"): many orders just above one of them are flagged (docs/integrity.md).
ATTAIN_INTEGRITY_THRESHOLDS = os.environ.get("ATTAIN_INTEGRITY_THRESHOLDS", "")
# The company's name on pages and exports, and the currency of plans and payouts (ISO
# 4217). These, the time zone, the fiscal year start and the languages offered are the
# defaults of the first-run setup: once it has run (or `attain setup`), the company
# settings it stored win (attain.org.company).
ATTAIN_COMPANY_NAME = os.environ.get("ATTAIN_COMPANY_NAME", "")
ATTAIN_CURRENCY = os.environ.get("ATTAIN_CURRENCY", "CNY")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = VAR_DIR / "media"

# A form may carry one field per person (the payout register's check boxes: finance
# approves a period in bulk): Django's default of 1,000 fields refused that in a company
# of more than 1,000 people. The body stays bounded by DATA_UPLOAD_MAX_MEMORY_SIZE.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 60_000

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so unauthenticated calls get 401 with WWW-Authenticate: Token.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["attain.api.permissions.SignedInAndReachable"],
    "DEFAULT_PAGINATION_CLASS": "attain.web.pagination.Pagination",
    # DRF's JSON parser with its errors in the caller's language (and no server error
    # for a body nested too deeply); the form parsers as DRF's default
    "DEFAULT_PARSER_CLASSES": [
        "attain.web.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "attain.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "attain.api.errors.exception_handler",
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Attain API",
    "DESCRIPTION": "Sales performance management: organisation, targets, results.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "RecordTableEnum": "attain.pay.api.TABLE_CHOICES",
        "LanguageCodeEnum": "attain.org.api.LANGUAGE_CODES",
        "ActivityKindEnum": "attain.crm.models.ActivityKind",
        "EvidenceKindEnum": "attain.crm.models.EvidenceKind",
        "StageKindEnum": "attain.crm.models.StageKind",
        "TicketKindEnum": "attain.crm.models.TicketKind",
        "OrderStatusEnum": "attain.crm.models.OrderStatus",
        "TicketStatusEnum": "attain.crm.models.TicketStatus",
        "PayrollSourceEnum": "attain.pay.models.PayrollSource",
        "CustomerSourceEnum": "attain.crm.models.CustomerSource",
        "PayoutStateEnum": "attain.pay.models.PayoutState",
        "PayoutActionEnum": "attain.pay.api_payouts.ACTIONS",
        "ReviewStatusEnum": "attain.reviews.models.ReviewStatus",
        "ReviewCadenceEnum": "attain.reviews.models.Cadence",
        "ReviewSideEnum": "attain.reviews.models.Side",
        "PayPeriodStateEnum": "attain.pay.models_close.PeriodState",
        "DisputeStatusEnum": "attain.pay.models_disputes.DisputeStatus",
        "DisputeActionEnum": "attain.pay.api_disputes.ACTIONS",
        "RunStatusEnum": "attain.incentives.models.RunStatus",
    },
}

# --- Browser security, HTTPS and upload limits (secweb) ---------------------------
# Content-Security-Policy on every page (django-csp): only our own scripts, styles,
# images and fonts; no inline script or style, no plugins, no framing. Pages that need
# more (none today) widen it with django-csp's decorators.
MIDDLEWARE.insert(1, "csp.middleware.CSPMiddleware")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}


def _env_flag(name: str, default: bool) -> bool:
    return os.environ.get(name, "1" if default else "0") == "1"


SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# HTTPS in production (ATTAIN_DEBUG=0), each switchable: secure cookies (on), redirect
# http to https (off: the proxy usually does it), HSTS (off until you set the seconds),
# and trusting X-Forwarded-Proto from a TLS-terminating proxy (off: only behind one).
SESSION_COOKIE_SECURE = _env_flag("ATTAIN_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = _env_flag("ATTAIN_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = _env_int("ATTAIN_HSTS_SECONDS", "0")
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_flag("ATTAIN_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = _env_flag("ATTAIN_HSTS_PRELOAD", False)
if _env_flag("ATTAIN_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = _env_list("ATTAIN_CSRF_TRUSTED_ORIGINS")

# Upload limits (see docs/import.md). Web and API uploads of imports and evidence;
# XLSX files are checked before they are opened (size of each part once unzipped, and
# the ratio unzipped/zipped, which catches "zip bombs" such as 2 GB of shared strings
# in a 4 MB file); rows and cells bound every import, the command line's too.
_MB = 1 << 20
ATTAIN_LIMITS = {
    "IMPORT_MAX_BYTES": _env_int("ATTAIN_IMPORT_MAX_MB", "100") * _MB,
    "IMPORT_MAX_ROWS": _env_int("ATTAIN_IMPORT_MAX_ROWS", "2000000"),
    "IMPORT_MAX_CELLS": _env_int("ATTAIN_IMPORT_MAX_CELLS", "60000000"),
    "XLSX_MAX_UNZIPPED_BYTES": _env_int("ATTAIN_XLSX_MAX_UNZIPPED_MB", "1024") * _MB,
    "XLSX_MAX_SHARED_STRINGS_BYTES": _env_int("ATTAIN_XLSX_MAX_STRINGS_MB", "256") * _MB,
    "XLSX_MAX_RATIO": _env_int("ATTAIN_XLSX_MAX_RATIO", "100"),
    "PREVIEW_ROWS": _env_int("ATTAIN_PREVIEW_ROWS", "200"),
    "EVIDENCE_MAX_BYTES": _env_int("ATTAIN_EVIDENCE_MAX_MB", "20") * _MB,
    "IMAGE_MAX_PIXELS": _env_int("ATTAIN_IMAGE_MAX_PIXELS", "50000000"),
}
# --- end secweb --------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ATTAIN_LOG_LEVEL", "WARNING")},
}

# --- Accounts, API tokens, audit, email, operations (secaudit) --------------------------
# Login throttling (django-axes): ATTAIN_LOGIN_FAILURE_LIMIT failed logins for one
# username from one IP address lock that pair out for ATTAIN_LOGIN_LOCKOUT_MINUTES; the web
# login, Django admin and POST /api/auth/token/ share the count. A success resets it.
INSTALLED_APPS += ["axes", "attain.ops"]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]
AUTHENTICATION_BACKENDS = [
    "attain.accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = os.environ.get("ATTAIN_LOGIN_LOCKOUT", "1") == "1"
AXES_FAILURE_LIMIT = _env_int("ATTAIN_LOGIN_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = datetime.timedelta(minutes=_env_int("ATTAIN_LOGIN_LOCKOUT_MINUTES", "15"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # successful logins: last_login; failures: the audit trail
AXES_LOCKOUT_CALLABLE = "attain.accounts.lockout.lockout_response"
AXES_SENSITIVE_PARAMETERS = ["password", "new_password1", "new_password2", "old_password"]
# Behind one reverse proxy set ATTAIN_LOGIN_IP_HEADER=X-Forwarded-For: its last address
# (the one the proxy saw) is the client's. Unset: the connection's address.
ATTAIN_LOGIN_IP_HEADER = os.environ.get("ATTAIN_LOGIN_IP_HEADER", "")
AXES_CLIENT_IP_CALLABLE = "attain.accounts.lockout.client_ip"
AXES_USERNAME_CALLABLE = "attain.accounts.lockout.username"  # Zhang and zhang: one count

# API tokens expire ATTAIN_TOKEN_TTL_DAYS after they were issued (401 after that); a
# password change revokes them; DELETE /api/auth/token/ revokes the caller's.
ATTAIN_TOKEN_TTL = datetime.timedelta(days=_env_int("ATTAIN_TOKEN_TTL_DAYS", "30"))
REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] = [
    "attain.accounts.tokens.ExpiringTokenAuthentication",
    "rest_framework.authentication.SessionAuthentication",
]

# Email (password reset links). SMTP when ATTAIN_EMAIL_HOST is set, else the console.
EMAIL_HOST = os.environ.get("ATTAIN_EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = _env_int("ATTAIN_EMAIL_PORT", "587")
EMAIL_HOST_USER = os.environ.get("ATTAIN_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("ATTAIN_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("ATTAIN_EMAIL_TLS", "1") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("ATTAIN_EMAIL_FROM", "attain@localhost")
# The longest wait for the mail server (Django's default: for ever, so a server that takes
# the connection and never answers held a password reset or an invitation, and the
# administrator's request, indefinitely).
# 0 or less: no bound (0 itself would make the socket non-blocking: every send failing).
EMAIL_TIMEOUT = _env_float("ATTAIN_EMAIL_TIMEOUT_SECONDS", "30") or None
if EMAIL_TIMEOUT is not None and EMAIL_TIMEOUT < 0:
    EMAIL_TIMEOUT = None
PASSWORD_RESET_TIMEOUT = _env_int("ATTAIN_PASSWORD_RESET_HOURS", "24") * 3600
# The address people reach Attain at, for links in emails sent without a request (the
# invitations of an organisation import run from the command line or a worker, `attain
# reset_password`, notifications). The default suits `make demo` on a laptop; production
# sets it (`attain check --deploy` warns while it is a loopback address: attain.core.checks).
ATTAIN_BASE_URL = os.environ.get("ATTAIN_BASE_URL", "http://127.0.0.1:8000")
# --- end secaudit ----------------------------------------------------------------------

# --- Background workers (workers) --------------------------------------------------------
# A calculation run or import batch records the worker running it (host:pid) and a
# heartbeat; one whose worker is gone (same host, pid no longer alive) or whose heartbeat
# is older than ATTAIN_WORKER_LEASE_SECONDS is marked failed and may be run again.
# `attain worker` retries a locked or lost database with exponential backoff up to
# ATTAIN_WORKER_MAX_BACKOFF_SECONDS. See docs/operations.md.
ATTAIN_WORKER_LEASE_SECONDS = _env_int("ATTAIN_WORKER_LEASE_SECONDS", "600")
ATTAIN_WORKER_MAX_BACKOFF_SECONDS = _env_float("ATTAIN_WORKER_MAX_BACKOFF_SECONDS", "30")
# A full calculation run of a company with more people than this is cut into one task
# per this many people, which every worker (on any machine) takes from the queue
# (docs/scaling.md); 0 never cuts. On SQLite, whose one writer is the limit, runs are
# not cut unless this is set.
ATTAIN_CALC_PARTITION_PEOPLE = _env_int(
    "ATTAIN_CALC_PARTITION_PEOPLE",
    "0" if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" else "5000",
)
# A web write that finds the database locked (an import merging, a long run) answers
# 503 with Retry-After instead of a 500 (attain.web.middleware.DatabaseBusyMiddleware).
ATTAIN_BUSY_RETRY_AFTER_SECONDS = _env_int("ATTAIN_BUSY_RETRY_AFTER_SECONDS", "5")
MIDDLEWARE += ["attain.web.middleware.DatabaseBusyMiddleware"]
# An API POST or PATCH with an Idempotency-Key header runs once per key; a retry gets the
# first answer (attain.api.idempotency). Innermost: it needs the user (DRF's authentication).
MIDDLEWARE += ["attain.api.idempotency.IdempotencyKeyMiddleware"]
# --- end workers -------------------------------------------------------------------------

# --- Single sign-on (sso) ------------------------------------------------------------------
# OpenID Connect through mozilla-django-oidc, on when ATTAIN_OIDC_CLIENT_ID is set: a
# "Sign in with …" button on the login page, the authorization-code flow with state, nonce
# and PKCE, the ID token's signature, audience and issuer checked. People are recognised
# by ATTAIN_SSO_MATCH (email or employee_code) read from the claim ATTAIN_SSO_CLAIM.
# ATTAIN_PASSWORD_LOGIN=admins keeps passwords for administrators only. docs/operations.md.
ATTAIN_SSO_ENABLED = bool(os.environ.get("ATTAIN_OIDC_CLIENT_ID"))
ATTAIN_SSO_PROVIDER_NAME = os.environ.get("ATTAIN_SSO_PROVIDER_NAME", "")
ATTAIN_SSO_MATCH = os.environ.get("ATTAIN_SSO_MATCH", "email")  # or "employee_code"
ATTAIN_SSO_CLAIM = os.environ.get("ATTAIN_SSO_CLAIM", "") or (
    "email" if ATTAIN_SSO_MATCH == "email" else "employee_number"
)
ATTAIN_SSO_CREATE_LOGIN = _env_flag("ATTAIN_SSO_CREATE_LOGIN", False)
ATTAIN_PASSWORD_LOGIN = os.environ.get("ATTAIN_PASSWORD_LOGIN", "all")  # or "admins"
ATTAIN_OIDC_ISSUER = os.environ.get("ATTAIN_OIDC_ISSUER", "")
# The provider's .well-known/openid-configuration: fills the endpoints and the issuer
# that are not set one by one below.
ATTAIN_OIDC_DISCOVERY_URL = os.environ.get("ATTAIN_OIDC_DISCOVERY_URL", "")
OIDC_RP_CLIENT_ID = os.environ.get("ATTAIN_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("ATTAIN_OIDC_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("ATTAIN_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("ATTAIN_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("ATTAIN_OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("ATTAIN_OIDC_JWKS_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = os.environ.get("ATTAIN_OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("ATTAIN_OIDC_SCOPES", "openid email profile")
OIDC_TOKEN_USE_BASIC_AUTH = _env_flag("ATTAIN_OIDC_BASIC_AUTH", False)
OIDC_USE_NONCE = True
OIDC_USE_PKCE = _env_flag("ATTAIN_OIDC_PKCE", True)
OIDC_TIMEOUT = _env_int("ATTAIN_OIDC_TIMEOUT_SECONDS", "10")
OIDC_AUTHENTICATION_CALLBACK_URL = "sso_callback"
OIDC_STORE_ACCESS_TOKEN = False
# kept in the server-side session (never logged or sent to the browser) for the
# provider's sign-out: ATTAIN_SSO_SIGN_OUT=provider (the default) ends the provider's
# session when someone signs out of Attain; "attain" ends Attain's only.
OIDC_STORE_ID_TOKEN = True
ATTAIN_SSO_SIGN_OUT = os.environ.get("ATTAIN_SSO_SIGN_OUT", "provider")
ATTAIN_OIDC_END_SESSION_ENDPOINT = os.environ.get("ATTAIN_OIDC_END_SESSION_ENDPOINT", "")
AUTHENTICATION_BACKENDS = [
    "attain.accounts.backends.PasswordBackend"
    if backend == "django.contrib.auth.backends.ModelBackend"
    else backend
    for backend in AUTHENTICATION_BACKENDS
]
if ATTAIN_SSO_ENABLED:
    AUTHENTICATION_BACKENDS.append("attain.core.sso.SingleSignOnBackend")
# --- end sso -------------------------------------------------------------------------------

# --- Notifications (notify) ----------------------------------------------------------------
# Sent by `attain worker` (docs/notifications.md): each webhook or email waits at most
# ATTAIN_NOTIFY_TIMEOUT_SECONDS, is tried ATTAIN_NOTIFY_ATTEMPTS times with the wait
# doubling from ATTAIN_NOTIFY_RETRY_SECONDS, by ATTAIN_NOTIFY_THREADS at once per task.
# ATTAIN_BASE_URL (above; e.g. https://attain.example.com) makes the links in messages
# absolute.
ATTAIN_NOTIFY_TIMEOUT_SECONDS = _env_float("ATTAIN_NOTIFY_TIMEOUT_SECONDS", "5")
ATTAIN_NOTIFY_ATTEMPTS = _env_int("ATTAIN_NOTIFY_ATTEMPTS", "5")
ATTAIN_NOTIFY_RETRY_SECONDS = _env_float("ATTAIN_NOTIFY_RETRY_SECONDS", "30")
ATTAIN_NOTIFY_THREADS = _env_int("ATTAIN_NOTIFY_THREADS", "16")
# A personal webhook (set by any login) is not sent to this machine, link-local (cloud
# metadata), multicast or reserved addresses, whatever its host name resolves to; "1"
# allows them (a test bench whose chat bridge runs on the same machine).
ATTAIN_PERSONAL_WEBHOOKS_ANYWHERE = os.environ.get("ATTAIN_PERSONAL_WEBHOOKS_ANYWHERE") == "1"
# ... or only these exact "host:port" addresses (comma-separated): `attain bench_notify`
# lets its workers reach its own local receiver and nothing else
ATTAIN_PERSONAL_WEBHOOKS_ALLOWED = {
    address.strip().lower()
    for address in os.environ.get("ATTAIN_PERSONAL_WEBHOOKS_ALLOWED", "").split(",")
    if address.strip()
}
# --- end notify ----------------------------------------------------------------------------
