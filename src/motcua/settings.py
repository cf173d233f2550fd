"""MotCua settings, read from the environment (twelve-factor).

Every value has a development default so `make run` works on a fresh machine;
production sets DEBUG=0, SECRET_KEY (or SECRET_KEY_FILE), DATABASE_URL and ALLOWED_HOSTS.
"""

import os
import secrets
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("MOTCUA_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()


def _secret(name: str, default: str | None = None) -> str | None:
    """Read a secret from NAME or from the file named by NAME_FILE."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def _development_secret_key() -> str:
    """A per-checkout key kept in var/ so sessions survive restarts in development."""
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = _secret("SECRET_KEY") or _development_secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The public base URL printed in QR codes and notifications.
SITE_URL = env.str("SITE_URL", default=f"http://127.0.0.1:{env.str('PORT', default='8000')}")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    # kernel
    "motcua.core",
    # domain
    "motcua.directory",
    "motcua.accounts",
    "motcua.catalog",
    "motcua.dossiers",
    "motcua.signing",
    "motcua.payments",
    "motcua.integrations",
    "motcua.notifications",
    # interfaces
    "motcua.api",
    "motcua.portal",
    "motcua.backoffice",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "motcua.api.middleware.ApiJsonErrorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "motcua.accounts.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "motcua.urls"
WSGI_APPLICATION = "motcua.wsgi.application"
ASGI_APPLICATION = "motcua.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "src" / "motcua" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "motcua.portal.context_processors.inbox",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'motcua.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer commits; IMMEDIATE takes the write lock at
    # BEGIN so two writers queue instead of failing with "database is locked" mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
        ),
    }
    # Tests use a file too: in-memory shared-cache SQLite has table locks that ignore
    # busy_timeout, so concurrency tests would test something production never runs.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-motcua-{os.getpid()}.sqlite3")}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- accounts ---------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "portal:accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"
# Wrong passwords in a row before an account is locked (contract.md).
ACCOUNT_LOCK_AFTER_FAILURES = 10
API_TOKEN_LIFETIME_SECONDS = env.int("API_TOKEN_LIFETIME_SECONDS", default=8 * 3600)

# --- i18n -------------------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "src" / "motcua" / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

# --- static and media -------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# htmx comes from the npm registry at set-up time (`npm ci`), never copied into the repository.
STATICFILES_DIRS = [("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist")]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- background tasks -------------------------------------------------------------------
TASKS = {"default": {"BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend")}}

# --- security ---------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# --- logging: personal IDs never reach the logs (core.logging masks them) ----------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_personal_ids": {"()": "motcua.core.logging.MaskPersonalIdsFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_personal_ids"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # An altered PDF is an expected answer of the verifier, not an error worth a traceback.
        "pyhanko.sign.diff_analysis": {"level": "ERROR"},
        "pyhanko.sign.validation": {"level": "ERROR"},
        "weasyprint": {"level": "WARNING"},
        # One INFO line per outbound request (the periodic national-portal pull) drowns the log.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- dossiers -----------------------------------------------------------------------------
# Whether the processing clock stops while a fee is awaited (status 6). domain.md marks this
# unconfirmed nationally, so it is a setting; on by default (the wait is the applicant's).
DOSSIER_PAUSE_ON_PAYMENT = env.bool("DOSSIER_PAUSE_ON_PAYMENT", default=True)

# --- external systems (simulators in development) ----------------------------------------
SIMULATORS_PORT = env.int("SIMULATORS_PORT", default=8900)

# --- signing (signing/pki.py; the operators' guide is docs/signing.md) -----------------------
# Nothing set: development, a CA under SIGNING_PKI_DIR (default VAR_DIR/pki) issues each
# agency's certificate. Production sets SIGNING_PKCS12_DIR (one <agency code>.p12 each) or
# SIGNING_PKCS11_MODULE (keys on a token or an HSM), never both. The PKCS#12 password and the
# token PIN stay in the files named by their *_FILE settings, read at each signing: never here.
SIGNING_PKI_DIR = env.str("SIGNING_PKI_DIR", default=None)
SIGNING_PKCS12_DIR = env.str("SIGNING_PKCS12_DIR", default=None)
SIGNING_PKCS12_PASSWORD_FILE = env.str("SIGNING_PKCS12_PASSWORD_FILE", default=None)
SIGNING_PKCS11_MODULE = env.str("SIGNING_PKCS11_MODULE", default=None)  # the vendor's PKCS#11 .so
SIGNING_PKCS11_TOKEN_LABEL = env.str("SIGNING_PKCS11_TOKEN_LABEL", default=None)
SIGNING_PKCS11_PIN_FILE = env.str("SIGNING_PKCS11_PIN_FILE", default=None)
# Key and certificate labels on the token: the agency code, unless mapped as "code=label,code=label".
SIGNING_PKCS11_LABELS = env.str("SIGNING_PKCS11_LABELS", default=None)  # or a dict {code: label}
# CA certificates that signatures must chain to; the development CA is trusted in development only,
# unless SIGNING_TRUST_DEV_CA says otherwise.
SIGNING_TRUST_DIR = env.str("SIGNING_TRUST_DIR", default=None)
SIGNING_TRUST_DEV_CA = env.bool("SIGNING_TRUST_DEV_CA", default=None)

# --- payments -----------------------------------------------------------------------------
# The national payment platform (simulators/payment.py in development, started by `make run`).
PAYMENT_PLATFORM_URL = env.str("PAYMENT_PLATFORM_URL", default=f"http://127.0.0.1:{SIMULATORS_PORT}/payment")
PAYMENT_MERCHANT_ID = env.str("PAYMENT_MERCHANT_ID", default="MOTCUA-HCM")
# DEVELOPMENT ONLY: the simulator's shared HMAC secret. Production sets PAYMENT_SECRET or
# PAYMENT_SECRET_FILE; `manage.py check --deploy` fails while this default is in use.
PAYMENT_DEVELOPMENT_SECRET = "motcua-development-payment-secret-NOT-FOR-PRODUCTION"  # noqa: S105 - development only
PAYMENT_SECRET = _secret("PAYMENT_SECRET") or PAYMENT_DEVELOPMENT_SECRET
# Where the platform posts its callbacks; empty means SITE_URL + /api/v1/payments/callback.
PAYMENT_CALLBACK_URL = env.str("PAYMENT_CALLBACK_URL", default="")
PAYMENT_TIMEOUT_SECONDS = env.float("PAYMENT_TIMEOUT_SECONDS", default=10.0)
# Started payments with no callback after this long are asked about (payments_reconcile).
PAYMENT_RECONCILE_AFTER_MINUTES = env.int("PAYMENT_RECONCILE_AFTER_MINUTES", default=10)

# --- e-mail and SMS (notifications; password-reset mail uses the same SMTP settings) ------
# Development: the SMTP sink of simulators/mail.py (read what it caught at /mail/ on the
# simulators' HTTP port). Production points EMAIL_HOST/EMAIL_PORT at a real relay.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="127.0.0.1")
EMAIL_PORT = env.int("EMAIL_PORT", default=8925)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = _secret("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Dịch vụ công MotCua <khong-tra-loi@motcua.local>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# The SMS gateway (simulators/sms.py in development). DEVELOPMENT ONLY default key, the same
# as the simulator's; production sets SMS_API_KEY or SMS_API_KEY_FILE.
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default=f"http://127.0.0.1:{SIMULATORS_PORT}/sms")
SMS_API_KEY = _secret("SMS_API_KEY") or "motcua-development-sms-key-NOT-FOR-PRODUCTION"
SMS_SENDER = env.str("SMS_SENDER", default="MOTCUA")
SMS_TIMEOUT_SECONDS = env.float("SMS_TIMEOUT_SECONDS", default=10.0)

# --- national systems (integrations; simulators/ in development) ---------------------------
# DEVELOPMENT ONLY defaults for the API keys: the simulators use the same ones. Production
# sets <NAME>_API_KEY or <NAME>_API_KEY_FILE.
POPULATION_DB_URL = env.str("POPULATION_DB_URL", default=f"http://127.0.0.1:{SIMULATORS_PORT}/population")
POPULATION_DB_API_KEY = _secret("POPULATION_DB_API_KEY") or "motcua-development-population-key-NOT-FOR-PRODUCTION"
CIVIL_STATUS_DB_URL = env.str("CIVIL_STATUS_DB_URL", default=f"http://127.0.0.1:{SIMULATORS_PORT}/civil-status")
CIVIL_STATUS_DB_API_KEY = _secret("CIVIL_STATUS_DB_API_KEY") or "motcua-development-civil-status-key-NOT-FOR-PRODUCTION"
SOCIAL_INSURANCE_DB_URL = env.str(
    "SOCIAL_INSURANCE_DB_URL", default=f"http://127.0.0.1:{SIMULATORS_PORT}/social-insurance"
)
SOCIAL_INSURANCE_DB_API_KEY = (
    _secret("SOCIAL_INSURANCE_DB_API_KEY") or "motcua-development-social-insurance-key-NOT-FOR-PRODUCTION"
)
DVCQG_URL = env.str("DVCQG_URL", default=f"http://127.0.0.1:{SIMULATORS_PORT}/dvcqg")
DVCQG_API_KEY = _secret("DVCQG_API_KEY") or "motcua-development-dvcqg-key-NOT-FOR-PRODUCTION"
# "direct": each system at its own URL; "lgsp": every call goes through the city's data bus.
INTEGRATIONS_TRANSPORT = env.str("INTEGRATIONS_TRANSPORT", default="direct")
LGSP_URL = env.str("LGSP_URL", default=f"http://127.0.0.1:{SIMULATORS_PORT}/lgsp")
LGSP_API_KEY = _secret("LGSP_API_KEY") or "motcua-development-lgsp-key-NOT-FOR-PRODUCTION"
INTEGRATIONS_TIMEOUT_SECONDS = env.float("INTEGRATIONS_TIMEOUT_SECONDS", default=10.0)
# Dossiers submitted at the national portal are pulled this often by run_periodic (seconds).
DVCQG_PULL_EVERY_SECONDS = env.float("DVCQG_PULL_EVERY_SECONDS", default=60.0)

# --- outbox -------------------------------------------------------------------------------
# A message is dead-lettered after this many failed tries; retries back off exponentially
# (base * 2**attempt seconds, capped, with jitter).
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
OUTBOX_BACKOFF_BASE_SECONDS = env.float("OUTBOX_BACKOFF_BASE_SECONDS", default=2.0)
OUTBOX_BACKOFF_CAP_SECONDS = env.float("OUTBOX_BACKOFF_CAP_SECONDS", default=3600.0)
# A worker that claimed a message and died is presumed dead after this long; the message
# is then claimable again (the remote drops the duplicate by idempotency key).
OUTBOX_CLAIM_TIMEOUT_SECONDS = env.float("OUTBOX_CLAIM_TIMEOUT_SECONDS", default=120.0)

# --- business registry (simulators/business_registry.py in development) ---------------------
BUSINESS_REGISTRY_URL = env.str(
    "BUSINESS_REGISTRY_URL", default=f"http://127.0.0.1:{SIMULATORS_PORT}/business-registry"
)
# DEVELOPMENT ONLY default, the same as the simulator's; production sets the key or its _FILE.
BUSINESS_REGISTRY_API_KEY = (
    _secret("BUSINESS_REGISTRY_API_KEY") or "motcua-development-business-registry-key-NOT-FOR-PRODUCTION"
)
