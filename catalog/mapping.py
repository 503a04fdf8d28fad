"""Connect product: which catalog variant (product UID) each store variant is, with which design
file and print specification overrides. The Products list's query lives here too.

Views call these functions; they never write ProductMapping rows themselves.
"""

import os
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Exists, F, Func, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from core import audit
from core.tasks import enqueue_on_commit

from .catalog import search_products
from .models import CatalogVariant, FileCheck, ProductMapping, StoreProduct, StoreVariant
from .signals import send_mappings_changed

# --- The Products list --------------------------------------------------------------------------


class MappingFilter:
    MAPPED = "mapped"
    UNMAPPED = "unmapped"
    PARTLY = "partly"


def _count(queryset):
    """A correlated COUNT of `queryset` (filtered on OuterRef) as an integer annotation."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def product_rows(products, *, store=None, mapping="", file_problems=False, source_state="", query=""):
    """The Products list: `products` (already scoped to the request) filtered as asked, with
    each row's variant, mapped and file-problem counts as annotations (no query per row).

    The filters are EXISTS tests on indexed columns and the counts are correlated subqueries, so
    a page costs the same whichever page it is.
    """
    # NOT EXISTS rather than a LEFT JOIN ... IS NULL: PostgreSQL estimates the anti-join well
    # and picks hash joins, where the outer join's estimate of one row led it to a nested loop
    # over every product (seconds, not milliseconds, at 50,000 variants).
    unmapped = StoreVariant.objects.filter(product=OuterRef("pk")).filter(
        ~Exists(ProductMapping.objects.filter(variant=OuterRef("pk")))
    )
    mapped = ProductMapping.objects.filter(variant__product=OuterRef("pk"))
    problems = ProductMapping.objects.filter(variant__product=OuterRef("pk"), file_check=FileCheck.PROBLEM)
    if store is not None:
        products = products.filter(store=store)
    if source_state:
        products = products.filter(source_state=source_state)
    if mapping == MappingFilter.MAPPED:
        products = products.filter(Exists(mapped), ~Exists(unmapped))
    elif mapping == MappingFilter.UNMAPPED:
        products = products.filter(~Exists(mapped))
    elif mapping == MappingFilter.PARTLY:
        products = products.filter(Exists(mapped), Exists(unmapped))
    if file_problems:
        products = products.filter(Exists(problems))
    query = query.strip()
    if query:
        products = products.filter(
            Q(title__icontains=query)
            | Exists(StoreVariant.objects.filter(product=OuterRef("pk"), sku__icontains=query))
        )
    return products


def annotate_counts(products):
    """Variant, mapped and file-problem counts of each product, for the rows of one page."""
    return products.annotate(
        variant_count=_count(StoreVariant.objects.filter(product=OuterRef("pk"))),
        mapped_count=_count(ProductMapping.objects.filter(variant__product=OuterRef("pk"))),
        problem_count=_count(
            ProductMapping.objects.filter(variant__product=OuterRef("pk"), file_check=FileCheck.PROBLEM)
        ),
    )


def page_of_products(ids):
    """The products with these ids, in this order, with their store and counts: one query."""
    rows = annotate_counts(StoreProduct.objects.filter(pk__in=ids).select_related("store"))
    by_id = {row.pk: row for row in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


# --- Choosing the catalog product -----------------------------------------------------------------


def search_catalog_products(query, limit=20):
    """Active catalog products matching every word of `query` in their name or one of their
    active UIDs ("poster a4"): the catalog's own search (catalog.catalog.search_products)."""
    return list(search_products(query, active=True)[:limit])


# --- Suggesting UIDs ----------------------------------------------------------------------------


def _norm(value):
    return str(value).strip().casefold()


def suggest_uids(store_variants, catalog_variants, attributes):
    """{store variant id: catalog variant} where one catalog variant clearly fits a store variant.

    A store variant's SKU equal to a UID is a match. Otherwise each option value of the store
    variant (Size=M) is compared, ignoring case, with the code and name of the catalog variant's
    attribute values ("m", "M"): an option named like an attribute (Size) must agree with it, and
    the catalog variant matching the most values wins. A tie (Size=M against M/black and M/white)
    suggests nothing: a person chooses.
    """
    by_uid = {_norm(cv.uid): cv for cv in catalog_variants}
    # attribute code -> (names the attribute goes by, {value code -> words that value goes by})
    words = {}
    for attribute in attributes or []:
        code = attribute.get("code", "")
        names = {_norm(code), _norm(attribute.get("name", code))}
        values = {
            value.get("code", ""): {
                _norm(value.get("code", "")),
                _norm(value.get("name", value.get("code", ""))),
            }
            for value in attribute.get("values", [])
        }
        words[code] = (names, values)

    suggestions = {}
    for store_variant in store_variants:
        sku_match = by_uid.get(_norm(store_variant.sku)) if store_variant.sku else None
        if sku_match is not None:
            suggestions[store_variant.id] = sku_match
            continue
        options = [
            (_norm(name), _norm(value)) for name, value in (store_variant.options or {}).items() if value
        ]
        if not options:
            continue
        best, best_score, tied = None, 0, False
        for catalog_variant in catalog_variants:
            score, conflict = 0, False
            for code, value_code in (catalog_variant.values or {}).items():
                names, values = words.get(code, ({_norm(code)}, {}))
                said = values.get(value_code, {_norm(value_code)})
                for option_name, option_value in options:
                    if option_value in said:
                        score += 1
                        break
                    if option_name in names:
                        conflict = True  # Size=L against a catalog variant of size M
                        break
                if conflict:
                    break
            if conflict or score == 0:
                continue
            if score > best_score:
                best, best_score, tied = catalog_variant, score, False
            elif score == best_score:
                tied = True
        if best is not None and not tied:
            suggestions[store_variant.id] = best
    return suggestions


# --- Saving and removing mappings --------------------------------------------------------------


@dataclass
class VariantChoice:
    """What the Connect form says about one store variant."""

    variant: StoreVariant
    catalog_variant: CatalogVariant | None
    design_file_url: str = ""
    upload: object = None  # an UploadedFile


@dataclass
class ConnectResult:
    connected: int = 0
    changed: int = 0
    checks: list = field(default_factory=list)  # mapping ids whose file is to be checked


def save_upload(upload, folder="design-files"):
    """Store an uploaded design or print file in `folder` under a name of Printfront's making
    (the uploader's name is never a path); return that name."""
    extension = os.path.splitext(upload.name)[1].lower()[:6]
    return default_storage.save(f"{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}", upload)


def connect_product(
    actor, store_product, catalog_product, choices, *, spec_overrides, shared_url="", shared_upload=None
):
    """Save the mappings of a store product's variants in one transaction.

    Each choice with a catalog variant becomes (or updates) that variant's mapping; choices
    without one leave the variant as it was (disconnecting is its own action). A variant's own
    file or URL wins over the shared one. A mapping whose design file changed is checked again
    in the worker. Callers have validated everything; nothing here half-saves.
    """
    from . import tasks

    result = ConnectResult()
    with transaction.atomic():
        product = StoreProduct.objects.select_for_update().get(pk=store_product.pk)
        shared_name = save_upload(shared_upload) if shared_upload else ""
        names = {shared_name: shared_upload.name} if shared_upload else {}
        existing = {
            mapping.variant_id: mapping
            for mapping in ProductMapping.objects.select_for_update().filter(variant__product=product)
        }
        for choice in choices:
            if choice.catalog_variant is None:
                continue
            mapping = existing.get(choice.variant.id) or ProductMapping(
                store=product.store, variant=choice.variant
            )
            previous_name = (mapping.file_info or {}).get("name")
            before = (
                mapping.catalog_variant_id,
                mapping.design_file.name,
                mapping.design_file_url,
                mapping.spec_overrides,
            )
            if choice.upload is not None:
                file_name, url = save_upload(choice.upload), ""
                names[file_name] = choice.upload.name
            elif choice.design_file_url:
                file_name, url = "", choice.design_file_url
            elif shared_name:
                file_name, url = shared_name, ""
            elif shared_url:
                file_name, url = "", shared_url
            else:
                file_name, url = mapping.design_file.name or "", mapping.design_file_url
            file_changed = (file_name, url) != (mapping.design_file.name or "", mapping.design_file_url)
            mapping.catalog_variant = choice.catalog_variant
            mapping.design_file.name = file_name
            mapping.design_file_url = url
            mapping.spec_overrides = spec_overrides
            mapping.updated_by = actor
            specs_changed = before[0] != mapping.catalog_variant_id or before[3] != spec_overrides
            if file_changed or (specs_changed and (file_name or url)) or mapping.pk is None:
                mapping.file_check = FileCheck.PENDING if (file_name or url) else FileCheck.NONE
                mapping.file_problem = ""
                name = names.get(file_name) or (None if file_changed else previous_name)
                mapping.file_info = {"name": name} if name and file_name else {}
                mapping.file_checked_at = None
            if mapping.pk is None:
                result.connected += 1
            elif before != (
                mapping.catalog_variant_id,
                mapping.design_file.name,
                mapping.design_file_url,
                spec_overrides,
            ):
                result.changed += 1
            mapping.save()
            if mapping.file_check == FileCheck.PENDING:
                result.checks.append(mapping.pk)
        product.catalog_product = catalog_product
        product.save(update_fields=["catalog_product", "updated_at"])
        audit.record(
            actor,
            "product.mapped",
            client=product.store.client,
            target=product.title,
            data={
                "store_product": str(product.code),
                "catalog_product": str(catalog_product.code),
                "connected": result.connected,
                "changed": result.changed,
            },
        )
        if result.checks:
            enqueue_on_commit(tasks.check_design_files, product.pk)
        if result.connected or result.changed:
            send_mappings_changed(product.store_id)
    return result


def disconnect_variant(actor, mapping):
    """Remove one variant's mapping: its orders wait in "needs mapping" again."""
    with transaction.atomic():
        variant = mapping.variant
        ProductMapping.objects.filter(pk=mapping.pk).delete()
        audit.record(
            actor,
            "product.unmapped",
            client=mapping.store.client,
            target=f"{variant.product.title} ({variant})",
            data={"store_variant": str(variant.code), "uid": mapping.catalog_variant.uid},
        )


def request_file_check(mapping):
    """Check a mapping's design file again (the "Check again" button)."""
    from . import tasks

    if not (mapping.design_file.name or mapping.design_file_url):
        return False
    with transaction.atomic():
        name = (mapping.file_info or {}).get("name")
        ProductMapping.objects.filter(pk=mapping.pk).update(
            file_check=FileCheck.PENDING,
            file_problem="",
            file_info={"name": name} if name and mapping.design_file.name else {},
            file_checked_at=None,
            updated_at=timezone.now(),
        )
        enqueue_on_commit(tasks.check_design_files, mapping.variant.product_id)
    return True


def effective_specs(mapping):
    """The print specifications a mapping's file is checked against: the catalog's, with the
    mapping's overrides of minimum DPI and bleed."""
    catalog_variant = mapping.catalog_variant
    product = catalog_variant.product
    overrides = mapping.spec_overrides or {}
    width, height = catalog_variant.print_area_mm
    return {
        "width_mm": Decimal(width),
        "height_mm": Decimal(height),
        "min_dpi": int(overrides.get("min_dpi") or product.min_dpi),
        "bleed_mm": Decimal(str(overrides["bleed_mm"]))
        if overrides.get("bleed_mm") not in (None, "")
        else product.bleed_mm,
        "formats": product.file_formats or [],
    }
