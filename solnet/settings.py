"""SolNet settings: one file, driven by environment variables.

Every variable is listed in `.env.example` and docs/configuration.md. `make run` needs none of
them: the quick start runs on SQLite in `var/` with keys generated there on first start. Production
(`SOLNET_PRODUCTION=true`) refuses to start without its secrets instead of inventing them.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

# --- typed environment helpers -------------------------------------------------------------


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def _read_or_create_secret(path: Path, *, nbytes: int) -> str:
    """Quick-start only: a secret kept in a 0600 file under the data directory."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(nbytes))
    return path.read_text().strip()


def _make_private(directory: Path) -> None:
    """Takes other accounts' access away from a data directory made before SolNet set its umask
    (below): the folder itself, and the files and folders directly in it (the database, its WAL,
    the queue, the keys). Deeper down, the folder's own mode already keeps them out."""
    for path in [directory, *directory.iterdir()]:
        try:
            info = path.lstat()
            if info.st_uid == os.getuid() and info.st_mode & 0o077 and not path.is_symlink():
                path.chmod(info.st_mode & 0o700)
        except OSError:
            # Not ours to change (a folder an administrator shares on purpose): leave it.
            continue


def _database_from_url(url: str) -> dict:
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL must start with postgres:// or postgresql://, not {parsed.scheme}://"
        )
    options = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parsed.path.lstrip("/")),
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": parsed.hostname or "",
        "PORT": str(parsed.port or ""),
        "CONN_MAX_AGE": env_int("SOLNET_DB_CONN_MAX_AGE", 60),
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": options,
    }


# --- the installation ----------------------------------------------------------------------

PRODUCTION = env_bool("SOLNET_PRODUCTION", False)
DEBUG = env_bool("SOLNET_DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("SOLNET_DEBUG cannot be on when SOLNET_PRODUCTION is on")

# Nothing SolNet writes is for the machine's other accounts: the SQLite database and its WAL,
# huey's queue, the cache, sealed files and the quick-start keys are made 0600 in 0700 folders.
# Set here because the web server, the worker and every manage.py command load these settings
# before they write anything.
os.umask(0o077)
DATA_DIR = Path(env_str("SOLNET_DATA_DIR") or str(BASE_DIR / "var")).resolve()
DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
_make_private(DATA_DIR)

SECRET_KEY = env_str("SOLNET_SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SOLNET_SECRET_KEY is required in production")
    SECRET_KEY = _read_or_create_secret(DATA_DIR / "secret.key", nbytes=50)

# The master key wraps the data keys that encrypt contact details. It never enters the database.
MASTER_KEY = env_str("SOLNET_MASTER_KEY")
MASTER_KEY_FILE = env_str("SOLNET_MASTER_KEY_FILE")
if not MASTER_KEY:
    if MASTER_KEY_FILE:
        key_path = Path(MASTER_KEY_FILE)
        if not key_path.exists():
            raise ImproperlyConfigured(f"SOLNET_MASTER_KEY_FILE {MASTER_KEY_FILE} does not exist")
        MASTER_KEY = key_path.read_text().strip()
    elif PRODUCTION:
        raise ImproperlyConfigured(
            "SOLNET_MASTER_KEY or SOLNET_MASTER_KEY_FILE is required in production"
        )
    else:
        MASTER_KEY = _read_or_create_secret(DATA_DIR / "master.key", nbytes=32)
# Keys retired by a master-key rotation, still able to unwrap data keys until `rotate_keys` ran.
OLD_MASTER_KEYS = env_list("SOLNET_OLD_MASTER_KEYS")

# Backups (solnet/core/backups/) are encrypted to the public half of a key pair that is not the
# master key: the server can make backups but not read them; the private half, which restores
# them, is kept off the server (`manage.py generate_backup_key`). Outside production, with no
# key set, the first backup makes a pair in the data directory, for trying SolNet out.
BACKUP_KEY = env_str("SOLNET_BACKUP_KEY")
BACKUP_KEY_FILE = env_str("SOLNET_BACKUP_KEY_FILE")
if not BACKUP_KEY and BACKUP_KEY_FILE:
    backup_key_path = Path(BACKUP_KEY_FILE)
    if not backup_key_path.exists():
        raise ImproperlyConfigured(f"SOLNET_BACKUP_KEY_FILE {BACKUP_KEY_FILE} does not exist")
    BACKUP_KEY = backup_key_path.read_text().strip()
# Where backups are written (made 0700 on first use); the worker keeps the network's number of
# days of them (the network's settings page).
BACKUP_DIR = Path(env_str("SOLNET_BACKUP_DIR") or str(DATA_DIR / "backups")).resolve()

BASE_URL = env_str("SOLNET_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# Members reach SolNet at BASE_URL: in production it must be HTTPS, or passwords, session
# cookies and invitation links cross the network in clear. Plain HTTP stays allowed on the
# loopback addresses, where nothing crosses a network (`make load` runs production mode there).
if PRODUCTION and not (
    BASE_URL.startswith("https://")
    or (
        BASE_URL.startswith("http://")
        and urlparse(BASE_URL).hostname in {"127.0.0.1", "localhost", "::1"}
    )
):
    raise ImproperlyConfigured(
        f"SOLNET_BASE_URL must start with https:// in production, not {BASE_URL!r}: it is the "
        "address members use. Plain http:// is accepted only for 127.0.0.1, localhost and ::1."
    )
HTTPS = env_bool("SOLNET_HTTPS", BASE_URL.startswith("https://"))
ALLOWED_HOSTS = env_list("SOLNET_ALLOWED_HOSTS", [urlparse(BASE_URL).hostname or "127.0.0.1"])
if not PRODUCTION:
    ALLOWED_HOSTS += ["127.0.0.1", "localhost", "testserver"]
CSRF_TRUSTED_ORIGINS = [BASE_URL]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",  # allauth's second-factor pages use it
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "huey.contrib.djhuey",
    "solnet.core",
    "solnet.network",
    "solnet.members",
    "solnet.people",
    "solnet.councils",
    "solnet.fights",
    "solnet.democracy",
    "solnet.mobilize",
    "solnet.funds",
    "solnet.defense",
    "solnet.confederation",
    "solnet.demo",  # the `demo` command only: no models, no pages
]
# No django.contrib.admin: nobody in the application holds power over everyone's data.

MIDDLEWARE = [
    "solnet.core.middleware.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "solnet.members.middleware.SessionEpochMiddleware",
    "solnet.network.middleware.NetworkLanguageMiddleware",
    # After the language is chosen, so the refusal page is in the person's language; before
    # any view, form or query reads the request.
    "solnet.core.middleware.RefuseNulBytesMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "solnet.members.middleware.OnboardingMiddleware",
]

ROOT_URLCONF = "solnet.urls"
WSGI_APPLICATION = "solnet.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "solnet" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "solnet.network.context_processors.network",
            ],
        },
    },
]

# --- data ----------------------------------------------------------------------------------

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": _database_from_url(DATABASE_URL)}
    test_name = env_str("SOLNET_TEST_DATABASE_NAME")
    if test_name:
        DATABASES["default"]["TEST"] = {"NAME": test_name}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "solnet.sqlite3",
            # Tests use a file too, so that what reaches the disk (and its WAL) can be checked.
            "TEST": {"NAME": DATA_DIR / "test-solnet.sqlite3"},
            "OPTIONS": {
                # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock
                # at BEGIN so two writers queue instead of failing half-way through.
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": env_int("SOLNET_SQLITE_TIMEOUT", 20, minimum=1),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
KEY_PREFIX = env_str("SOLNET_CACHE_PREFIX", "solnet")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": KEY_PREFIX,
        }
    }
else:
    # Shared by the web processes and the worker, which a per-process cache would not be.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
            "KEY_PREFIX": KEY_PREFIX,
        }
    }

HUEY_IMMEDIATE = env_bool("SOLNET_HUEY_IMMEDIATE", False)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": KEY_PREFIX,
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "immediate_use_memory": False,
        "consumer": {"workers": env_int("SOLNET_WORKER_THREADS", 2, minimum=1)},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": KEY_PREFIX,
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
        "immediate_use_memory": False,
        "consumer": {"workers": env_int("SOLNET_WORKER_THREADS", 2, minimum=1)},
    }
# How long a worker holds the messages of a bulk send it took before another may take them
# back (solnet/mobilize/sending/): longer than one batch takes, short enough that a killed
# worker's messages go out soon after.
SOLNET_SEND_LEASE_SECONDS = env_int("SOLNET_SEND_LEASE_SECONDS", 120, minimum=1)

# --- accounts ------------------------------------------------------------------------------

AUTH_USER_MODEL = "members.Member"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
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
AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

# Members sign in with a handle: no email address is needed for an account, and none is kept
# in clear by the account machinery.
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_EMAIL_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "solnet.members.adapters.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "solnet.members.forms.LoginForm",
    "reauthenticate": "solnet.members.forms.PasswordReauthenticateForm",
}
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
ACCOUNT_PRESERVE_USERNAME_CASING = False
# allauth's own limits key the cache by raw IP address; SolNet's throttle keys it by a keyed,
# daily-rotating hash instead (solnet.core.throttle), so allauth's are switched off.
ACCOUNT_RATE_LIMITS = False
LOGIN_THROTTLE_ATTEMPTS = env_int("SOLNET_LOGIN_ATTEMPTS", 5, minimum=1)
LOGIN_THROTTLE_WINDOW = env_int("SOLNET_LOGIN_WINDOW_SECONDS", 900, minimum=1)
LOGIN_THROTTLE_ADDRESS_ATTEMPTS = env_int("SOLNET_LOGIN_ADDRESS_ATTEMPTS", 50, minimum=1)
# SOLNET_LOGIN_ATTEMPTS counts per name from one place; across all places a name gets ten
# times as many, so wrong passwords from one place cannot lock a member out everywhere.
LOGIN_THROTTLE_NAME_ATTEMPTS = 10 * LOGIN_THROTTLE_ATTEMPTS
# Wrong second-factor codes: per sign-in (it then starts over from the password), and per
# account across sign-ins within SECOND_FACTOR_ACCOUNT_WINDOW seconds.
SECOND_FACTOR_ATTEMPTS = 5
SECOND_FACTOR_ACCOUNT_ATTEMPTS = 10
SECOND_FACTOR_ACCOUNT_WINDOW = 3600

MFA_ADAPTER = "solnet.members.adapters.MFAAdapter"
MFA_FORMS = {
    "authenticate": "solnet.members.forms.SecondFactorForm",
    "reauthenticate": "solnet.members.forms.SecondFactorReauthenticateForm",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = False
# One 30-second step either way, for phones whose clocks drift.
MFA_TOTP_TOLERANCE = env_int("SOLNET_TOTP_TOLERANCE", 1)
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION

INVITATION_DAYS = env_int("SOLNET_INVITATION_DAYS", 7, minimum=1)
AUDIT_RETENTION_DAYS = env_int("SOLNET_AUDIT_RETENTION_DAYS", 400, minimum=30)

SESSION_COOKIE_AGE = env_int("SOLNET_SESSION_HOURS", 12, minimum=1) * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = HTTPS and env_bool("SOLNET_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 63072000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("SOLNET_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- email ---------------------------------------------------------------------------------

EMAIL_HOST = env_str("SOLNET_SMTP_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("SOLNET_SMTP_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env_str("SOLNET_SMTP_USER")
    EMAIL_HOST_PASSWORD = env_str("SOLNET_SMTP_PASSWORD")
    EMAIL_USE_TLS = env_bool("SOLNET_SMTP_STARTTLS", True)
    EMAIL_TIMEOUT = 20
else:
    # The quick start has no mail server: messages are written to the worker's terminal.
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("SOLNET_FROM_EMAIL", "solnet@localhost")

# --- text messages -------------------------------------------------------------------------

# An SMS gateway speaking Twilio's API (Twilio itself by default). Without an account SID and
# an auth token SolNet sends no texts. The gateway's webhooks go to
# <SOLNET_BASE_URL>/actions/sms/inbound/ and /actions/sms/status/.
SOLNET_SMS_API_BASE = env_str("SOLNET_SMS_API_BASE", "https://api.twilio.com").rstrip("/")
if not SOLNET_SMS_API_BASE.startswith(("https://", "http://")):
    raise ImproperlyConfigured("SOLNET_SMS_API_BASE must start with https://")
if PRODUCTION and not SOLNET_SMS_API_BASE.startswith("https://"):
    raise ImproperlyConfigured("SOLNET_SMS_API_BASE must start with https:// in production")
SOLNET_SMS_ACCOUNT_SID = env_str("SOLNET_SMS_ACCOUNT_SID")
SOLNET_SMS_AUTH_TOKEN = env_str("SOLNET_SMS_AUTH_TOKEN")

# --- online donations ----------------------------------------------------------------------

# A payment processor speaking Stripe's API (Stripe itself by default). Without a secret key
# SolNet offers no online donations. The processor's webhook (events checkout.session.completed
# and charge.refunded) goes to <SOLNET_BASE_URL>/funds/processor/webhook/.
SOLNET_STRIPE_API_BASE = env_str("SOLNET_STRIPE_API_BASE", "https://api.stripe.com").rstrip("/")
if not SOLNET_STRIPE_API_BASE.startswith(("https://", "http://")):
    raise ImproperlyConfigured("SOLNET_STRIPE_API_BASE must start with https://")
if PRODUCTION and not SOLNET_STRIPE_API_BASE.startswith("https://"):
    raise ImproperlyConfigured("SOLNET_STRIPE_API_BASE must start with https:// in production")
SOLNET_STRIPE_SECRET_KEY = env_str("SOLNET_STRIPE_SECRET_KEY")
SOLNET_STRIPE_WEBHOOK_SECRET = env_str("SOLNET_STRIPE_WEBHOOK_SECRET")
# A key without the webhook's secret would take money whose arrival SolNet could never check.
if SOLNET_STRIPE_SECRET_KEY and not SOLNET_STRIPE_WEBHOOK_SECRET:
    raise ImproperlyConfigured(
        "SOLNET_STRIPE_WEBHOOK_SECRET must be set with SOLNET_STRIPE_SECRET_KEY (the webhook's "
        "signing secret, whsec_…)"
    )

# Hosts the outbound HTTP client (solnet/core/http.py) may reach although they resolve to
# loopback or private addresses, e.g. a gateway relay on the local network.
SOLNET_OUTBOUND_ALLOWED_HOSTS = [h.lower() for h in env_list("SOLNET_OUTBOUND_ALLOWED_HOSTS")]

# --- language ------------------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
# locale_allauth: allauth's own strings in "tú" (allauth's Spanish says "usted"); after SolNet's.
LOCALE_PATHS = [BASE_DIR / "solnet" / "locale", BASE_DIR / "solnet" / "locale_allauth"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("SOLNET_TIME_ZONE", "UTC")

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("SOLNET_LOG_LEVEL", "WARNING")},
    # Request logs would record addresses and paths of people's pages: keep them quiet.
    "loggers": {"django.request": {"level": "ERROR"}, "django.server": {"level": "ERROR"}},
}

SILENCED_SYSTEM_CHECKS: list[str] = []
CSRF_FAILURE_VIEW = "solnet.core.views.csrf_failure"
