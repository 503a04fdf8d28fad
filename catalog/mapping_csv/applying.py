"""Applying a validated Plan: the bulk writes, the progress an apply reports, its lock."""

from django.db import connection, connections
from django.utils import timezone

from core.tasks import enqueue_on_commit

from ..models import FileCheck, ProductMapping
from ..signals import send_mappings_changed
from .validation import chunks

APPLY_LOCK_SPACE = 7001  # the first key of the advisory locks that serialise applying an import


def apply(store, plan, user=None, progress=None):
    """Write the plan's changes with bulk operations. Call inside a transaction, on a plan without
    errors. Returns the ids of the mappings whose design file must be checked."""
    now = timezone.now()
    user_id = user.pk if user and user.pk else None
    created, updated, recheck_ids = [], [], []
    for change in plan.changes:
        if change.kind == "unchanged":
            continue
        mapping = ProductMapping(
            id=change.mapping_id,
            store_id=store.pk,
            variant_id=change.variant_id,
            catalog_variant_id=change.catalog_variant_id,
            design_file_url=change.url,
            updated_by_id=user_id,
            updated_at=now,
        )
        mapping.file_check = change.file_check
        if change.mapping_id is None and mapping.file_check is None:
            mapping.file_check = FileCheck.NONE
        (created if change.mapping_id is None else updated).append(mapping)
    done = 0
    for batch in chunks(created, 2000):
        ProductMapping.objects.bulk_create(batch)
        recheck_ids += [mapping.pk for mapping in batch if mapping.file_check == FileCheck.PENDING]
        done += len(batch)
        if progress:
            progress(done)
    for batch in chunks(updated, 1000):
        _update_mappings(store, batch, user_id, now)
        done += len(batch)
        if progress:
            progress(done)
    recheck_ids += [mapping.pk for mapping in updated if mapping.file_check == FileCheck.PENDING]
    if created or updated:
        send_mappings_changed(store.pk)
    return recheck_ids


# One statement for a batch of mappings, each with its own values. Django's bulk_update builds a
# CASE per field and row and spent 52 s of a 66 s apply (profiled) on 10,000 rows of
# bench/mapping_csv.py; this takes about a second. A file_check of NULL keeps the last check and
# what it found. A URL replaces an uploaded design file (as Connect product does): the download
# link and the file check then judge the same file.
UPDATE_MAPPINGS_SQL = """
UPDATE catalog_productmapping AS m SET
    catalog_variant_id = v.catalog_variant_id,
    design_file_url = v.design_file_url,
    design_file = CASE WHEN v.design_file_url <> '' THEN '' ELSE m.design_file END,
    file_check = COALESCE(v.file_check, m.file_check),
    file_problem = CASE WHEN v.file_check IS NULL THEN m.file_problem ELSE '' END,
    file_info = CASE WHEN v.file_check IS NULL THEN m.file_info ELSE '{}'::jsonb END,
    file_checked_at = CASE WHEN v.file_check IS NULL THEN m.file_checked_at END,
    updated_by_id = %s,
    updated_at = %s
FROM (VALUES {values}) AS v(id, catalog_variant_id, design_file_url, file_check)
WHERE m.id = v.id AND m.store_id = %s
"""
VALUES_ROW = "(%s::bigint, %s::bigint, %s::text, %s::text)"


def _update_mappings(store, mappings, user_id, now):
    """Write the new UID, URL and check state of existing mappings, one statement per batch."""
    if connection.vendor != "postgresql":
        for mapping in mappings:  # keep the last check where the file stands
            if mapping.file_check is not None:
                mapping.file_problem, mapping.file_info, mapping.file_checked_at = "", {}, None
        fresh = [m for m in mappings if m.file_check is not None]
        kept = [m for m in mappings if m.file_check is None]
        common = ["catalog_variant", "design_file_url", "updated_by", "updated_at"]
        ProductMapping.objects.bulk_update(
            fresh, [*common, "file_check", "file_problem", "file_info", "file_checked_at"]
        )
        ProductMapping.objects.bulk_update(kept, common)
        ProductMapping.objects.filter(pk__in=[m.pk for m in mappings if m.design_file_url]).update(
            design_file=""
        )
        return
    params = [user_id, now]
    for mapping in mappings:
        params += [mapping.pk, mapping.catalog_variant_id, mapping.design_file_url, mapping.file_check]
    params.append(store.pk)
    sql = UPDATE_MAPPINGS_SQL.replace("{values}", ", ".join([VALUES_ROW] * len(mappings)))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def queue_design_file_checks(store, mapping_ids):
    """Ask the worker to check the store's waiting design files once the transaction commits:
    one task for the store, so a URL that many rows share is fetched once."""
    if mapping_ids:
        from .. import tasks  # tasks imports this package

        enqueue_on_commit(tasks.check_store_design_files, store.pk)


class ApplyProgress:
    """Progress of an apply, written on a connection of its own: the apply's transaction is not
    committed until the end, so its own writes would not be seen by the page that polls. Only on
    PostgreSQL, where the two connections do not wait for each other; elsewhere the page shows
    "Applying" until the end."""

    def __init__(self, run):
        self.run_id = run.pk
        self.side = None
        if connection.vendor == "postgresql":
            self.side = connections.create_connection("default")

    def __call__(self, done):
        if self.side is not None:
            with self.side.cursor() as cursor:
                cursor.execute(
                    "UPDATE catalog_importrun SET rows_done = %s WHERE id = %s", [done, self.run_id]
                )

    def close(self):
        if self.side is not None:
            self.side.close()


def serialise_appliers(run):
    """Make a second applier of this run wait until the first one's transaction ends. Not a row
    lock: that would also block the progress writes ApplyProgress makes on its own connection,
    while this transaction waits for them. SQLite's immediate transactions already run one at a
    time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [APPLY_LOCK_SPACE, run.pk])
