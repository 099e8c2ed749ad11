"""Klasse's one settings file, configured by environment variables.

Every variable is listed once in `.env.example`. The helpers are strict: a value that
cannot be understood stops the start instead of being guessed.
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from klasse.secret_key import installation_key, refuse_known_key

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("KLASSE_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", False)
# Unset, each installation generates its own key and keeps it in VAR_DIR (never a key
# written in the source); a published example key is refused outside DEBUG.
SECRET_KEY = os.environ.get("SECRET_KEY", "") or installation_key(VAR_DIR)
if not DEBUG:
    refuse_known_key(SECRET_KEY)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks_db",
    "axes",
    "klasse.accounts",
    "klasse.imports",
    "klasse.exports",
    "klasse.leerplan",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "klasse.urls"
WSGI_APPLICATION = "klasse.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "klasse" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "klasse.leerplan.context.subject_nav",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'klasse.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes; a busy timeout makes a
    # second writer wait instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.Account"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "klasse.accounts.backends.AccountBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

PASSWORD_HASHERS = [
    "klasse.accounts.hashers.KlasseArgon2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "klasse" / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# The shipped files (htmx, CSS) live in klasse/static, which is no app's static folder.
STATICFILES_DIRS = [BASE_DIR / "klasse" / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if envbool("KLASSE_MANIFEST_STATIC", False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Uploaded import files are kept in the database while the wizard needs them (web processes
# and workers may run on different machines); one school may keep this many, this large.
KLASSE_MAX_PENDING_UPLOADS = envint("KLASSE_MAX_PENDING_UPLOADS", 5)
KLASSE_MAX_PENDING_BYTES = envint("KLASSE_MAX_PENDING_BYTES", 100 * 1024 * 1024)
# The background reading of one upload stops after this many seconds.
KLASSE_READ_SECONDS = envint("KLASSE_READ_SECONDS", 60)
KLASSE_MAX_UPLOAD_BYTES = envint("KLASSE_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
KLASSE_MAX_ROWS = envint("KLASSE_MAX_ROWS", 200_000)
KLASSE_MAX_COLUMNS = envint("KLASSE_MAX_COLUMNS", 200)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

TASKS = {
    "default": {
        "BACKEND": os.environ.get("KLASSE_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

_EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
MAILERS = {
    "default": {
        "BACKEND": _EMAIL_BACKEND,
        "OPTIONS": {
            "host": os.environ.get("EMAIL_HOST", "localhost"),
            "port": envint("EMAIL_PORT", 25),
        }
        if _EMAIL_BACKEND.endswith("smtp.EmailBackend")
        else {},
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Klasse <noreply@klasse.invalid>")

# Login throttling (django-axes), per client (klasse/accounts/throttling.py): a username
# locks for the address that guessed it, an address at a higher limit for any usernames.
AXES_FAILURE_LIMIT = envint("KLASSE_LOGIN_FAILURE_LIMIT", 5)
KLASSE_LOGIN_ADDRESS_FAILURE_LIMIT = envint("KLASSE_LOGIN_ADDRESS_FAILURE_LIMIT", 100)
AXES_COOLOFF_TIME = 0.25  # hours
# A try during the lockout (the right password too) is refused, but does not start the
# quarter of an hour again: someone who keeps trying is not locked out for ever.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "klasse.accounts.backends.throttled_username"
AXES_RESET_ON_SUCCESS = True  # only the username's own failures from its address
AXES_HANDLER = "klasse.accounts.throttling.LoginThrottle"
# The proxies whose X-Forwarded-For is believed (addresses or networks); empty: none, and
# REMOTE_ADDR is the client.
KLASSE_TRUSTED_PROXIES = envlist("KLASSE_TRUSTED_PROXIES", "")
for _proxy in KLASSE_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"KLASSE_TRUSTED_PROXIES must list addresses or networks, not {_proxy!r}"
        ) from None
AXES_CLIENT_IP_CALLABLE = "klasse.accounts.throttling.client_address"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = envbool("KLASSE_LOGIN_THROTTLING", True)

# Security: cookies and HSTS are strict whenever the application is not in DEBUG.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# The username is unique case-insensitively through a functional unique index (see Account),
# which this check cannot see; the login backend looks it up the same way.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]

# The address of this site in links that leave it (the e-mail to choose a password). Unset,
# `klasse serve --port P` hands its processes http://127.0.0.1:P (accounts.site.served_url).
KLASSE_BASE_URL = os.environ.get("KLASSE_BASE_URL", "http://127.0.0.1:8000")
