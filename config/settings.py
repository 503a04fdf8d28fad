"""Printfront settings: one file, driven by environment variables.

Every variable is listed with its default in README.md. With no variables set, the project
runs on an SQLite file and an embedded (filesystem) Celery broker under VAR_DIR.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured


def env(name, default=""):
    return os.environ.get(name, default)


def envbool(name, default):
    value = env(name, default)
    if value.lower() in ("true", "1", "yes"):
        return True
    if value.lower() in ("false", "0", "no", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be True or False, not {value!r}")


def envint(name, default):
    value = env(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envsecret(name, default=""):
    """Read NAME_FILE (a Docker secret) first, then NAME."""
    path = env(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return env(name, default)


def envlist(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent.parent
# Local state for the embedded defaults: SQLite file, broker queue, emails, cache.
VAR_DIR = Path(env("VAR_DIR", str(BASE_DIR / "var")))
for _folder in ("broker/queue", "broker/processed", "broker/control", "mail", "cache", "static", "media"):
    (VAR_DIR / _folder).mkdir(parents=True, exist_ok=True)

DEBUG = envbool("DEBUG", "False")

# Local runs: `make run PORT=8001` moves the web server, SITE_URL and the sandbox (PORT + 100).
PORT = envint("PORT", "8000")
# The public address of this Printfront. It builds links in emails, and an https:// address
# switches on every transport-security setting below.
SITE_URL = env("SITE_URL", f"http://127.0.0.1:{PORT}").rstrip("/")
SITE_NAME = env("SITE_NAME", "Printfront")
_site = urlsplit(SITE_URL)
HTTPS = _site.scheme == "https"

SECRET_KEY = envsecret("SECRET_KEY")
if not SECRET_KEY:
    if HTTPS:
        raise ImproperlyConfigured("SECRET_KEY must be set when SITE_URL is https://")
    # Local runs with DEBUG=True only: with DEBUG=False the system check printfront.E001
    # (core/checks.py) refuses this public key on http too, and https refuses it above.
    SECRET_KEY = "django-insecure-local-only-key-set-SECRET_KEY-in-production"  # noqa: S105

# Secrets at rest (store tokens, API keys, webhook secrets): Fernet keys, comma-separated,
# newest first. The first key encrypts; every key decrypts, so keys rotate without downtime
# (`manage.py reencrypt_secrets` rewrites everything under the first key).
FIELD_ENCRYPTION_KEYS = envlist("FIELD_ENCRYPTION_KEYS")
if not FIELD_ENCRYPTION_KEYS and HTTPS:
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must be set when SITE_URL is https://")

# The sandbox platforms (emulated Shopify, Etsy, WooCommerce, Pressero). While enabled, the
# outbound HTTP client may reach the sandbox's own address (SANDBOX_URL's host and port), and no
# other private or loopback one; link-local and metadata addresses are refused in every mode.
SANDBOX_ENABLED = envbool("SANDBOX_ENABLED", "True" if DEBUG else "False")
# With DEBUG=False the sandbox is refused (system check printfront.E002) unless forced.
SANDBOX_FORCE = envbool("SANDBOX_FORCE", "False")
SANDBOX_URL = env("SANDBOX_URL", f"http://127.0.0.1:{PORT + 100}").rstrip("/")
OUTBOUND_TIMEOUT = envint("OUTBOUND_TIMEOUT", "15")
# Seconds a web request may spend on platform calls in all (connect pages and callbacks), retries
# included; gunicorn's --timeout (Dockerfile, docker-compose.yml) stays well above it.
OUTBOUND_REQUEST_DEADLINE = envint("OUTBOUND_REQUEST_DEADLINE", "10")
# The largest webhook body taken (10 MiB): a Shopify order of 500 lines is 1.5 to 3 MB. Larger
# deliveries get 413 and a line in the store's log. See docs/decisions.md.
WEBHOOK_MAX_BODY_BYTES = envint("WEBHOOK_MAX_BODY_BYTES", str(10 * 1024 * 1024))

# Shopify: a public app's credentials from the Partner Dashboard. With the sandbox on and no
# credentials set, the sandbox's demo app (see sandbox/demo_keys.py) and its shops are used.
SHOPIFY_API_KEY = env("SHOPIFY_API_KEY", "sandbox-printfront-app" if SANDBOX_ENABLED else "")
SHOPIFY_API_SECRET = envsecret("SHOPIFY_API_SECRET", "sandbox-shopify-app-secret" if SANDBOX_ENABLED else "")
# Set only during a rotation of the app's secret: Shopify signs with either for up to an hour.
SHOPIFY_API_SECRET_PREVIOUS = envsecret("SHOPIFY_API_SECRET_PREVIOUS")
SHOPIFY_API_VERSION = env("SHOPIFY_API_VERSION", "2026-10")
SHOPIFY_SCOPES = envlist(
    "SHOPIFY_SCOPES",
    "read_products,write_products,read_orders,write_orders,"
    "read_merchant_managed_fulfillment_orders,write_merchant_managed_fulfillment_orders",
)
# Etsy: the app's keystring and shared secret from "Your Apps"; sandbox demo app by default.
ETSY_API_KEY = env("ETSY_API_KEY", "sandboxetsykeystring0001" if SANDBOX_ENABLED else "")
ETSY_SHARED_SECRET = envsecret("ETSY_SHARED_SECRET", "sandboxetsysharedsecret" if SANDBOX_ENABLED else "")
ETSY_SCOPES = envlist("ETSY_SCOPES", "listings_r,listings_w,shops_r,transactions_r,transactions_w")
ETSY_OAUTH_URL = env(
    "ETSY_OAUTH_URL",
    f"{SANDBOX_URL}/etsy/oauth/connect" if SANDBOX_ENABLED else "https://www.etsy.com/oauth/connect",
)
ETSY_API_URL = env("ETSY_API_URL", f"{SANDBOX_URL}/etsy" if SANDBOX_ENABLED else "https://api.etsy.com")
# Where a shop's admin is: {shop} is its myshopify.com hostname.
SHOPIFY_ADMIN_URL = env(
    "SHOPIFY_ADMIN_URL", f"{SANDBOX_URL}/shopify/{{shop}}" if SANDBOX_ENABLED else "https://{shop}"
)

ALLOWED_HOSTS = [_site.hostname, *envlist("ALLOWED_HOSTS")]
if DEBUG:
    ALLOWED_HOSTS += ["localhost", "127.0.0.1", "[::1]"]
CSRF_TRUSTED_ORIGINS = [SITE_URL, *envlist("CSRF_TRUSTED_ORIGINS")]

SECURE_SSL_REDIRECT = HTTPS and envbool("SECURE_SSL_REDIRECT", "True")
# The container healthcheck (config/healthcheck.py) asks gunicorn over plain http, inside the
# container: /healthz/ answers it there instead of redirecting to https.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "31536000") if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# The preload flag only allows submitting the domain to browsers' preload list; it submits nothing.
SECURE_HSTS_PRELOAD = HTTPS and envbool("SECURE_HSTS_PRELOAD", "True")
if envbool("TRUST_X_FORWARDED_PROTO", "False"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): our own scripts and styles only, plus the one inline
# script in base.html by its per-request nonce. No inline styles: htmx's indicator styles are
# switched off in base.html and live in printfront.css. No form-action: connecting a store posts
# a form whose answer redirects to the platform's own site.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    }
}

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "allauth",
    "allauth.account",
    "core",
    "connect",
    "storefronts",
    "integrations",
    "import_export",
    "catalog",
    "postbacks",
    "workflows",
    "orders",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.i18n.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.tenancy.TenancyMiddleware",
]

# What webhook deliveries (/hooks/) pass through instead (config/wsgi.py): HTTPS and host checks.
DELIVERY_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "core.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'printfront.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", "60"),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker, beat) share the file: wait for locks instead of failing.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            # Falls back to each process's memory while Redis is away, so sign-in keeps working;
            # short timeouts so no page waits long on an unreachable Redis.
            "BACKEND": "core.cache.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
else:
    # Shared by every local process, so login rate limits hold across them.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

AUTH_USER_MODEL = "core.User"
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
LOGIN_REDIRECT_URL = "home"

# Accounts (django-allauth): email sign-in, no public sign-up; people join by invitation.
ACCOUNT_ADAPTER = "core.accounts.AccountAdapter"
# allauth's forms with sentence-case labels.
ACCOUNT_FORMS = {
    "login": "core.accounts.LoginForm",
    "change_password": "core.accounts.ChangePasswordForm",
    "set_password": "core.accounts.SetPasswordForm",
    "reset_password_from_key": "core.accounts.ResetPasswordKeyForm",
}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_MAX_EMAIL_ADDRESSES = 1
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = _site.scheme

SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", str(14 * 24 * 3600))
INVITATION_TTL_HOURS = envint("INVITATION_TTL_HOURS", "168")
INVITATION_SEND_ATTEMPTS = envint("INVITATION_SEND_ATTEMPTS", "5")
INVITATION_RETRY_SECONDS = envint("INVITATION_RETRY_SECONDS", "30")

# Email: SMTP when EMAIL_HOST is set; otherwise each message is written to a file under
# VAR_DIR/mail, which the debug-only page /_debug/mail/ lists.
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", f"{SITE_NAME} <noreply@{_site.hostname}>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = env("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = envint("EMAIL_PORT", "587")
    EMAIL_HOST_USER = env("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = envsecret("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "True")
    EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", "False")
    EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", "15")
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")

# Celery: Redis when REDIS_URL is set, else an embedded filesystem broker that a real
# worker reads. Tasks are acknowledged after they finish, so a lost worker's task runs again.
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_timeout": 5}
else:
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_URL = "filesystem://localhost//"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        # Broadcast and remote-control messages (kombu's default is ./control, in the checkout).
        "control_folder": str(_broker_dir / "control"),
    }
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request that queues work must not hang on a dead broker (see core.tasks.enqueue_on_commit).
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "expire-invitations": {"task": "connect.tasks.expire_invitations", "schedule": 3600},
    # Every minute, so work saved while the broker was away goes out within a minute of its
    # return (core.tasks.LOST_AFTER says when waiting work counts as lost).
    "resend-stuck-invitations": {"task": "connect.tasks.requeue_pending_invitations", "schedule": 60},
    "refresh-expiring-tokens": {"task": "integrations.tasks.refresh_expiring_tokens", "schedule": 300},
    "requeue-lost-work": {"task": "integrations.tasks.requeue_lost_work", "schedule": 60},
    # Order deliveries stored while the broker was away, or claimed by a worker that died, are
    # drained within seconds (integrations.inbox.sweep).
    "sweep-inbox": {"task": "integrations.tasks.sweep_inbox", "schedule": 10},
    "requeue-lost-syncs": {"task": "catalog.tasks.requeue_lost_syncs", "schedule": 60},
    "requeue-lost-catalog-work": {"task": "catalog.tasks.requeue_lost_catalog_work", "schedule": 60},
    # Tracking to the shops: retries whose time came, and messages whose queueing was lost.
    "send-due-outbox": {"task": "orders.tasks.send_due_outbox", "schedule": 60},
    # Postbacks to clients' endpoints: retries whose time came, and deliveries whose queueing was lost.
    "send-due-postbacks": {"task": "postbacks.tasks.send_due_postbacks", "schedule": 60},
    "requeue-lost-order-imports": {"task": "orders.tasks.requeue_lost_imports", "schedule": 60},
    "requeue-lost-order-work": {"task": "orders.tasks.requeue_lost_order_work", "schedule": 60},
    # Shops that send no product webhooks (Etsy) are asked for what changed since the last sync.
    "sync-changed-products": {"task": "catalog.tasks.sync_changed_products", "schedule": 15 * 60},
    # Etsy sends no order webhooks: its receipts are polled. The other platforms' orders are
    # reconciled hourly, for any webhook that was lost (orders/reconciliation.py).
    "poll-orders": {"task": "orders.tasks.poll_orders", "schedule": 3 * 60},
    "reconcile-orders": {"task": "orders.tasks.reconcile_orders", "schedule": 60 * 60},
}

LANGUAGE_CODE = "en"
# Each language is named in itself: the switch offers "Español" to someone reading English.
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
# Uploaded design files and CSV imports. Never served as static files: views hand them out to
# those allowed to see them.
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
# The largest design file Printfront fetches or accepts (print PDFs run large).
DESIGN_FILE_MAX_BYTES = int(env("DESIGN_FILE_MAX_BYTES", str(200 * 1024 * 1024)))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env("STATICFILES_STORAGE", "whitenoise.storage.CompressedManifestStaticFilesStorage")
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
}
