"""Habeas settings, read from the environment.

`HABEAS_ENV` picks the profile: ``production`` (the default, and the strictest),
``development`` (what `make run` uses) or ``test``. Production refuses to start
without its secrets.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_secret(name: str, default: str = "") -> str:
    """Read a secret from NAME, or from the file named by NAME_FILE."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


HABEAS_ENV = env_str("HABEAS_ENV", "production")
if HABEAS_ENV not in {"production", "development", "test"}:
    raise ImproperlyConfigured(
        f"HABEAS_ENV must be production, development or test, not {HABEAS_ENV!r}"
    )
PRODUCTION = HABEAS_ENV == "production"

DEBUG = env_bool("HABEAS_DEBUG", HABEAS_ENV == "development")
HABEAS_DEMO = env_bool("HABEAS_DEMO", False)

SECRET_KEY = env_secret("HABEAS_SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("HABEAS_SECRET_KEY (or HABEAS_SECRET_KEY_FILE) is required.")
    SECRET_KEY = "insecure-development-key-never-use-in-production-" + HABEAS_ENV  # noqa: S105

# The key-encryption key lives outside the database (ARCHITECTURE.md rule 4).
HABEAS_KEK_FILE = env_str(
    "HABEAS_KEK_FILE", "" if PRODUCTION else str(BASE_DIR / "var" / f"kek-{HABEAS_ENV}.key")
)
# Keys still accepted for unwrapping while `manage.py rotate_keys` moves every data key
# to the current one; remove them once it has finished.
HABEAS_KEK_PREVIOUS_FILES = env_list("HABEAS_KEK_PREVIOUS_FILES", [])
if PRODUCTION:
    if not HABEAS_KEK_FILE or not Path(HABEAS_KEK_FILE).is_file():
        raise ImproperlyConfigured("HABEAS_KEK_FILE must name a readable key-encryption key file.")
    if HABEAS_DEMO:
        raise ImproperlyConfigured("HABEAS_DEMO must not be set in production.")
    if DEBUG:
        raise ImproperlyConfigured("HABEAS_DEBUG must not be set in production.")

ALLOWED_HOSTS = env_list(
    "HABEAS_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("HABEAS_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "habeas.core",
    "habeas.accounts",
    "habeas.places",
    "habeas.cases",
    "habeas.visits",
    "habeas.assessment",
    "habeas.recommendations",
    "habeas.legislation",
    "habeas.planning",
    "habeas.intake",
    "habeas.partners",
    "habeas.reports",
    "habeas.strategy",
    "habeas.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "habeas.core.middleware.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "habeas.core.csrf.CsrfMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "habeas.core.middleware.DenyByDefaultMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "habeas.urls"
WSGI_APPLICATION = "habeas.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "habeas" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "habeas.core.context_processors.habeas",
            ],
        },
    },
]

# Database: SQLite (WAL) unless DATABASE_URL names another.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("HABEAS_SQLITE_PATH", str(BASE_DIR / "var" / "habeas.sqlite3")),
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so the audit chain never races.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "habeas.accounts.backends.HabeasBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"

# Sessions: a 30-minute idle timeout, renewed on every request.
SESSION_COOKIE_AGE = env_int("HABEAS_IDLE_TIMEOUT_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_NAME = "habeas_session"
CSRF_COOKIE_NAME = "habeas_csrf"
CSRF_FAILURE_VIEW = "habeas.core.views.csrf_failure"
HABEAS_SUDO_SECONDS = env_int("HABEAS_SUDO_SECONDS", 10 * 60)

SECURE_TLS = env_bool("HABEAS_TLS", PRODUCTION)
SESSION_COOKIE_SECURE = SECURE_TLS
CSRF_COOKIE_SECURE = SECURE_TLS
SECURE_SSL_REDIRECT = SECURE_TLS and env_bool("HABEAS_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if SECURE_TLS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_TLS
SECURE_HSTS_PRELOAD = SECURE_TLS
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("HABEAS_BEHIND_PROXY", False) else None
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "no-referrer"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Map tiles: none by default, so nothing is fetched from outside. An NPM may point
# this at its own tile server, e.g. https://tiles.example.org/{z}/{x}/{y}.png
HABEAS_MAP_TILE_URL = env_str("HABEAS_MAP_TILE_URL", "")
HABEAS_MAP_TILE_ATTRIBUTION = env_str("HABEAS_MAP_TILE_ATTRIBUTION", "")


def _tile_origin(url: str) -> list[str]:
    if not url.startswith("https://"):
        return []
    return ["https://" + url.removeprefix("https://").split("/", 1)[0].replace("{s}.", "*.")]


CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *_tile_origin(HABEAS_MAP_TILE_URL)],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

# django-axes: lock the account, never the address, so one attacker cannot lock out others.
AXES_FAILURE_LIMIT = env_int("HABEAS_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("HABEAS_LOGIN_COOLOFF_MINUTES", 30) / 60
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
AXES_LOCKOUT_CALLABLE = "habeas.accounts.views.locked_out"
AXES_VERBOSE = False
# Successful logins are audited by Habeas itself; axes keeps no address or agent log.
AXES_DISABLE_ACCESS_LOG = True

OTP_TOTP_ISSUER = env_str("HABEAS_NPM_NAME", "Habeas")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "habeas.api.authentication.TokenAuthentication",
        "habeas.api.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["habeas.api.permissions.DenyAll"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "habeas.api.pagination.Pagination",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_THROTTLE_RATES": {},
    "EXCEPTION_HANDLER": "habeas.api.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Habeas API",
    "DESCRIPTION": (
        "The REST API of Habeas, the information system of a National Preventive Mechanism."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Generic field names ("kind", "status") name different choice sets in different apps;
    # the places' enums keep the names they had before the assessment API came.
    "ENUM_NAME_OVERRIDES": {
        "KindEnum": "habeas.places.models.Authority.Kind",
        "StatusEnum": "habeas.places.models.Place.Status",
        "ActionItemStatusEnum": "habeas.assessment.models.ActionItem.Status",
        "CriterionKindEnum": "habeas.assessment.models.Criterion.Kind",
        "EvidenceKindEnum": "habeas.assessment.models.Evidence.Kind",
        "CaseKindEnum": "habeas.cases.models.Case.Kind",
        "CaseStatusEnum": "habeas.cases.models.Case.Status",
        "CaseSourceEnum": "habeas.cases.models.Case.Source",
        "VisitKindEnum": "habeas.visits.models.Visit.Kind",
        "InterviewKindEnum": "habeas.visits.models.Interview.Kind",
        "FindingKindEnum": "habeas.visits.models.Finding.Kind",
        "DifficultyKindEnum": "habeas.visits.models.Difficulty.Kind",
        "FindingEvidenceSourceEnum": "habeas.visits.models.Evidence.Source",
        "GuidelineStatusEnum": "habeas.visits.models.Guideline.Status",
        "GuidelineItemKindEnum": "habeas.visits.models.GuidelineItem.Kind",
        "RegisterKindEnum": "habeas.visits.models.RegisterKind",
        "ThemeEnum": "habeas.visits.models.Theme",
        "RecommendationStateEnum": "habeas.recommendations.models.Recommendation.State",
        "LevelEnum": "habeas.assessment.models.Rating.Level",
        "RecommendationLevelEnum": "habeas.recommendations.models.Level",
        "LegislationItemKindEnum": "habeas.legislation.models.ItemKind",
        "LegislationOutcomeEnum": "habeas.legislation.models.Outcome",
        "AdvocacyStepKindEnum": "habeas.legislation.models.AdvocacyStep.Kind",
        "PartnerKindEnum": "habeas.partners.models.PartnerKind",
        "AgreementKindEnum": "habeas.partners.models.Agreement.Kind",
        "CommunicationKindEnum": "habeas.partners.models.Communication.Kind",
        "AwarenessActivityKindEnum": "habeas.partners.models.AwarenessActivity.Kind",
        "ReportKindEnum": "habeas.reports.models.Kind",
        "ReportStateEnum": "habeas.reports.models.State",
        "ReportVariantEnum": "habeas.reports.models.Variant",
        "HitCodeEnum": "habeas.reports.models.Hit.Code",
        "HitStatusEnum": "habeas.reports.models.Hit.Status",
        "DisseminationTierEnum": "habeas.reports.models.Dissemination.Tier",
        "DisseminationChannelEnum": "habeas.reports.models.Dissemination.Channel",
        "RenderingFormatEnum": "habeas.reports.models.Rendering.Format",
        "RenderingStatusEnum": "habeas.reports.models.Rendering.Status",
        "ResponseStatusEnum": "habeas.recommendations.models.ResponseStatus",
        "ImplementationEnum": "habeas.recommendations.models.Implementation",
        "ActivityKindEnum": "habeas.strategy.models.ActivityKind",
        "ActivityStatusEnum": "habeas.strategy.models.Activity.Status",
        "PolicyAreaEnum": "habeas.strategy.models.PolicyArea",
        "TrainingPlanStatusEnum": "habeas.strategy.models.TrainingPlanEntry.Status",
        "SavedViewKindEnum": "habeas.assessment.models_analytics.SavedView.Kind",
    },
}

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish")), ("fr", _("French")), ("ar", _("Arabic"))]
LOCALE_PATHS = [BASE_DIR / "habeas" / "locale"]
TIME_ZONE = env_str("HABEAS_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "habeas" / "static"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env_str("HABEAS_MEDIA_ROOT", str(BASE_DIR / "var" / "media"))},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
# Uploaded files: no file is executed.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
HABEAS_UPLOAD_MAX_BYTES = env_int("HABEAS_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
# Uploads stay in memory up to the largest one allowed, so a confidential file is sealed
# before it touches the disk (SECURITY.md 6: no plaintext in temporary folders).
FILE_UPLOAD_MAX_MEMORY_SIZE = HABEAS_UPLOAD_MAX_BYTES + 64 * 1024
HABEAS_IMPORT_MAX_BYTES = env_int("HABEAS_IMPORT_MAX_BYTES", 10 * 1024 * 1024)
HABEAS_TOKEN_MAX_DAYS = env_int("HABEAS_TOKEN_MAX_DAYS", 90)

# Reports (¶19, 21, 38): the logo on their title page (a PNG or SVG file; the vendored
# Habeas mark when unset) and the default smallest group a public text may describe.
HABEAS_NPM_LOGO = env_str("HABEAS_NPM_LOGO", "")
HABEAS_PUBLICATION_K = env_int("HABEAS_PUBLICATION_K", 5)
# The currency of the NPM's budget (ISO 4217), shown beside every amount (¶35).
HABEAS_CURRENCY = env_str("HABEAS_CURRENCY", "EUR")

# How long a closed confidential record is kept before `manage.py purge_expired`
# crypto-erases it, in days after it was closed, per record kind (app_label.model).
HABEAS_RETENTION_DAYS = {
    "cases.case": env_int("HABEAS_RETENTION_CASES_DAYS", 10 * 365),
    "cases.reprisalwatch": env_int("HABEAS_RETENTION_WATCHES_DAYS", 10 * 365),
}

# Background jobs: the database backend and `manage.py db_worker` (make run starts one).
# Tests run jobs at once, in the same process.
TASKS = {
    "default": {
        "BACKEND": env_str(
            "HABEAS_TASKS_BACKEND",
            "django_tasks.backends.immediate.ImmediateBackend"
            if HABEAS_ENV == "test"
            else "django_tasks_db.DatabaseBackend",
        )
    }
}

# The address staff reach Habeas at, for links in mail (e.g. https://habeas.npm.example).
HABEAS_BASE_URL = env_str("HABEAS_BASE_URL", "")

EMAIL_BACKEND = env_str("HABEAS_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("HABEAS_FROM_EMAIL", "habeas@localhost")

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env_str("REDIS_URL")}
        if env_str("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    )
}

# The public's channel (habeas.intake.throttle; docs/decisions/0005): flood limits per
# network address and single-use form stamps, in a store every process shares: Redis
# when REDIS_URL is set, else the database (the table `intake_throttle`). Its keys are
# keyed hashes: no address is ever stored. A per-process store is refused (habeas.E009).
_INTAKE_CACHE: dict[str, Any] = (
    {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("REDIS_URL"),
        "KEY_PREFIX": "intake",
    }
    if env_str("REDIS_URL")
    else {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "intake_throttle",
        "OPTIONS": {"MAX_ENTRIES": 200_000, "CULL_FREQUENCY": 4},
    }
)
CACHES["intake"] = _INTAKE_CACHE
RATELIMIT_USE_CACHE = "intake"
# New submissions and messages added with a receipt, per network and hour; receipt
# checks (right or wrong) per network and hour. django-ratelimit's "count/period".
HABEAS_INTAKE_SUBMIT_RATE = env_str("HABEAS_INTAKE_SUBMIT_RATE", "10/h")
HABEAS_INTAKE_RECEIPT_RATE = env_str("HABEAS_INTAKE_RECEIPT_RATE", "30/h")
# A network is the address itself for IPv4 (many people share one behind a carrier's
# NAT already) and its /64 for IPv6 (one subscriber's whole allocation).
HABEAS_INTAKE_IPV4_PREFIX = env_int("HABEAS_INTAKE_IPV4_PREFIX", 32)
HABEAS_INTAKE_IPV6_PREFIX = env_int("HABEAS_INTAKE_IPV6_PREFIX", 64)
# Behind N reverse proxies that each append to X-Forwarded-For, the sender's address is
# the Nth from the right. 0 (the default): only REMOTE_ADDR is believed.
HABEAS_INTAKE_TRUSTED_PROXIES = env_int("HABEAS_INTAKE_TRUSTED_PROXIES", 0)
# A form stamp is refused if sent back sooner than this after the form was shown (a
# script), or later (a stale or harvested form).
HABEAS_INTAKE_STAMP_MIN_SECONDS = env_int("HABEAS_INTAKE_STAMP_MIN_SECONDS", 3)
HABEAS_INTAKE_STAMP_MAX_SECONDS = env_int("HABEAS_INTAKE_STAMP_MAX_SECONDS", 12 * 60 * 60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "sql_values_withheld": {"()": "habeas.core.log_filters.SqlValuesWithheld"},
        "template_context_withheld": {"()": "habeas.core.log_filters.TemplateContextWithheld"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("HABEAS_LOG_LEVEL", "INFO")},
    "loggers": {
        # At DEBUG, SQL would be logged with its values (session ids, recovery codes) and
        # failed template lookups with the whole context (CSRF and API tokens): withheld.
        "django.db.backends": {"filters": ["sql_values_withheld"]},
        "django.template": {"filters": ["template_context_withheld"]},
        # Request logs would carry query strings; errors are logged without request data.
        "django.request": {"level": "ERROR"},
        # axes would log the typed user name, which is sometimes a password typed too early.
        "axes": {"level": "ERROR"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

SILENCED_SYSTEM_CHECKS = [
    # Locking by address as well would let anyone on a facility's network lock staff
    # out, and rotating addresses would bypass it; we lock the account (SECURITY.md 11).
    "axes.W006",
    # Django looks for its own CSRF middleware by name; ours subclasses it (habeas/core/csrf.py)
    # and habeas.E007 checks that it is installed.
    "security.W003",
]
