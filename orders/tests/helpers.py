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
