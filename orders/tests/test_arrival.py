"""Orders arrive from every platform, over real HTTP from the sandbox's demo shops and through a
real worker: Shopify, WooCommerce and Pressero by webhook, Etsy by polling. Each order placed
in a demo shop is one order here, its mapped items linked to what the printer makes.

The sandbox runs once for the session: each test finds its own order by the number the demo
shop gave it."""

import time

import pytest
from django.urls import reverse

from core.testing import wait_for
from integrations.models import WebhookDelivery
from orders.models import Hold, ItemStatus, Order, OrderIntake
from orders.tasks import poll_orders, reconcile_store_orders

from .arrival import (
    ETSY_SHOP,
    PRESSERO_SHOP,
    SHOPIFY_SHOP,
    SHOPIFY_VARIANT_BASE,
    WOO_SHOP,
    change,
    demo_product,
    demo_variant,
    done,
    place,
)
from .helpers import map_variant

pytestmark = pytest.mark.worker


def arrived(store, number):
    """The store's order with this number, once the worker has made it (None until then)."""
    return Order.objects.filter(store=store, number=number).first()


def wait_for_order(store, number, until=lambda order: True):
    assert wait_for(lambda: (order := arrived(store, number)) is not None and until(order), timeout=30)
    return arrived(store, number)


def assert_linked(order, mapping):
    [item] = order.items.all()
    assert (item.quantity, item.catalog_variant_id, item.product_uid) == (
        2,
        mapping.catalog_variant_id,
        mapping.catalog_variant.uid,
    )
    assert order.hold != Hold.NEEDS_MAPPING


def test_a_shopify_order_arrives_once_and_follows_its_cancellation(
    shopify_store, shopify, admin, celery_worker
):
    variant = demo_variant(shopify, SHOPIFY_SHOP)
    mapping = map_variant(shopify_store, str(SHOPIFY_VARIANT_BASE + variant))

    number = place(shopify, SHOPIFY_SHOP, variant=variant)
    order = wait_for_order(shopify_store, f"#{number}")
    assert order.source == Order.Source.WEBHOOK and int(order.external_id) > 2**53
    assert (order.customer_email, order.shipping_address["country"]) == ("sam@example.com", "NL")
    assert_linked(order, mapping)

    change(shopify, SHOPIFY_SHOP, number, "order_cancel")  # orders/cancelled and orders/updated
    order = wait_for_order(shopify_store, f"#{number}", until=lambda o: o.cancelled_in_shop)
    assert done(shopify_store)
    assert order.items.get().status == ItemStatus.CANCELED
    assert Order.objects.filter(store=shopify_store).count() == 1
    topics = set(WebhookDelivery.objects.filter(store=shopify_store).values_list("topic", "state"))
    assert {("orders/create", "processed"), ("orders/cancelled", "processed")} <= topics
    # The store's deliveries log shows them.
    page = admin.get(reverse("integrations:store", args=[shopify_store.code])).text
    assert "orders/create" in page and "orders/cancelled" in page


def test_shopify_test_and_unpaid_orders_are_held_until_paid(shopify_store, shopify, celery_worker):
    variant = demo_variant(shopify, SHOPIFY_SHOP)
    map_variant(shopify_store, str(SHOPIFY_VARIANT_BASE + variant))

    test_order = wait_for_order(shopify_store, f"#{place(shopify, SHOPIFY_SHOP, variant=variant, test=True)}")
    assert (test_order.test, test_order.hold) == (True, Hold.TEST)

    number = place(shopify, SHOPIFY_SHOP, variant=variant, unpaid=True)
    unpaid = wait_for_order(shopify_store, f"#{number}")
    assert (unpaid.paid, unpaid.hold) == (False, Hold.UNPAID)
    change(shopify, SHOPIFY_SHOP, number, "order_paid")  # orders/updated
    paid = wait_for_order(shopify_store, f"#{number}", until=lambda o: o.paid)
    assert paid.hold not in (Hold.UNPAID, Hold.NEEDS_MAPPING)


def test_a_woocommerce_order_arrives_once_and_follows_its_cancellation(woo_store, sandbox_url, celery_worker):
    variant = demo_variant(sandbox_url, WOO_SHOP)
    mapping = map_variant(woo_store, str(variant))

    number = place(sandbox_url, WOO_SHOP, variant=variant, unpaid=True)
    order = wait_for_order(woo_store, str(number))
    assert (order.source, order.hold) == (Order.Source.WEBHOOK, Hold.UNPAID)  # pending: not paid yet
    [item] = order.items.all()
    assert item.catalog_variant_id == mapping.catalog_variant_id

    change(sandbox_url, WOO_SHOP, number, "order_paid")  # order.updated
    wait_for_order(woo_store, str(number), until=lambda o: o.paid)
    # The receiver knows a WooCommerce delivery by (topic, order, date_modified_gmt), in whole
    # seconds: a second change within the same second would pass for a repeat (hourly
    # reconciliation then brings it). Here the merchant's next click comes a second later.
    time.sleep(1.1)
    change(sandbox_url, WOO_SHOP, number, "order_cancel")
    order = wait_for_order(woo_store, str(number), until=lambda o: o.cancelled_in_shop)
    assert done(woo_store)
    assert Order.objects.filter(store=woo_store).count() == 1
    assert order.items.get().status == ItemStatus.CANCELED


def test_a_pressero_order_is_fetched_after_its_envelope(pressero_store, sandbox_url, celery_worker):
    product = demo_product(sandbox_url, PRESSERO_SHOP)
    mapping = map_variant(pressero_store, str(product))  # a Pressero product is its own variant

    number = place(sandbox_url, PRESSERO_SHOP, variant=demo_variant(sandbox_url, PRESSERO_SHOP))
    order = wait_for_order(pressero_store, str(number))
    assert (order.external_id, order.customer_email) == (str(number), "sam@example.com")
    assert_linked(order, mapping)
    assert done(pressero_store)
    assert WebhookDelivery.objects.get(store=pressero_store, topic="OrderPlaced").state == "processed"


def test_an_etsy_receipt_arrives_by_polling_once(etsy_store, etsy, celery_worker):
    variant = demo_variant(etsy, ETSY_SHOP)
    mapping = map_variant(etsy_store, str(variant))  # a receipt names the inventory product
    place(etsy, ETSY_SHOP, variant=variant)

    poll_orders.delay()
    assert wait_for(lambda: getattr(intake_of(etsy_store), "last_reconciled_at", None))
    newest = etsy_store.orders.order_by("-external_id").first()
    assert newest.source == Order.Source.POLLING
    assert_linked(newest, mapping)
    count, intake = etsy_store.orders.count(), intake_of(etsy_store)
    assert (intake.last_reconcile_error, intake.last_reconcile_found) == ("", count)

    reconcile_store_orders.delay(etsy_store.id)  # a repeat finds nothing new
    assert wait_for(lambda: intake_of(etsy_store).last_reconciled_at > intake.last_reconciled_at)
    assert (etsy_store.orders.count(), intake_of(etsy_store).last_reconcile_found) == (count, 0)


def intake_of(store):
    return OrderIntake.objects.filter(store=store).first()
