"""Secrets at rest: model fields that store Fernet tokens instead of plaintext.

The keys are settings.FIELD_ENCRYPTION_KEYS, newest first. The first key encrypts; every key
decrypts, so a new key can go in front of the old ones without downtime, and
`manage.py reencrypt_secrets` (reencrypt_all below) then rewrites everything under it.
"""

import base64
import functools
import hashlib
import json
import logging

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import models, router, transaction
from django.db.models.functions import Cast
from django.dispatch import receiver

logger = logging.getLogger(__name__)

REENCRYPT_BATCH_SIZE = 500
HOW_TO_MAKE_A_KEY = (
    "Make one with `python -c 'from cryptography.fernet import Fernet; "
    "print(Fernet.generate_key().decode())'`."
)


class SecretUnreadable(Exception):
    """A stored token that no configured key can decrypt (wrong or removed key, or corrupt data)."""


class Unreadable:
    """What an encrypted field holds when no configured key decrypts its column (a key rotated
    away, corrupt data). It is falsy, so code treats the secret as missing, and it is saved back
    as the token it came from, so putting the old key back makes the value readable again."""

    __slots__ = ("token",)

    def __init__(self, token: str):
        self.token = token

    def __bool__(self) -> bool:
        return False

    def __eq__(self, other) -> bool:
        return isinstance(other, Unreadable) and other.token == self.token

    def __hash__(self) -> int:
        return hash(self.token)

    def __str__(self) -> str:
        return ""

    def __repr__(self) -> str:
        return "<unreadable secret>"


def is_unreadable(value) -> bool:
    return isinstance(value, Unreadable)


def invalid_key_positions(keys) -> list[int]:
    """Positions in `keys` that are not Fernet keys (32 url-safe base64-encoded bytes)."""
    positions = []
    for position, key in enumerate(keys):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            positions.append(position)
    return positions


@functools.cache
def _fernet():
    keys = settings.FIELD_ENCRYPTION_KEYS
    if isinstance(keys, str):
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must be a list of Fernet keys, not a string.")
    if not keys:
        # Local runs and tests only: settings refuses https:// without FIELD_ENCRYPTION_KEYS.
        # A key derived from SECRET_KEY keeps local data readable between runs.
        digest = hashlib.sha256(b"printfront.fields.encryption:" + settings.SECRET_KEY.encode()).digest()
        return MultiFernet([Fernet(base64.urlsafe_b64encode(digest))])
    invalid = invalid_key_positions(keys)
    if invalid:
        # Never echo the key itself: it is a secret even when malformed.
        raise ImproperlyConfigured(
            f"FIELD_ENCRYPTION_KEYS[{invalid[0]}] is not a Fernet key (32 url-safe base64-encoded "
            f"bytes). {HOW_TO_MAKE_A_KEY}"
        )
    return MultiFernet([Fernet(key) for key in keys])


@receiver(setting_changed)
def _forget_keys(*, setting, **kwargs):
    # Tests swap keys with override_settings / the settings fixture.
    if setting in {"FIELD_ENCRYPTION_KEYS", "SECRET_KEY"}:
        _fernet.cache_clear()


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable(
            "None of the keys in FIELD_ENCRYPTION_KEYS (or, when it is empty, the key derived from "
            "SECRET_KEY) can decrypt this value: it was encrypted under a key that is no longer "
            "configured, or it is corrupt."
        ) from None


# Fingerprints of the unreadable tokens already logged by this process: each is logged once.
_logged_unreadable: set[str] = set()


class EncryptedField(models.TextField):
    """Base of the encrypted fields: the column holds a Fernet token, Python holds the value.

    Encryption is randomised, so the column cannot be searched: only isnull lookups work.
    Subclasses say how a value becomes text (dump) and back (load).
    """

    def dump(self, value) -> str:
        raise NotImplementedError

    def load(self, text: str):
        raise NotImplementedError

    def is_stored_plain(self, value) -> bool:
        """Values kept as they are, unencrypted (nothing secret in them)."""
        return value is None

    def get_prep_value(self, value):
        if self.is_stored_plain(value):
            return value
        if isinstance(value, Unreadable):
            return value.token
        return encrypt(self.dump(value))

    def from_db_value(self, value, expression, connection):
        if self.is_stored_plain(value):
            return value
        try:
            return self.load(decrypt(value))
        except SecretUnreadable:
            # One unreadable row must not break every page that lists it: the model says what
            # the person should do (see storefronts.Store.needs_reconnect).
            self._log_unreadable(value)
            return Unreadable(value)

    def _log_unreadable(self, token: str) -> None:
        fingerprint = hashlib.sha256(token.encode()).hexdigest()[:12]
        if fingerprint in _logged_unreadable:
            return
        _logged_unreadable.add(fingerprint)
        logger.error(
            "A value of %s (fingerprint %s) cannot be decrypted by any key in FIELD_ENCRYPTION_KEYS; "
            "it reads as unreadable until its key is configured again or the value is replaced.",
            self,
            fingerprint,
        )

    def to_python(self, value):
        # Called by deserialisation (loaddata), whose input holds tokens (see value_to_string).
        # Values that are already Python (not a str token) pass through.
        if self.is_stored_plain(value) or not isinstance(value, str):
            return value
        return self.load(decrypt(value))

    def clean(self, value, model_instance):
        # Model validation (forms, full_clean) sees plaintext, never a token: skipping
        # to_python means nobody can paste a stolen token into a form to have it decrypted.
        self.validate(value, model_instance)
        self.run_validators(value)
        return value

    def value_to_string(self, obj):
        # Dumps (dumpdata) carry the token, never the plaintext.
        return self.get_prep_value(self.value_from_object(obj))

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise FieldError(
            f"{self.__class__.__name__} {self.name!r} cannot be filtered with {lookup_name!r}: its "
            "column holds ciphertext that differs on every save, so only __isnull lookups work."
        )


class EncryptedTextField(EncryptedField):
    """A secret string (access token, API key, webhook secret). "" is stored as "", unencrypted."""

    description = "Text encrypted at rest"

    def dump(self, value) -> str:
        return str(value)

    def load(self, text: str) -> str:
        return text

    def is_stored_plain(self, value) -> bool:
        return value is None or value == ""


class EncryptedJSONField(EncryptedField):
    """A secret JSON object, e.g. {"access_token": ..., "refresh_token": ...}; a dict or None."""

    description = "JSON object encrypted at rest"
    # An unset value is None, not "" (which is not a JSON object).
    empty_strings_allowed = False

    def dump(self, value) -> str:
        if not isinstance(value, dict):
            raise TypeError(
                f"{self.__class__.__name__} {self.name!r} stores a dict, not {type(value).__name__}."
            )
        return json.dumps(value, separators=(",", ":"))

    def load(self, text: str) -> dict:
        return json.loads(text)


def reencrypt_all(stdout=None) -> tuple[int, int]:
    """Rewrite every encrypted value in the database under the first key; return how many were
    rewritten and how many no key can decrypt.

    Each token is rotated (decrypted with whichever key fits, encrypted with the first) as raw
    text, so values are never decoded into Python objects along the way. An unreadable value is
    left as it is: one store needing a reconnect must not stop a key rotation from finishing.
    """
    total = unreadable_total = 0
    for model in apps.get_models():
        fields = [field for field in model._meta.local_concrete_fields if isinstance(field, EncryptedField)]
        if model._meta.proxy or not fields:
            continue
        count, unreadable = _reencrypt_model(model, fields)
        if stdout is not None:
            stdout.write(f"{model._meta.label}: {count} values re-encrypted, {unreadable} unreadable")
        total += count
        unreadable_total += unreadable
    return total, unreadable_total


def _reencrypt_model(model, fields) -> tuple[int, int]:
    fernet = _fernet()
    using = router.db_for_write(model)
    # Cast to a plain TextField so the raw token is read, bypassing from_db_value.
    raw_columns = [Cast(field.attname, models.TextField()) for field in fields]
    manager = model._base_manager.db_manager(using)
    count = unreadable = 0
    last_pk = None
    with transaction.atomic(using=using):
        while True:
            # Fetch each batch in full (keyset paging) rather than iterating a cursor while
            # updating the same table, which SQLite does not isolate.
            page = manager.order_by("pk")
            if last_pk is not None:
                page = page.filter(pk__gt=last_pk)
            batch = list(page.values_list("pk", *raw_columns)[:REENCRYPT_BATCH_SIZE])
            if not batch:
                return count, unreadable
            for pk, *tokens in batch:
                changes = {}
                for field, token in zip(fields, tokens, strict=True):
                    if not token:
                        continue
                    try:
                        changes[field.attname] = models.Value(fernet.rotate(token.encode()).decode())
                    except InvalidToken:
                        unreadable += 1  # kept as it is: putting the old key back still reads it
                if changes:
                    # A Value keeps the new token as it is (update() would encrypt a plain str again).
                    manager.filter(pk=pk).update(**changes)
                    count += len(changes)
            last_pk = batch[-1][0]
