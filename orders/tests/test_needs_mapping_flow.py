"""The Needs mapping loop end to end, with a real worker: an order waits for a shop variant, the
client connects that variant on its product page (the page Needs mapping links to), and the
order continues by itself (catalog.signals.mappings_changed -> orders.tasks.relink_orders)."""

from django.urls import reverse

from catalog.models import CatalogVariant, StoreProduct, StoreVariant
from catalog.seed import seed_catalog
from core.tenancy import Role
from core.testing import wait_for
from integrations.types import SourceOrderLine
from orders.models import Hold, Order

from .helpers import make_order, store_of


def test_mapping_the_variant_on_its_product_page_lets_the_order_continue(client, acme, celery_worker):
    shop = store_of(acme)
    product = StoreProduct.objects.create(store=shop, external_id="P1", title="Sunset poster")
    variant = StoreVariant.objects.create(store=shop, product=product, external_id="V1", sku="SUN-A4")
    order = make_order(
        shop, lines=(SourceOrderLine("L1", "Sunset poster", 1, product_id="P1", variant_id="V1"),)
    )
    assert order.hold == Hold.NEEDS_MAPPING
    client.force_login(acme.user(Role.ADMIN))
    queue = client.get(reverse("orders:needs_mapping")).text
    product_page = reverse("catalog:product", kwargs={"code": product.code})
    assert product_page in queue

    seed_catalog()
    catalog_variant = CatalogVariant.objects.filter(active=True, product__active=True).order_by("id").first()
    response = client.post(
        reverse("catalog:product_connect", kwargs={"code": product.code}),
        {
            "catalog_product": str(catalog_variant.product.code),
            f"uid_{variant.code.hex}": catalog_variant.uid,
        },
    )
    assert response.status_code == 302

    assert wait_for(lambda: Order.objects.get(pk=order.pk).hold != Hold.NEEDS_MAPPING)
    item = Order.objects.get(pk=order.pk).items.get()
    assert item.product_uid == catalog_variant.uid
    assert product_page not in client.get(reverse("orders:needs_mapping")).text
