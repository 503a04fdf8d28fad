"""Test helpers for orders: a store, a mapped variant."""

from catalog.models import CatalogVariant, ProductMapping, StoreProduct, StoreVariant
from catalog.seed import seed_catalog
from storefronts.models import Store


def store_of(world, platform=Store.Platform.SHOPIFY, name="Shop"):
    """A connected store of the client (a core.testing.ClientWorld) on `platform`."""
    client = world.client
    return Store.objects.create(
        client=client, platform=platform, name=name, shop_identity=f"{name.lower()}-{client.pk}"
    )


def map_variant(store, external_variant_id, *, design_url="https://files.example/poster.pdf", uid=None):
    """A store variant with this external id, mapped to a catalog variant."""
    if not CatalogVariant.objects.exists():
        seed_catalog()
    catalog_variant = (
        CatalogVariant.objects.get(uid=uid) if uid else CatalogVariant.objects.order_by("id").first()
    )
    product, _ = StoreProduct.objects.get_or_create(
        store=store, external_id=f"P-{external_variant_id}", defaults={"title": "Poster"}
    )
    variant = StoreVariant.objects.create(
        store=store, product=product, external_id=external_variant_id, sku="P-A4"
    )
    return ProductMapping.objects.create(
        store=store, variant=variant, catalog_variant=catalog_variant, design_file_url=design_url
    )


def make_order(store, *, number="#1001", external_id=None, lines=None, placed_at=None, **fields):
    """An order of the store as the shop would report it, through the one upsert (a custom
    item by default: it waits in Needs mapping). Returns the Order."""
    from django.db import transaction

    from integrations.types import SourceOrder, SourceOrderLine
    from orders.intake import upsert_order
    from orders.models import Order

    lines = lines if lines is not None else (SourceOrderLine("L1", "Poster", 1, sku="P-A4"),)
    source = SourceOrder(
        external_id=external_id or number.lstrip("#"),
        number=number,
        lines=tuple(lines),
        placed_at=placed_at,
        **fields,
    )
    with transaction.atomic():
        return upsert_order(store, source, via=Order.Source.WEBHOOK).order
