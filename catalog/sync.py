"""Writing what a shop reports about its products into StoreProduct/StoreVariant.

A page of integrations.types.SourceProduct goes in with a fixed number of queries, whatever its
size: existing rows are read in one query per table, then created and changed rows are written
in bulk. Rows are compared before writing, so applying the same page twice writes nothing the
second time. Nothing is ever deleted: a product the shop no longer has is marked deleted, and
its mappings stay (the shop may bring it back; orders may still name it).
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .models import SourceState, StoreProduct, StoreVariant

PRODUCT_FIELDS = ("title", "product_type", "source_state", "option_names", "source_updated_at")
VARIANT_FIELDS = ("sku", "title", "options", "price", "source_state", "position")


@dataclass
class PageResult:
    created: int = 0
    updated: int = 0
    variants: int = 0


def _product_values(source):
    return {
        "title": source.title[:500],
        "product_type": source.product_type[:255],
        "source_state": source.state,
        "option_names": list(source.option_names),
        "source_updated_at": source.updated_at,
    }


def _variant_values(source, position, product_state):
    return {
        "sku": source.sku[:255],
        "title": source.title[:500],
        "options": dict(source.options),
        "price": source.price,
        # A deleted product's variants are gone with it.
        "source_state": SourceState.DELETED if product_state == SourceState.DELETED else SourceState.ACTIVE,
        "position": position,
    }


def _older_than_stored(source, product):
    known = product.source_updated_at if product else None
    return source.updated_at is not None and known is not None and source.updated_at < known


def _changed(row, values):
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    for name in changed:
        setattr(row, name, values[name])
    return changed


@transaction.atomic
def apply_page(store, sources, *, seen_at):
    """Create or update these products and their variants; mark variants a product no longer
    has as deleted. `seen_at` is stamped on every product of the page (StoreProduct.synced_at),
    which is how a full sync tells afterwards which products the shop did not report."""
    result = PageResult()
    sources = list({source.external_id: source for source in sources}.values())  # last copy wins
    # Locked, in one order (no deadlock between two writers): a webhook committing a newer state
    # between this read and the writes below would otherwise be overwritten with this page's.
    existing = {
        product.external_id: product
        for product in StoreProduct.objects.select_for_update()
        .filter(store=store, external_id__in=[s.external_id for s in sources])
        .order_by("pk")
    }
    # A page read before a webhook brought a newer state must not write the older one back.
    stale = {s.external_id for s in sources if _older_than_stored(s, existing.get(s.external_id))}
    sources = [source for source in sources if source.external_id not in stale]
    new_products, changed_products, changed_ids = [], [], set()
    for source in sources:
        values = _product_values(source)
        product = existing.get(source.external_id)
        if product is None:
            new_products.append(StoreProduct(store=store, external_id=source.external_id, **values))
        elif _changed(product, values):
            changed_products.append(product)
            changed_ids.add(product.pk)
    StoreProduct.objects.bulk_create(new_products)
    StoreProduct.objects.bulk_update(changed_products, PRODUCT_FIELDS)
    result.created = len(new_products)
    by_external_id = {**existing, **{product.external_id: product for product in new_products}}

    old_variants = {}
    for variant in StoreVariant.objects.filter(
        product__in=[p.pk for p in existing.values() if p.external_id not in stale]
    ):
        old_variants[(variant.product_id, variant.external_id)] = variant
    new_variants, changed_variants, reported = [], [], set()
    for source in sources:
        product = by_external_id[source.external_id]
        for position, variant_source in enumerate(source.variants):
            key = (product.pk, variant_source.external_id)
            if key in reported:
                continue  # a platform repeating a variant in one answer
            reported.add(key)
            values = _variant_values(variant_source, position, source.state)
            variant = old_variants.get(key)
            if variant is None:
                new_variants.append(
                    StoreVariant(
                        store=store, product=product, external_id=variant_source.external_id, **values
                    )
                )
                changed_ids.add(product.pk)
            elif _changed(variant, values):
                changed_variants.append(variant)
                changed_ids.add(product.pk)
    for key, variant in old_variants.items():
        if key not in reported and variant.source_state != SourceState.DELETED:
            variant.source_state = SourceState.DELETED
            changed_variants.append(variant)
            changed_ids.add(variant.product_id)
    StoreVariant.objects.bulk_create(new_variants)
    StoreVariant.objects.bulk_update(changed_variants, VARIANT_FIELDS)
    new_ids = {product.pk for product in new_products}
    result.updated = len(changed_ids - new_ids)
    result.variants = len(reported)
    StoreProduct.objects.filter(pk__in=[p.pk for p in by_external_id.values()]).update(synced_at=seen_at)
    return result


def unreported(store, since):
    """Products a full sync that began at `since` has not seen (and not already deleted): the
    shop may have deleted them, or its paging by position may have skipped them."""
    return StoreProduct.objects.filter(store=store, synced_at__lt=since).exclude(
        source_state=SourceState.DELETED
    )


def mark_unreported_gone(store, since, at=None):
    """Mark every product a full sync that began at `since` did not see as deleted. Only for
    products the shop has confirmed gone (catalog.products_sync asks it about each one first).
    Returns how many were newly marked."""
    return _mark_deleted(unreported(store, since), at)


def mark_gone(store, external_ids, at=None):
    """Products the shop says it deleted (a webhook, or a fetch that found nothing), at `at`
    (the webhook's time; now when unknown)."""
    return _mark_deleted(StoreProduct.objects.filter(store=store, external_id__in=external_ids), at)


def _mark_deleted(products, at=None):
    """The deletion's time becomes the product's source_updated_at, so a page read before it
    (an older state) cannot bring the product back (apply_page skips older states)."""
    at = at or timezone.now()
    ids = list(products.exclude(source_state=SourceState.DELETED).values_list("pk", flat=True))
    StoreVariant.objects.filter(product__in=ids).update(source_state=SourceState.DELETED)
    return StoreProduct.objects.filter(pk__in=ids).update(
        source_state=SourceState.DELETED, source_updated_at=at
    )
