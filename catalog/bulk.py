"""Bulk mapping by CSV: export a store's products and variants, fill in product UIDs and design
file URLs, import the file back.

Export: `StoreVariantResource` (django-import-export) says what each column holds; `export_csv`
streams it row by row with every cell escaped against spreadsheet formulas.

Import, all or nothing: `read_rows` parses the file (UTF-8 with or without BOM, the expected
columns), `validate` checks every row against the store and the catalog with a few bulk queries
and plans the changes (the preview), `apply` writes them with bulk operations. The views run
small files in the request; larger ones (over WORKER_ROWS) run in the worker through
`validate_run` and `apply_run`, which the benchmark uses too. `apply_run` validates again inside
its transaction, so what changed since the preview is caught rather than half applied.
"""

import csv
import io
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import DatabaseError, IntegrityError, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import resources
from import_export.fields import Field

from core import audit
from core.http import OutboundError, check_url_form
from core.models import User
from core.tasks import enqueue_on_commit

from .models import CatalogVariant, FileCheck, ImportRun, ProductMapping, StoreVariant

logger = logging.getLogger(__name__)

COLUMNS = [
    "store_product_id",
    "store_variant_id",
    "sku",
    "product_title",
    "variant_title",
    "options",
    "product_uid",
    "design_file_url",
]
# The columns an import reads; the others are there for people and may be left out.
REQUIRED = ["store_product_id", "store_variant_id", "product_uid", "design_file_url"]
MAX_BYTES = 25 * 1024 * 1024
MAX_ROWS = 100_000
URL_MAX_LENGTH = ProductMapping._meta.get_field("design_file_url").max_length
# Files with more rows than this are validated and applied in the worker, with progress.
WORKER_ROWS = 2000
# A cell starting with one of these is a formula to a spreadsheet (OWASP's CSV injection list).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
PREVIEW_ROWS = 20
MAX_ERRORS = 500  # kept and shown; the count says how many there were in all
# An import still being checked or applied this long after upload lost its worker message.
STALLED_AFTER = timedelta(minutes=10)
APPLY_LOCK_SPACE = 7001  # the first key of the advisory locks that serialise applying an import
LOOKUP_CHUNK = 5000
PROGRESS_EVERY = 5000


# --- Export --------------------------------------------------------------------------------------


def escape_cell(value):
    """A cell as text, with a leading apostrophe if a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def unescape_cell(text):
    """The value escape_cell() escaped, so an exported file imports back as it was."""
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def _mapping(variant):
    try:
        return variant.mapping
    except ProductMapping.DoesNotExist:
        return None


class StoreVariantResource(resources.ModelResource):
    """One CSV row per store variant: the shop's ids and names, and its mapping where it has one."""

    store_product_id = Field(attribute="product__external_id", column_name="store_product_id")
    store_variant_id = Field(attribute="external_id", column_name="store_variant_id")
    sku = Field(attribute="sku", column_name="sku")
    product_title = Field(attribute="product__title", column_name="product_title")
    variant_title = Field(attribute="title", column_name="variant_title")
    options = Field(column_name="options")
    product_uid = Field(column_name="product_uid")
    design_file_url = Field(column_name="design_file_url")

    class Meta:
        model = StoreVariant
        fields = COLUMNS
        export_order = COLUMNS

    def dehydrate_options(self, variant):
        return "; ".join(f"{name}: {value}" for name, value in (variant.options or {}).items())

    def dehydrate_product_uid(self, variant):
        mapping = _mapping(variant)
        return mapping.catalog_variant.uid if mapping else ""

    def dehydrate_design_file_url(self, variant):
        mapping = _mapping(variant)
        return mapping.design_file_url if mapping else ""


class _Echo:
    """A file whose write() hands back what it is given, so csv.writer makes lines to stream."""

    def write(self, value):
        return value


def export_queryset(store):
    return (
        StoreVariant.objects.filter(store=store)
        .select_related("product", "mapping__catalog_variant")
        .order_by("product__title", "product_id", "position", "id")
    )


def export_csv(store, batch=500):
    """The store's variants as CSV text, in pieces of `batch` lines: the header, then one line
    per variant. Reads the database in chunks, so a large shop never sits in memory whole."""
    resource = StoreVariantResource()
    writer = csv.writer(_Echo())
    yield writer.writerow(resource.get_export_headers())
    lines = []
    for variant in export_queryset(store).iterator(chunk_size=2000):
        lines.append(writer.writerow([escape_cell(value) for value in resource.export_resource(variant)]))
        if len(lines) >= batch:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


def export_file_name(store):
    return f"products-{store.code}.csv"


# --- Reading a file ------------------------------------------------------------------------------


class FileRefused(Exception):
    """The file as a whole cannot be read as a mapping CSV; the message says why, in words."""


@dataclass
class Row:
    number: int  # as a spreadsheet numbers it: the header is row 1
    product_id: str = ""
    variant_id: str = ""
    uid: str = ""
    url: str = ""
    width_error: str = ""


def check_size(size):
    if size > MAX_BYTES:
        raise FileRefused(
            _("The file is larger than %(size)s MB. Split it into smaller files.")
            % {"size": MAX_BYTES // 2**20}
        )


def decode(data):
    """The file's text; UTF-8 with or without a byte order mark, nothing else."""
    check_size(len(data))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused(
            _(
                "The file is not UTF-8 text. Save it as “CSV UTF-8” (in Excel: Save As > CSV UTF-8) "
                "and upload it again."
            )
        ) from None
    if "\x00" in text:
        raise FileRefused(_("The file is not UTF-8 text (it looks like UTF-16). Save it as “CSV UTF-8”."))
    if not text.strip():
        raise FileRefused(_("The file is empty."))
    return text


def read_rows(data):
    """The data rows of a mapping CSV, or FileRefused naming what is wrong with the file.

    Read with Python's csv module rather than tablib (see docs/decisions.md): tablib drops blank
    lines, which shifts the row numbers people are told, and refuses the whole file for one row
    with an extra cell, which should be an error of that row.
    """
    reader = csv.reader(io.StringIO(decode(data), newline=""))
    try:
        header = [name.strip().lower() for name in next(reader)]
        missing = [name for name in REQUIRED if name not in header]
        unknown = [name or _("(blank)") for name in header if name not in COLUMNS]
        repeated = sorted({name for name in header if name and header.count(name) > 1})
        problems = []
        if missing:
            problems.append(_("missing columns: %(names)s") % {"names": ", ".join(missing)})
        if unknown:
            problems.append(_("unknown columns: %(names)s") % {"names": ", ".join(unknown)})
        if repeated:
            problems.append(_("columns named twice: %(names)s") % {"names": ", ".join(repeated)})
        if problems:
            raise FileRefused(
                _("The first row must name the columns %(columns)s; this file has %(problems)s.")
                % {"columns": ", ".join(COLUMNS), "problems": "; ".join(problems)}
            )
        where = {name: header.index(name) for name in REQUIRED}
        width = len(header)
        rows = []
        for cells in reader:
            number = len(rows) + 2  # blank lines hold their place in `rows`
            if not any(cell.strip() for cell in cells):
                rows.append(None)  # a blank line: nothing to do, but it keeps its row number
                continue
            row = Row(number)
            if len(cells) > width:
                row.width_error = _("This row has %(count)s cells; the header names %(width)s columns.") % {
                    "count": len(cells),
                    "width": width,
                }
            cells = cells + [""] * (width - len(cells))
            row.product_id = unescape_cell(cells[where["store_product_id"]].strip())
            row.variant_id = unescape_cell(cells[where["store_variant_id"]].strip())
            row.uid = cells[where["product_uid"]].strip()
            row.url = cells[where["design_file_url"]].strip()
            rows.append(row)
            if len(rows) > MAX_ROWS:
                raise FileRefused(
                    _("The file has more than %(count)s rows. Split it into smaller files.")
                    % {"count": MAX_ROWS}
                )
    except StopIteration:
        raise FileRefused(_("The file is empty.")) from None
    except csv.Error as error:
        raise FileRefused(
            _("Row %(row)s cannot be read as CSV (%(error)s).") % {"row": reader.line_num, "error": error}
        ) from None
    rows = [row for row in rows if row is not None]
    if not rows:
        raise FileRefused(_("The file has a header but no rows."))
    return rows


# --- Validating ----------------------------------------------------------------------------------


@dataclass
class Change:
    row: int
    variant_id: int
    mapping_id: int | None
    kind: str  # new, changed, unchanged, cleared
    catalog_variant_id: int
    url: str
    uid_before: str = ""
    url_before: str = ""
    uid_after: str = ""
    # What becomes of the design file check: "pending" (check the file again), "" (no file
    # any more), or None (it stands).
    file_check: str | None = None


@dataclass
class Plan:
    rows_total: int
    errors: list = field(default_factory=list)
    error_count: int = 0
    changes: list = field(default_factory=list)
    left_alone: int = 0

    def error(self, row, column, message):
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"row": row, "column": column, "message": str(message)})

    def counts(self):
        counts = {"new": 0, "changed": 0, "unchanged": 0, "cleared": 0}
        for change in self.changes:
            counts[change.kind] += 1
        return {**counts, "left_alone": self.left_alone, "rows": self.rows_total}


def url_problem(url):
    """Why a design file URL is refused, in words, or None. Fetches nothing: the worker's
    check fetches it later through the outbound guard."""
    if len(url) > URL_MAX_LENGTH:
        return _("The URL is longer than %(count)s characters.") % {"count": URL_MAX_LENGTH}
    try:
        check_url_form(url)
    except OutboundError as error:
        return str(error)
    return None


def _chunks(items, size=LOOKUP_CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _store_variants(store, rows):
    """(store product id, store variant id) -> what the store holds for it, and its mapping."""
    queryset = StoreVariant.objects.filter(store=store)
    wanted = {row.variant_id for row in rows if row.variant_id}
    found = {}
    fields = (
        "product__external_id",
        "external_id",
        "id",
        "mapping__id",
        "mapping__catalog_variant_id",
        "mapping__catalog_variant__uid",
        "mapping__design_file_url",
        "mapping__design_file",
    )
    # A small file looks up its own variants; a large one reads the store's in one pass.
    batches = _chunks(wanted) if len(wanted) <= LOOKUP_CHUNK else [None]
    for batch in batches:
        subset = queryset if batch is None else queryset.filter(external_id__in=batch)
        for product_id, variant_id, *rest in subset.values_list(*fields).iterator(chunk_size=5000):
            found[(product_id, variant_id)] = rest
    return found


def _catalog_variants(rows):
    """uid -> (catalog variant id, orderable) for the UIDs the file names."""
    uids = {row.uid for row in rows if row.uid}
    found = {}
    for batch in _chunks(uids):
        for uid, pk, active, product_active in CatalogVariant.objects.filter(uid__in=batch).values_list(
            "uid", "id", "active", "product__active"
        ):
            found[uid] = (pk, active and product_active)
    return found


def validate(store, rows, progress=None):
    """Check every row and plan what applying the file would change. Never writes."""
    plan = Plan(rows_total=len(rows))
    variants = _store_variants(store, rows)
    catalog = _catalog_variants(rows)
    seen = {}
    for index, row in enumerate(rows, start=1):
        if progress and index % PROGRESS_EVERY == 0:
            progress(index)
        before = plan.error_count
        if row.width_error:
            plan.error(row.number, "", row.width_error)
        key = (row.product_id, row.variant_id)
        if not row.variant_id or not row.product_id:
            column = "store_variant_id" if not row.variant_id else "store_product_id"
            plan.error(row.number, column, _("Empty: every row needs the store product id and variant id."))
            continue
        if key in seen:
            plan.error(
                row.number,
                "store_variant_id",
                _("The same variant as row %(row)s: each variant may appear once.") % {"row": seen[key]},
            )
            continue
        seen[key] = row.number
        known = variants.get(key)
        if known is None:
            plan.error(
                row.number,
                "store_variant_id",
                _("Unknown variant: this store has no variant %(variant)s of product %(product)s.")
                % {"variant": row.variant_id, "product": row.product_id},
            )
        if not row.uid:
            if row.url:
                plan.error(
                    row.number, "product_uid", _("A design file URL needs a product UID on the same row.")
                )
            elif known is not None:
                plan.left_alone += 1
            continue
        entry = catalog.get(row.uid)
        if entry is None:
            plan.error(row.number, "product_uid", _("Unknown product UID %(uid)s.") % {"uid": row.uid})
        elif not entry[1]:
            plan.error(
                row.number,
                "product_uid",
                _("The product UID %(uid)s is no longer offered in the catalog.") % {"uid": row.uid},
            )
        if row.url:
            problem = url_problem(row.url)
            if problem:
                plan.error(row.number, "design_file_url", problem)
        if plan.error_count > before or known is None or entry is None:
            continue
        variant_pk, mapping_pk, cv_before, uid_before, url_before, uploaded = known
        url_before = url_before or ""
        if mapping_pk is None:
            kind = "new"
        elif cv_before == entry[0] and url_before == row.url and not (row.url and uploaded):
            kind = "unchanged"
        elif url_before and not row.url:
            kind = "cleared"
        else:
            kind = "changed"
        file_check = None  # unchanged: the last check stands
        if kind != "unchanged":
            # A new file, or the same one against another variant's print area: check it.
            file_check = FileCheck.PENDING if row.url or uploaded else FileCheck.NONE
        plan.changes.append(
            Change(
                row=row.number,
                variant_id=variant_pk,
                mapping_id=mapping_pk,
                kind=kind,
                catalog_variant_id=entry[0],
                url=row.url,
                uid_before=uid_before or "",
                url_before=url_before,
                uid_after=row.uid,
                file_check=file_check,
            )
        )
    if progress:
        progress(len(rows))
    plan.errors.sort(key=lambda error: error["row"])
    return plan


def preview(plan):
    """The first changes the file makes, with the names people know the variants by."""
    shown = [change for change in plan.changes if change.kind != "unchanged"][:PREVIEW_ROWS]
    names = {
        pk: (product, title or sku or external_id)
        for pk, product, title, sku, external_id in StoreVariant.objects.filter(
            pk__in=[change.variant_id for change in shown]
        ).values_list("id", "product__title", "title", "sku", "external_id")
    }
    return [
        {
            "row": change.row,
            "kind": change.kind,
            "product": names.get(change.variant_id, ("", ""))[0],
            "variant": names.get(change.variant_id, ("", ""))[1],
            "uid_before": change.uid_before,
            "uid_after": change.uid_after,
            "url_before": change.url_before,
            "url_after": change.url,
        }
        for change in shown
    ]


def record_validation(run, plan):
    """Save a validation's outcome on its run: the errors, or the counts and preview."""
    run.rows_total = plan.rows_total
    run.rows_done = plan.rows_total
    run.errors = plan.errors
    run.summary = {**plan.counts(), "error_count": plan.error_count, "preview": preview(plan)}
    run.state = ImportRun.State.INVALID if plan.error_count else ImportRun.State.READY
    if plan.error_count:
        run.finished_at = timezone.now()
    run.save(update_fields=["rows_total", "rows_done", "errors", "summary", "state", "finished_at"])


# --- Applying ------------------------------------------------------------------------------------


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
    for batch in _chunks(created, 2000):
        ProductMapping.objects.bulk_create(batch)
        recheck_ids += [mapping.pk for mapping in batch if mapping.file_check == FileCheck.PENDING]
        done += len(batch)
        if progress:
            progress(done)
    for batch in _chunks(updated, 1000):
        _update_mappings(store, batch, user_id, now)
        done += len(batch)
        if progress:
            progress(done)
    recheck_ids += [mapping.pk for mapping in updated if mapping.file_check == FileCheck.PENDING]
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
        from . import tasks  # tasks imports this module

        enqueue_on_commit(tasks.check_store_design_files, store.pk)


class _ApplyProgress:
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


def _load(run_id):
    return ImportRun.objects.select_related("store", "store__client").get(pk=run_id)


def _read_run(run):
    try:
        with run.file.open("rb") as upload:
            return upload.read()
    except (ValueError, OSError):  # no file, or gone from the media folder
        raise FileRefused(_("The uploaded file is no longer there. Import it again.")) from None


def _fail(run, message):
    run.state = ImportRun.State.FAILED
    run.summary = {**run.summary, "message": str(message)}
    run.finished_at = timezone.now()
    run.save(update_fields=["state", "summary", "finished_at"])


def validate_run(run_id):
    """Validate an uploaded import waiting for it (state validating), with progress. Idempotent:
    a run in any other state is left as it is."""
    run = _load(run_id)
    if run.state != ImportRun.State.VALIDATING:
        return run
    try:
        rows = read_rows(_read_run(run))
    except FileRefused as error:
        _fail(run, error)
        return run
    ImportRun.objects.filter(pk=run.pk).update(rows_total=len(rows), rows_done=0)

    def progress(done):
        ImportRun.objects.filter(pk=run.pk).update(rows_done=done)

    record_validation(run, validate(run.store, rows, progress))
    return run


def _serialise_appliers(run):
    """Make a second applier of this run wait until the first one's transaction ends. Not a row
    lock: that would also block the progress writes _ApplyProgress makes on its own connection,
    while this transaction waits for them. SQLite's immediate transactions already run one at a
    time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [APPLY_LOCK_SPACE, run.pk])


def lost_runs(now=None):
    """Imports whose worker message was lost (a broker outage, a worker killed): still being
    checked or applied STALLED_AFTER after they were last sent to the worker (queued_at: an
    import applied an hour after its upload is not lost). Both steps may run again: checking
    writes the same answer, and applying waits for the run's lock and finds it applied."""
    cutoff = (now or timezone.now()) - STALLED_AFTER
    stuck = ImportRun.objects.filter(queued_at__lt=cutoff, finished_at__isnull=True)
    return (
        list(stuck.filter(state=ImportRun.State.VALIDATING).values_list("id", flat=True)),
        list(stuck.filter(state=ImportRun.State.APPLYING).values_list("id", flat=True)),
    )


def sent_again(run_ids, now=None):
    """The sweep sent these runs to the worker again: the next sweep waits STALLED_AFTER more
    before sending them once more (a long apply gets one extra message, not one a minute)."""
    ImportRun.objects.filter(pk__in=run_ids).update(queued_at=now or timezone.now())


def claim_for_apply(run):
    """Move a checked run to applying; False if it is not ready (applied already, or by a second
    click)."""
    return bool(
        ImportRun.objects.filter(pk=run.pk, state=ImportRun.State.READY).update(
            state=ImportRun.State.APPLYING, rows_done=0, queued_at=timezone.now()
        )
    )


def apply_run(run_id, user_id=None, progress=True):
    """Apply a claimed run (state applying) in one transaction: validate the file again, then
    write every row, or nothing. Idempotent: a run in any other state is left as it is."""
    run = _load(run_id)
    if run.state != ImportRun.State.APPLYING:
        return run
    user = User.objects.filter(pk=user_id).first() if user_id else None
    try:
        rows = read_rows(_read_run(run))
    except FileRefused as error:
        _fail(run, error)
        return run
    tracker = _ApplyProgress(run) if progress else None
    try:
        with transaction.atomic():
            # A second delivery of this task (the sweep's) waits here, then finds it applied.
            _serialise_appliers(run)
            if not ImportRun.objects.filter(pk=run.pk, state=ImportRun.State.APPLYING).exists():
                return _load(run_id)
            plan = validate(run.store, rows)
            if plan.error_count:
                record_validation(run, plan)  # the store or the catalog changed since the preview
                return run
            recheck = apply(run.store, plan, user, tracker)
            run.state = ImportRun.State.DONE
            run.rows_total = run.rows_done = plan.rows_total
            run.summary = {**plan.counts(), "error_count": 0, "preview": run.summary.get("preview", [])}
            run.finished_at = timezone.now()
            run.save(update_fields=["state", "rows_total", "rows_done", "summary", "finished_at"])
            audit.record(
                user,
                "products.imported",
                client=run.store.client,
                target=run.store.name,
                data={"import": str(run.code), **plan.counts()},
            )
            queue_design_file_checks(run.store, recheck)
    except (IntegrityError, DatabaseError):
        logger.exception("Applying import %s failed", run.pk)
        run.refresh_from_db()
        _fail(
            run,
            _("The mappings changed while the file was applied, so nothing was applied. Import it again."),
        )
    finally:
        if tracker:
            tracker.close()
    return run
