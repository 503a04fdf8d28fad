"""One row inserted unless a unique constraint already holds its like, in one statement.

For the hot paths that insert a row a request (the webhook receivers): Django's `create()`
rebuilds its INSERT for every call, which costs more CPU than PostgreSQL takes to run it, and
needs a savepoint to survive a duplicate. Here the statement is built once per model, from the
model's own fields, and a duplicate is PostgreSQL's ON CONFLICT DO NOTHING."""

from functools import cache

from django.db import connection


@cache
def _statement(model):
    meta = model._meta
    columns = [field for field in meta.local_concrete_fields if not field.primary_key]
    names = ", ".join(connection.ops.quote_name(field.column) for field in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    sql = (
        f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({names}) VALUES ({placeholders}) "  # noqa: S608 (names from the model)
        f"ON CONFLICT DO NOTHING RETURNING {connection.ops.quote_name(meta.pk.column)}"
    )
    return sql, columns


def insert_unless_taken(instance):
    """INSERT the unsaved `instance` (defaults and auto fields filled in as save() would), unless
    a unique constraint or index already holds a row like it. Returns whether it was inserted;
    then its pk is set. Needs ON CONFLICT and RETURNING: PostgreSQL, or SQLite from 3.35."""
    sql, columns = _statement(type(instance))
    values = [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in columns]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    instance.pk = row[0]
    instance._state.adding, instance._state.db = False, connection.alias
    return True
