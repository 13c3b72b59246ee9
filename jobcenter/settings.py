"""One settings module, driven by environment variables.

Without any variables set, the portal runs embedded: SQLite in the project folder and Celery
tasks executed in-process. Production sets DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY,
ALLOWED_HOSTS and DEBUG=0 (see README).
"""

import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

from .saml_settings import saml_settings

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    return env(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def development_secret_key(path: Path) -> str:
    """A random key made once per checkout and kept in a git-ignored file: development needs no
    set-up, and no key is in the repository for anyone to know."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    # Written whole to a file of its own, then linked into place (which fails if the key is
    # there by now): the first processes on a fresh checkout start together (the tests beside
    # a Celery worker), and one that read the key file another had created but not yet written
    # took the empty text for its key and refused to start.
    key = secrets.token_urlsafe(50)
    descriptor, written = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}.")
    try:
        with os.fdopen(descriptor, "w") as f:  # mkstemp makes it readable by its owner only
            f.write(key)
        os.link(written, path)
    except FileExistsError:  # another process made it meanwhile
        return path.read_text().strip()
    finally:
        os.unlink(written)
    return key


# Safe by default: a deployment that sets nothing runs without tracebacks and refuses to start
# without a key. Development says DEBUG=1 (make run, the test settings).
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env("SECRET_KEY") or (
    development_secret_key(BASE_DIR / ".secret_key") if DEBUG else ""
)
if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set when DEBUG is off.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "simple_history",
    "djangosaml2",  # single sign-on (SAML 2.0), on when configured: jobcenter/saml_settings.py
    "kpis",
    "plans",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jobcenter.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A refusal (jobcenter.errors.Refusal) a page did not handle: its message, on the page.
    "jobcenter.errors.RefusalMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",  # who changed a definition
    # The SAML session (outstanding requests) in a cookie of its own; idle when SSO is off.
    "djangosaml2.middleware.SamlSessionMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

# Content security policy (django-csp), in development too, so that a violation shows up at
# once. Scripts run only from the portal's own files: no inline script, no eval, nothing from
# elsewhere, so injected markup cannot run. Styles may be inline: plotly.js and Swagger UI
# write <style> elements and style attributes at run time, and a style cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

if not DEBUG:
    # Static files straight from the WSGI server, compressed and cached for ever under hashed
    # names: no web server in front of gunicorn is needed for them. (In development runserver
    # serves them from static/.)
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses logins while an account/IP is locked out
    "django.contrib.auth.backends.ModelBackend",
    # Single sign-on: only a verified SAML assertion reaches it (README, "Single sign-on").
    "plans.members.saml.PortalSaml2Backend",
]
# SAML 2.0 from SAML_ENTITY_ID, SAML_IDP_METADATA_FILE/_URL, SAML_CERT_FILE, SAML_KEY_FILE,
# SAML_BASE_URL, SAML_ROLE_MAP and SAML_ATTRIBUTE_*; off (SAML_ENABLED False) without them.
globals().update(saml_settings(env))
# Failed logins are throttled: after 5 failures for a user name, from whatever addresses, that
# user name is locked out for 15 minutes; after 5 failures from one address, whatever the user
# names, that address is. (Locking only the pair let one password be tried against every user.)
# A locked-out user resets the password by e-mail, which lifts the lockout.
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(env("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# The client's address: REMOTE_ADDR, unless TRUSTED_PROXY_COUNT proxies in front of the portal
# add X-Forwarded-For (then the address the outermost of them saw). A header a client sends
# itself is never believed, and behind a proxy each client keeps an address of its own.
TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "jobcenter.accounts.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

ROOT_URLCONF = "jobcenter.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "plans.context_processors.roles",
            ],
        },
    },
]

WSGI_APPLICATION = "jobcenter.wsgi.application"

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Drawn KPI cards, each under a digest of what it shows (plans.presenters.cards.card_html),
    # so a process's own memory is right for them: nothing to invalidate or share. About 3 KB
    # each; the national data set's 5.880 targets in two languages fit.
    "cards": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "cards",
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": 12_000},
    },
}

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded mode with several people saving at once: WAL lets pages read while one
    # transaction writes; each transaction takes the write lock as it begins (IMMEDIATE), so
    # none is refused halfway for holding a read lock; a writer waits up to 20 s for another
    # rather than failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Danish first; English through the same translation machinery.
LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # In production, file names carry a hash of their contents (collectstatic writes them), so
    # browsers may cache them for ever; in development the files are served as they are.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Production is served over TLS only (README: Production). Each can be turned off by its own
# variable, e.g. behind a proxy that already redirects.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "0" if DEBUG else str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
# The preload token only allows the domain onto browsers' HTTPS-only list (someone must still
# submit it); turn it off with SECURE_HSTS_PRELOAD=0 where a subdomain must stay on plain HTTP.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("BEHIND_TLS_PROXY"):
    # The proxy terminates TLS and says so in this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Password reset by e-mail: printed on the console unless an SMTP server is configured.
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "kpi-portal@localhost")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "plans:start"
LOGOUT_REDIRECT_URL = "plans:start"

# Celery. Without a broker the tasks run in-process, right where they are queued, so the
# embedded portal needs no Redis; with CELERY_BROKER_URL they go to real workers.
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://localhost/"
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ACKS_LATE = True  # a task killed halfway is redelivered; tasks are idempotent
# Time limits in seconds for every task (recomputes, the jobindsats.dk sync): at the soft limit
# the task is told (SoftTimeLimitExceeded) and its transaction rolls back; at the hard limit its
# worker process is killed. Imports have their own, longer limits.
CELERY_TASK_SOFT_TIME_LIMIT = int(env("TASK_SOFT_TIME_LIMIT", "600"))
CELERY_TASK_TIME_LIMIT = int(env("TASK_TIME_LIMIT", "660"))
# Reading or saving one import: a file within the limits takes a few minutes at most.
IMPORT_SOFT_TIME_LIMIT = int(env("IMPORT_SOFT_TIME_LIMIT", "900"))
IMPORT_TIME_LIMIT = int(env("IMPORT_TIME_LIMIT", "960"))
# A batch still reading or saving this long after it began has lost its worker (killed, out of
# memory, past the hard limit): kpis.tasks.fail_stuck_imports marks it refused, with why.
IMPORT_STUCK_MINUTES = int(env("IMPORT_STUCK_MINUTES", "30"))
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "recompute-all-target-statuses": {
        "task": "plans.tasks.recompute_all_statuses",
        "schedule": crontab(hour=2, minute=30),
    },
    # Statuses whose refresh was never queued (broker down when the figures changed).
    "recompute-stale-target-statuses": {
        "task": "plans.tasks.recompute_stale_statuses",
        "schedule": crontab(minute="*/10"),
    },
    # Reporting rounds: the analysts' reminders before the deadline and on the day.
    "round-reminders": {
        "task": "plans.tasks.send_round_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    # Tables of jobindsats.dk whose published update time has passed (only with a key).
    "jobindsats-sync-due-tables": {
        "task": "kpis.tasks.sync_due_tables",
        "schedule": crontab(minute="*/30"),
    },
    # Import batches whose worker died or timed out are marked refused.
    "fail-stuck-imports": {
        "task": "kpis.tasks.fail_stuck_imports",
        "schedule": crontab(minute="*/5"),
    },
}

# Reporting rounds: analysts are reminded this many days before a round's deadline (and on the
# day); e-mails link to the portal at PORTAL_URL (the address users open, no trailing path).
# Mail goes through Django's EMAIL_BACKEND, from DEFAULT_FROM_EMAIL.
ROUND_REMINDER_DAYS = int(env("ROUND_REMINDER_DAYS", "7"))
PORTAL_URL = env("PORTAL_URL", "http://127.0.0.1:8000").rstrip("/")

# The accessibility statement (tilgængelighedserklæring) that the law on public-sector websites
# asks for, usually published at was.digst.dk; the footer of every page links to it when set.
ACCESSIBILITY_STATEMENT_URL = env("ACCESSIBILITY_STATEMENT_URL")

# The jobindsats.dk connector (kpis/jobindsats/). The key is issued by STAR to an organisation
# and lives only in the environment; without it the connector does nothing and says why.
JOBINDSATS_URL = env("JOBINDSATS_URL", "https://api.jobindsats.dk/v3").rstrip("/")
JOBINDSATS_TOKEN = env("JOBINDSATS_TOKEN")
JOBINDSATS_TIMEOUT = float(env("JOBINDSATS_TIMEOUT", "60"))
# Waits before the second and third attempt after a 429 or 5xx answer, in seconds; a
# Retry-After header is honoured when it asks for longer (up to JOBINDSATS_RETRY_MAX).
JOBINDSATS_RETRY_DELAYS = [float(s) for s in env_list("JOBINDSATS_RETRY_DELAYS", "10,20")]
JOBINDSATS_RETRY_MAX = float(env("JOBINDSATS_RETRY_MAX", "300"))

# Backups (manage.py backup/restore) keep timestamps to the microsecond.
SERIALIZATION_MODULES = {"exactjson": "jobcenter.exact_json"}

REST_FRAMEWORK = {
    # JSON with a size and nesting limit (plans/api/parsers.py); forms as DRF parses them.
    "DEFAULT_PARSER_CLASSES": [
        "plans.api.parsers.LimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # `Authorization: Token <key>`: the named tokens of /account/tokens/ (and DRF's own)
        "plans.members.tokens.ApiTokenAuthentication",
    ],
    # Reads are scoped by plans.access (public dashboards are public); writes say their own.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "plans.api.pagination.Pages",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "plans.api.schema.PortalSchema",
    "EXCEPTION_HANDLER": "plans.api.views.error_handler",
    "COERCE_DECIMAL_TO_STRING": True,  # exact: "58.800000", never a float
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Jobcenter KPI portal API",
    "DESCRIPTION": "Plans, targets with computed statuses, and figures of Danish municipalities.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from static/ (the sidecar package), not from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    # In-process tasks would otherwise log every run at INFO.
    "loggers": {
        "celery.app.trace": {"level": env("CELERY_LOG_LEVEL", "WARNING")},
        "axes": {"level": "WARNING"},  # lockouts are warnings; routine resets are not news
    },
}
