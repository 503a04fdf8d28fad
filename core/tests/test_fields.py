import io
import json

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.db import connection, models

from core import fields
from core.fields import EncryptedJSONField, EncryptedTextField, SecretUnreadable, encrypt

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()
TOKEN = "shpat_live_0123456789abcdef"
BUNDLE = {"access_token": "at-secret-1", "refresh_token": "rt-secret-1"}


class SecretThing(models.Model):
    """A test-only model: no app uses the encrypted fields yet, and no migration creates this."""

    token = EncryptedTextField(blank=True)
    credentials = EncryptedJSONField(null=True, blank=True)

    class Meta:
        app_label = "core"
        db_table = "test_core_secret_thing"

    def __str__(self):
        return f"SecretThing {self.pk}"


def unregister():
    del apps.all_models["core"]["secretthing"]
    apps.clear_cache()


# Defining the class registered it for the whole session; it belongs in the registry (where
# reencrypt_all and dumpdata look) only while the fixture below has its table.
unregister()


@pytest.fixture
def things(transactional_db):
    # Schema changes on SQLite cannot run inside the test transaction, hence transactional_db.
    apps.register_model("core", SecretThing)
    try:
        with connection.schema_editor() as editor:
            editor.create_model(SecretThing)
        yield SecretThing.objects
        with connection.schema_editor() as editor:
            editor.delete_model(SecretThing)
    finally:
        unregister()


def raw(thing):
    """The stored columns, read with SQL so no field code is involved."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT token, credentials FROM test_core_secret_thing WHERE id = %s", [thing.pk])
        return cursor.fetchone()


def test_text_and_json_round_trip(things):
    thing = things.create(token=TOKEN, credentials=BUNDLE)
    empty = things.create(token="", credentials=None)
    thing.refresh_from_db()
    empty.refresh_from_db()
    assert (thing.token, thing.credentials) == (TOKEN, BUNDLE)
    assert (empty.token, empty.credentials) == ("", None)
    assert raw(empty) == ("", None)


def test_the_column_holds_a_fernet_token_not_the_plaintext(things, settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    raw_token, raw_credentials = raw(things.create(token=TOKEN, credentials=BUNDLE))
    assert TOKEN not in raw_token
    assert "at-secret-1" not in raw_credentials and "access_token" not in raw_credentials
    assert Fernet(KEY_A).decrypt(raw_token).decode() == TOKEN
    assert json.loads(Fernet(KEY_A).decrypt(raw_credentials)) == BUNDLE


def test_the_same_plaintext_encrypts_differently_each_time(things):
    first, second = things.create(token=TOKEN), things.create(token=TOKEN)
    before = raw(first)[0]
    first.save()
    assert len({before, raw(first)[0], raw(second)[0]}) == 3


def test_only_isnull_lookups_are_allowed(things):
    things.create(token=TOKEN)
    with pytest.raises(FieldError, match=r"'token' cannot be filtered with 'exact'.*only __isnull"):
        things.filter(token=TOKEN).exists()
    with pytest.raises(FieldError, match="'credentials' cannot be filtered with 'contains'"):
        things.filter(credentials__contains="at-secret").exists()
    assert things.filter(credentials__isnull=True).count() == 1


def test_a_value_under_an_unknown_key_reads_as_unreadable_logged_once(things, settings, caplog):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    thing = things.create(token=TOKEN, credentials=BUNDLE)
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
    with caplog.at_level("ERROR", logger="core.fields"):
        loaded = things.get(pk=thing.pk)
        things.get(pk=thing.pk)
    assert fields.is_unreadable(loaded.token) and fields.is_unreadable(loaded.credentials)
    assert not loaded.token and str(loaded.token) == ""
    # One line per unreadable value, however often it is read; never the value or the key.
    assert len(caplog.records) == 2
    assert "cannot be decrypted by any key in FIELD_ENCRYPTION_KEYS" in caplog.text
    assert TOKEN not in caplog.text and KEY_A not in caplog.text
    with pytest.raises(SecretUnreadable, match="None of the keys in FIELD_ENCRYPTION_KEYS"):
        fields.decrypt(raw(thing)[0])


def test_an_unreadable_value_is_saved_back_unchanged(things, settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    thing = things.create(token=TOKEN, credentials=BUNDLE)
    stored = raw(thing)
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
    things.get(pk=thing.pk).save()
    assert raw(thing) == stored
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    assert things.get(pk=thing.pk).credentials == BUNDLE


def test_keys_rotate_without_losing_a_value(things, settings, monkeypatch):
    monkeypatch.setattr(fields, "REENCRYPT_BATCH_SIZE", 1)  # so paging goes past the first batch
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    full = things.create(token=TOKEN, credentials=BUNDLE)
    token_only = things.create(token="whsec_42")
    things.create(token="", credentials=None)  # nothing to rewrite
    before = raw(full) + raw(token_only)

    # Step 1: the new key goes first; values under the old key stay readable.
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    assert things.get(pk=full.pk).credentials == BUNDLE
    out = io.StringIO()
    call_command("reencrypt_secrets", stdout=out)
    assert "Re-encrypted 3 secret values under the first key of FIELD_ENCRYPTION_KEYS." in out.getvalue()

    # Step 2: the old key is gone, and everything still reads.
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
    assert (things.get(pk=full.pk).token, things.get(pk=full.pk).credentials) == (TOKEN, BUNDLE)
    assert things.get(pk=token_only.pk).token == "whsec_42"
    after = raw(full) + raw(token_only)
    assert after[:3] != before[:3] and after[3] is None
    for token in after[:3]:
        Fernet(KEY_B).decrypt(token)
        with pytest.raises(InvalidToken):
            Fernet(KEY_A).decrypt(token)


def test_rotation_finishes_past_an_unreadable_value_and_leaves_it_as_it_is(things, settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    readable = things.create(token=TOKEN)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # a key since thrown away
    lost = things.create(token="whsec_lost", credentials=BUNDLE)
    lost_before = raw(lost)

    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    out = io.StringIO()
    call_command("reencrypt_secrets", stdout=out)
    assert "Re-encrypted 1 secret values under the first key" in out.getvalue()
    assert "2 unreadable values left as they are" in out.getvalue()

    # The readable value was rewritten (the rest of the model was not rolled back) ...
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
    assert things.get(pk=readable.pk).token == TOKEN
    # ... and the unreadable ones are byte for byte what they were.
    assert raw(lost) == lost_before
    assert fields.is_unreadable(things.get(pk=lost.pk).token)


def test_a_malformed_key_is_a_configuration_error(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A, "not-a-fernet-key"]
    with pytest.raises(
        ImproperlyConfigured, match=r"FIELD_ENCRYPTION_KEYS\[1\] is not a Fernet key"
    ) as error:
        encrypt(TOKEN)
    assert "not-a-fernet-key" not in str(error.value)


def test_dumps_hold_ciphertext_and_load_back(things, tmp_path):
    thing = things.create(token=TOKEN, credentials=BUNDLE)
    dump = io.StringIO()
    call_command("dumpdata", "core", stdout=dump)
    assert '"model": "core.secretthing"' in dump.getvalue()
    for plaintext in (TOKEN, "at-secret-1", "rt-secret-1"):
        assert plaintext not in dump.getvalue()

    things.all().delete()
    fixture = tmp_path / "dump.json"
    fixture.write_text(dump.getvalue())
    call_command("loaddata", str(fixture), verbosity=0)
    thing.refresh_from_db()
    assert (thing.token, thing.credentials) == (TOKEN, BUNDLE)


def test_validation_never_decrypts_what_a_form_sends(things):
    # A token pasted into a form is stored as text, not turned back into its secret.
    pasted = encrypt(TOKEN)
    thing = SecretThing(token=pasted)
    thing.full_clean()
    assert thing.token == pasted


def test_the_json_field_stores_only_objects():
    field = SecretThing._meta.get_field("credentials")
    with pytest.raises(TypeError, match="stores a dict, not list"):
        field.get_prep_value(["at-secret-1"])


def test_the_fields_deconstruct_for_migrations():
    _name, path, args, kwargs = SecretThing._meta.get_field("credentials").deconstruct()
    assert (path, args, kwargs) == ("core.fields.EncryptedJSONField", [], {"null": True, "blank": True})
    assert SecretThing._meta.get_field("token").deconstruct()[1] == "core.fields.EncryptedTextField"
