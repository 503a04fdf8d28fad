"""Settings of the sandbox platforms: a separate Django process with its own database, which
plays Shopify, Etsy, WooCommerce and Pressero on one local port. It imports nothing of
Printfront's apps; Printfront reaches it over HTTP only, as it would the real platforms."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = "sandbox-only-not-a-secret"  # noqa: S105 (the sandbox holds demo data only)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

# Where the sandbox is reached, used to build the URLs it hands out (API base URLs).
SANDBOX_URL = os.environ.get("SANDBOX_URL", "http://127.0.0.1:8100").rstrip("/")
# Where the demo apps (Printfront) are served: their OAuth redirect_uri must be one of these
# followed by the app's callback path, exactly, as in a real app's configuration.
APP_URLS = [
    url.strip().rstrip("/")
    for url in os.environ.get("SANDBOX_APP_URLS", os.environ.get("SITE_URL", "http://127.0.0.1:8000")).split(
        ","
    )
    if url.strip()
]

INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.staticfiles", "sandbox"]
MIDDLEWARE = [
    # Serves the stylesheet without DEBUG, straight from the static folders (no collectstatic).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Its pages in the browser's language, like Printfront's.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
]
ROOT_URLCONF = "sandbox.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("SANDBOX_DATABASE_URL", f"sqlite:///{VAR_DIR / 'sandbox.sqlite3'}")
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The threaded server and the webhook retry threads write at once: transactions take the
    # write lock when they begin (a read that later writes would fail at once, not wait), and
    # wait for it as long as a slow machine needs.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 30}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
USE_I18N = True
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
# Printfront's catalog file holds the sandbox's words too (a data file, not an import).
LOCALE_PATHS = [BASE_DIR / "locale"]
STATIC_URL = "static/"
# The sandbox's pages reuse Printfront's stylesheet file (a file, not code).
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
APPEND_SLASH = False
# Errors of the sandbox itself go to its console (Django shows them only in DEBUG by default).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False}},
}
