"""Validating a mapping CSV's rows against the store and the catalog: the Plan and its preview."""

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from core.http import OutboundError, check_url_form

from ..models import CatalogVariant, FileCheck, ImportRun, ProductMapping, StoreVariant

URL_MAX_LENGTH = ProductMapping._meta.get_field("design_file_url").max_length
PREVIEW_ROWS = 20
MAX_ERRORS = 500  # kept and shown; the count says how many there were in all
LOOKUP_CHUNK = 5000
PROGRESS_EVERY = 5000


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


def chunks(items, size=LOOKUP_CHUNK):
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
    batches = chunks(wanted) if len(wanted) <= LOOKUP_CHUNK else [None]
    for batch in batches:
        subset = queryset if batch is None else queryset.filter(external_id__in=batch)
        for product_id, variant_id, *rest in subset.values_list(*fields).iterator(chunk_size=5000):
            found[(product_id, variant_id)] = rest
    return found


def _catalog_variants(rows):
    """uid -> (catalog variant id, orderable) for the UIDs the file names."""
    uids = {row.uid for row in rows if row.uid}
    found = {}
    for batch in chunks(uids):
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
