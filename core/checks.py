"""Settings Printfront refuses to run with. They are system check errors, not warnings, so
`manage.py check`, runserver, migrate and the WSGI application (config/wsgi.py, for gunicorn,
which runs no checks itself) all stop with the reason."""

from django.conf import settings
from django.core import checks
from django.core.checks.security.base import SECRET_KEY_INSECURE_PREFIX
from django.core.exceptions import ImproperlyConfigured

from .fields import HOW_TO_MAKE_A_KEY, invalid_key_positions


@checks.register(checks.Tags.security)
def secret_key_is_set(app_configs, **kwargs):
    # The default key is public (it is in the source), and the encryption keys derive from it
    # when FIELD_ENCRYPTION_KEYS is empty: sessions, password resets and secrets would be open.
    if settings.DEBUG or not settings.SECRET_KEY.startswith(SECRET_KEY_INSECURE_PREFIX):
        return []
    return [
        checks.Error(
            "SECRET_KEY is not set (or is a public 'django-insecure-' key) and DEBUG is False.",
            hint="Set SECRET_KEY (or SECRET_KEY_FILE) to a long random string, e.g. "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`; "
            "for a local run, set DEBUG=True instead.",
            id="printfront.E001",
        )
    ]


@checks.register(checks.Tags.security)
def sandbox_is_off_in_production(app_configs, **kwargs):
    # The sandbox lets outbound requests reach private addresses and makes its public demo
    # secrets the platform secrets (anyone could sign a Shopify webhook).
    if settings.DEBUG or not settings.SANDBOX_ENABLED or settings.SANDBOX_FORCE:
        return []
    return [
        checks.Error(
            "SANDBOX_ENABLED is True and DEBUG is False.",
            hint="Switch the sandbox off in production (SANDBOX_ENABLED=False). To run the sandbox "
            "without DEBUG on purpose (a demo on a private network), also set SANDBOX_FORCE=True.",
            id="printfront.E002",
        )
    ]


@checks.register(checks.Tags.security)
def field_encryption_keys_are_fernet_keys(app_configs, **kwargs):
    keys = settings.FIELD_ENCRYPTION_KEYS
    if isinstance(keys, str):
        return [checks.Error("FIELD_ENCRYPTION_KEYS must be a list, not a string.", id="printfront.E003")]
    # The position only: a key is a secret even when malformed.
    return [
        checks.Error(
            f"FIELD_ENCRYPTION_KEYS[{position}] is not a Fernet key (32 url-safe base64-encoded bytes).",
            hint=HOW_TO_MAKE_A_KEY,
            id="printfront.E003",
        )
        for position in invalid_key_positions(keys)
    ]


def refuse_unsafe_settings():
    """For servers that run no system checks (gunicorn): raise if a security check fails."""
    errors = [
        message
        for message in checks.run_checks(tags=[checks.Tags.security])
        if message.is_serious() and not message.is_silenced()
    ]
    if errors:
        raise ImproperlyConfigured(
            "Printfront refuses to start:\n" + "\n".join(str(error) for error in errors)
        )
