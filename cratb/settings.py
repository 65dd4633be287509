"""Django settings for cratb, driven by environment variables (see .env.example).

Nothing needs configuring on a laptop: SQLite and a DuckDB file under ``var/``, a random
secret key generated once and kept in ``var/secret_key``. ``DEBUG`` is off unless the
platform is a demonstration (``cratb demo`` marks its data folder so, ``make run`` and
``CRATB_DEMO=true`` too). A ``SECRET_KEY`` that is given must be long and not an example
(refused at start-up outside a demonstration); ``DEBUG=false`` without one is refused.
Production sets ``SECRET_KEY``, ``ALLOWED_HOSTS`` and usually ``DATABASE_URL``.
docs/security.md lists the safeguards.

With ``cratb/engine/config.py``, this is the only module that reads the environment:
the engine's variables (local data folder, warehouse, reference and rule folders,
Spark, DuckDB, the id salt) are read by ``EngineConfig.from_environ()``, the command
line's constructor, into ``CRATB_ENGINE``, so the web and the command line cannot
disagree about them.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from cratb.engine.config import EngineConfig

BASE_DIR = Path(__file__).resolve().parent.parent
# The engine's configuration: the same values as the command line's (see .env.example).
CRATB_ENGINE = EngineConfig.from_environ()
VAR_DIR = CRATB_ENGINE.var_dir


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} : valeur booléenne attendue (true/false).")


def envint(name: str, default: str) -> int:
    value = os.environ.get(name, default).strip()
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} : nombre entier attendu.") from None


def envfloat(name: str, default: str) -> float:
    value = os.environ.get(name, default).strip()
    try:
        return float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} : nombre attendu (ex. 0.5).") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _local_secret_key() -> str:
    """A key generated once for this checkout, so local sessions survive restarts."""
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # Written whole under another name, then linked into place: two processes starting
    # at once (CI runs two test suites side by side) never read a half-written key, and
    # the second keeps the first one's.
    tmp = VAR_DIR / f"secret_key.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    tmp.write_text(secrets.token_urlsafe(50))
    tmp.chmod(0o600)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return path.read_text().strip()


#: A demonstration platform (``make run``, ``cratb demo``): debug pages, a local secret key.
#: ``cratb demo`` marks its data folder so; CRATB_DEMO=false overrides the mark.
DEMO_MARK = VAR_DIR / "demo-mode"
DEMO = envbool("CRATB_DEMO", "true" if DEMO_MARK.exists() else "false")
DEBUG = envbool("DEBUG", "true" if DEMO else "false")
#: Keys that must never protect real data: Django's placeholder, examples from docs.
_WEAK_KEYS = ("django-insecure", "changeme", "change-me", "secret", "cle-secrete", "xxxx")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if "DEBUG" in os.environ and not DEBUG and not DEMO:
        raise ImproperlyConfigured(
            "SECRET_KEY est obligatoire quand DEBUG=false : définissez une clé longue et "
            "aléatoire (voir .env.example)."
        )
    # Nothing configured (a laptop, `make run`): a random key generated once for this data
    # folder, never a key known in advance.
    SECRET_KEY = _local_secret_key()
elif not DEMO and (
    len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 10 or SECRET_KEY.lower().startswith(_WEAK_KEYS)
):
    raise ImproperlyConfigured(
        f"SECRET_KEY refusée ({len(SECRET_KEY)} caractères, ou valeur d'exemple) : il faut "
        "au moins 50 caractères aléatoires, par exemple la sortie de "
        'python3 -c "import secrets; print(secrets.token_urlsafe(50))".'
    )

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG or DEMO else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    # The directory's history of changes (who, when, before and after): cratb/network.
    "simple_history",
    "cratb.accounts",
    "cratb.network",
    "cratb.advice",
    "cratb.training",
    "cratb.activity",
    "cratb.audits",
    "cratb.outreach",
    "cratb.dashboards",
    "cratb.public",
    "cratb.guidelines",
    "cratb.resistance",
    "cratb.reports",
    "cratb.feedback",
    "cratb.letters",
    # The public site's editable pages (cratb/cms, docs/site.md): Wagtail, its admin in
    # French for the coordination. Its admin needs the image and document apps, but their
    # views are closed (cratb/cms/editors.py): nothing is uploaded through the editor
    # (docs/security.md).
    "cratb.cms",
    "wagtail.images",
    "wagtail.documents",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "wagtail.contrib.sitemaps",
    "django.contrib.sitemaps",
    "modelcluster",
    "taggit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Both before any view reads the body (the CSRF check parses it in process_view).
    "cratb.accounts.middleware.RequestSizeMiddleware",
    "cratb.accounts.middleware.IdleSessionMiddleware",
    "cratb.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Public pages kept a few minutes by a signed-out visitor's browser (cratb/cms).
    "cratb.cms.middleware.PublicPageCacheMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Tells django-simple-history who makes a change from a page.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns locked-out logins into a clear page.
    "axes.middleware.AxesMiddleware",
]

if not DEBUG:
    # Static files straight from the WSGI process, compressed (gzip) and, for the hashed
    # names of the manifest, cached for a year (docs/operations.md). In DEBUG the
    # development server serves them.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "cratb.urls"
WSGI_APPLICATION = "cratb.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "cratb" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'cratb.sqlite3'}")
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL illisible ({exc}).") from exc
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL: readers do not wait for the writer; synchronous=NORMAL: a commit does not wait
    # for the disk (safe in WAL mode: a power cut may lose the last commits, never corrupt).
    # The lab API writes one log row per request (cratb/resistance) and must stay fast.
    # secure_delete: freed space is zeroed, so a redacted passage (cratb/advice) does not
    # linger in the file's free pages.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA secure_delete=ON;"
        ),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses logins from locked-out users and addresses.
    "axes.backends.AxesStandaloneBackend",
    # Django's model backend, reading each session's user with their team and territories.
    "cratb.network.auth.MembershipBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboards:home"
LOGOUT_REDIRECT_URL = "public:home"

# Brute-force protection (django-axes, docs/security.md): AXES_FAILURE_LIMIT failures for
# one username from one address lock that account from there; CRATB_LOGIN_ADDRESS_FAILURES
# failures on any accounts from one address lock the address (cratb/accounts/lockout.py).
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
CRATB_LOGIN_ADDRESS_FAILURES = envint("CRATB_LOGIN_ADDRESS_FAILURES", "15")
AXES_COOLOFF_TIME = envfloat("AXES_COOLOFF_HOURS", "0.5")
AXES_LOCKOUT_PARAMETERS = ["ip_address", ["username", "ip_address"]]
AXES_HANDLER = "cratb.accounts.lockout.AddressAndAccountHandler"
AXES_CLIENT_IP_CALLABLE = "cratb.security.axes_client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429

# Sessions end after CRATB_SESSION_IDLE_HOURS without a page viewed (a working day by
# default): pages push the end back (cratb/accounts/middleware.py).
SESSION_COOKIE_AGE = round(envfloat("CRATB_SESSION_IDLE_HOURS", "10") * 3600)

# Second factor (TOTP, django-otp): optional for coordination and admin accounts; with
# CRATB_OTP_REQUIRED=true those roles must enrol before using the platform.
CRATB_OTP_REQUIRED = envbool("CRATB_OTP_REQUIRED", "false")
OTP_TOTP_ISSUER = os.environ.get("CRATB_OTP_ISSUER", "cratb")

# Abuse limits (docs/security.md): requests per visitor address, in django-ratelimit's
# notation ("20/h": 20 an hour; "5/15m": 5 per quarter of an hour), counted in a cache
# shared by every server process: the web database by default, Redis with
# CRATB_LIMITS_CACHE=redis://host:6379/0 (needs the redis package), "memory" for a single
# process. CRATB_PROXY_COUNT: reverse proxies in front of the server that add the
# visitor's address to X-Forwarded-For (0: REMOTE_ADDR is the visitor).
CRATB_PROXY_COUNT = envint("CRATB_PROXY_COUNT", "0")
RATELIMIT_ENABLE = envbool("CRATB_RATE_LIMITS", "true")
RATELIMIT_USE_CACHE = "limits"


def envrate(name: str, default: str) -> str:
    value = os.environ.get(name, default).strip()
    if not re.fullmatch(r"\d+/\d*[smhd]", value):
        raise ImproperlyConfigured(
            f"{name}={value!r} : limite attendue sous la forme NOMBRE/PÉRIODE (ex. 20/h, 5/15m)."
        )
    return value


CRATB_RATE_ADVICE_FORM = envrate("CRATB_RATE_ADVICE_FORM", "20/h")
CRATB_RATE_TRAINING_REGISTRATION = envrate("CRATB_RATE_TRAINING_REGISTRATION", "20/h")
CRATB_RATE_PASSWORD_RESET = envrate("CRATB_RATE_PASSWORD_RESET", "5/h")
CRATB_RATE_LAB_API = envrate("CRATB_RATE_LAB_API", "3000/m")
CRATB_RATE_OTP = envrate("CRATB_RATE_OTP", "10/15m")
CRATB_RATE_LETTERS_SUBSCRIBE = envrate("CRATB_RATE_LETTERS_SUBSCRIBE", "10/h")

_LIMITS_CACHE = os.environ.get("CRATB_LIMITS_CACHE", "database").strip()
if _LIMITS_CACHE == "database":
    _limits: dict[str, Any] = {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "cratb_limits_cache",
    }
elif _LIMITS_CACHE == "memory":
    _limits = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "limits"}
elif _LIMITS_CACHE.startswith(("redis://", "rediss://", "unix://")):
    _limits = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _LIMITS_CACHE}
else:
    raise ImproperlyConfigured(
        f"CRATB_LIMITS_CACHE={_LIMITS_CACHE!r} : database, memory ou une adresse redis:// attendue."
    )
CACHES = {
    # Each server process keeps its own pages and tables (cratb/advice/caching.py).
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "limits": _limits,
}
# The indicator pages' content, kept until the next publication (cratb/dashboards/views.py):
# « memory » in each server process (default), or « files » under CRATB_VAR_DIR, shared by
# all the server's workers, so that a page is drawn once per publication, not once per
# worker.
_PAGES_CACHE = os.environ.get("CRATB_PAGES_CACHE", "memory").strip()
if _PAGES_CACHE == "files":
    CACHES["pages"] = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache" / "pages"),
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
elif _PAGES_CACHE == "memory":
    CACHES["pages"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
else:
    raise ImproperlyConfigured(f"CRATB_PAGES_CACHE={_PAGES_CACHE!r} : memory ou files attendu.")

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "cratb" / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "cratb" / "static"]
# Outside DEBUG, collectstatic writes each file under a name holding its content's hash
# (a changed file gets a new name, so browsers may keep the old one for a year) and a
# gzip copy beside it; WhiteNoise serves them with the right headers. In
# DEBUG the files are served as they are, without collectstatic.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "false")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "cratb <ne-pas-repondre@cratb.localhost>")

# Background jobs: a queue kept in the web database (SQLite or PostgreSQL), worked by
# `manage.py db_worker` (started by `make run`). CRATB_TASKS_IMMEDIATE=true runs each job
# at once inside the request instead, for a machine where no worker can run.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if envbool("CRATB_TASKS_IMMEDIATE", "false")
            else "django_tasks_db.DatabaseBackend"
        ),
    }
}

# The region this platform serves (INSEE code): advice requests come from its départements.
CRATB_REGION = os.environ.get("CRATB_REGION", "11").strip()
# Who signs the training certificates (docs/network.md), e.g. « Dr Camille Martin,
# coordinatrice du CRAtb »; empty: the coordination's first active coordinator.
CRATB_CERTIFICATE_SIGNATORY = os.environ.get("CRATB_CERTIFICATE_SIGNATORY", "").strip()

# Expert advice desk (docs/advice.md): target delay of a first answer in working days,
# hours past it before the coordinators are alerted, days after the answer before the
# close-out survey is sent, and how often the reminder job runs (minutes).
CRATB_ADVICE_TARGET_WORKING_DAYS = envint("CRATB_ADVICE_TARGET_WORKING_DAYS", "1")
CRATB_ADVICE_ESCALATION_HOURS = envint("CRATB_ADVICE_ESCALATION_HOURS", "4")
CRATB_ADVICE_SURVEY_DAYS = envint("CRATB_ADVICE_SURVEY_DAYS", "7")
CRATB_ADVICE_REMINDER_MINUTES = envint("CRATB_ADVICE_REMINDER_MINUTES", "15")
# Letters (docs/letters.md): messages sent per minute by the sending job.
CRATB_LETTERS_PER_MINUTE = envint("CRATB_LETTERS_PER_MINUTE", "60")
# The inbox tables are kept in each server process's cache until a request changes;
# false reads them afresh on every view (diagnosis; benchmarks/advice --no-inbox-cache).
CRATB_INBOX_CACHE = envbool("CRATB_INBOX_CACHE", "true")

# Uploads (docs/security.md). Size limits, in megabytes: files imported into the warehouse
# (dispensing lines can be large); directory, rota and lab-code files; a whole request (no
# body past it is read). A directory import waits on disk between its preview and its
# confirmation for CRATB_PENDING_IMPORT_MINUTES at most.
CRATB_IMPORT_MAX_MB = envfloat("CRATB_IMPORT_MAX_MB", "500")
CRATB_SPREADSHEET_MAX_MB = envfloat("CRATB_SPREADSHEET_MAX_MB", "10")
CRATB_REQUEST_MAX_MB = envfloat("CRATB_REQUEST_MAX_MB", str(CRATB_IMPORT_MAX_MB + 10))
CRATB_PENDING_IMPORT_MINUTES = envint("CRATB_PENDING_IMPORT_MINUTES", "60")
# Attachments of an advice request: files and megabytes per request; files kept for a form
# to be corrected, minutes and megabytes per visitor address and hour.
CRATB_ATTACHMENTS_MAX_FILES = envint("CRATB_ATTACHMENTS_MAX_FILES", "5")
CRATB_ATTACHMENTS_MAX_TOTAL_MB = envfloat("CRATB_ATTACHMENTS_MAX_TOTAL_MB", "20")
# A guideline's PDF (cratb/guidelines): megabytes per file.
CRATB_GUIDELINE_MAX_MB = envfloat("CRATB_GUIDELINE_MAX_MB", "20")
CRATB_PENDING_ATTACHMENT_MINUTES = envint("CRATB_PENDING_ATTACHMENT_MINUTES", "60")
CRATB_PENDING_ATTACHMENTS_MB_PER_VISITOR = envfloat(
    "CRATB_PENDING_ATTACHMENTS_MB_PER_VISITOR", "30"
)
# Django refuses a request of more files than this (the forms' own limits are smaller).
DATA_UPLOAD_MAX_NUMBER_FILES = 20

# The analytics store: a DuckDB file by default (CONTRACTS.md section 2).
CRATB_WAREHOUSE = CRATB_ENGINE.warehouse

# The public site's pages (Wagtail, cratb/cms): its admin ("/edition/") in French only, the
# platform's own login page; pages in French (no translation tree).
WAGTAIL_SITE_NAME = "CRAtb"
# Seconds a signed-out visitor's browser may keep a public page (0: never).
CRATB_PUBLIC_PAGE_MAX_AGE = envint("CRATB_PUBLIC_PAGE_MAX_AGE", "300")
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILADMIN_LOGIN_URL = LOGIN_URL
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = [("fr", "Français")]
WAGTAIL_CONTENT_LANGUAGES = [("fr", "Français")]
WAGTAIL_ENABLE_UPDATE_CHECK = False
# No avatar fetched from gravatar.com: the editor calls no outside address (CSP, privacy).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
# Passwords of the platform are changed on the account page, never in Wagtail's.
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAILUSERS_PASSWORD_ENABLED = False

# Content-Security-Policy (django-csp): scripts, styles, fonts and images from the platform
# itself only; no inline script or style attribute, no frame, forms post to the platform.
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

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "true")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "31536000")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
