"""Reconciliation: an order whose webhook never came is found by asking the shop for orders
changed since the last run, and a repeat run makes nothing new; a busy platform leaves the
store's progress where it was, so nothing is skipped."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.testing import wait_for
from integrations.models import WebhookDelivery
from integrations.tests.helpers import sandbox_switch
from orders.models import Order, OrderIntake
from orders.reconciliation import FIRST_LOOK_BACK, OVERLAP, asking_from, reconcile_store, store_lock
from orders.tasks import reconcile_orders, reconcile_store_orders

from .arrival import SHOPIFY_SHOP, SHOPIFY_VARIANT_BASE, WOO_SHOP, demo_variant, place
from .helpers import map_variant


@pytest.fixture
def webhooks_off(sandbox_url):
    """Switch a demo shop's webhooks off (they are not sent at all); on again afterwards."""
    switched = []

    def switch(shop):
        sandbox_switch(sandbox_url, shop=shop, webhooks_off=True)
        switched.append(shop)

    yield switch
    for shop in switched:
        sandbox_switch(sandbox_url, shop=shop)


def intake(store):
    return OrderIntake.objects.get(store=store)


@pytest.mark.worker
def test_a_shopify_order_without_its_webhook_arrives_by_reconciliation(
    shopify_store, shopify, webhooks_off, celery_worker
):
    variant = demo_variant(shopify, SHOPIFY_SHOP)
    mapping = map_variant(shopify_store, str(SHOPIFY_VARIANT_BASE + variant))
    webhooks_off(SHOPIFY_SHOP)
    number = place(shopify, SHOPIFY_SHOP, variant=variant)
    assert not WebhookDelivery.objects.filter(store=shopify_store).exists()

    before = timezone.now()
    reconcile_orders.delay()  # the hourly task: each store in its own task
    assert wait_for(lambda: OrderIntake.objects.filter(store=shopify_store, last_reconciled_at__isnull=False))
    assert intake(shopify_store).last_reconcile_error == ""
    order = Order.objects.get(store=shopify_store, number=f"#{number}")
    assert order.source == Order.Source.RECONCILIATION
    assert order.items.get().catalog_variant_id == mapping.catalog_variant_id
    first = intake(shopify_store)
    assert first.last_reconcile_error == "" and first.reconciled_until >= before
    assert first.last_reconcile_found == Order.objects.filter(store=shopify_store).count() >= 1

    count = Order.objects.count()
    assert reconcile_store(shopify_store) == 0  # asked again from reconciled_until - OVERLAP
    assert Order.objects.count() == count and intake(shopify_store).last_reconcile_found == 0


def test_a_woocommerce_order_without_its_webhook_arrives_and_a_repeat_makes_nothing(
    woo_store, sandbox_url, webhooks_off
):
    variant = demo_variant(sandbox_url, WOO_SHOP)
    webhooks_off(WOO_SHOP)
    number = place(sandbox_url, WOO_SHOP, variant=variant)
    reconcile_store(woo_store)
    order = Order.objects.get(store=woo_store, number=str(number))
    assert order.source == Order.Source.RECONCILIATION and order.items.count() == 1
    count = Order.objects.count()
    assert reconcile_store(woo_store) == 0 and Order.objects.count() == count


def test_the_first_run_looks_back_a_bounded_time_and_later_ones_from_where_the_last_ended(woo_store):
    now = timezone.now()
    first = OrderIntake(store=woo_store)
    assert asking_from(first, now) == now - FIRST_LOOK_BACK
    reconcile_store(woo_store)
    later = intake(woo_store)
    assert asking_from(later, now) == later.reconciled_until - OVERLAP
    assert now - timedelta(seconds=5) < later.reconciled_until <= timezone.now()


def test_a_busy_platform_keeps_the_store_s_progress(woo_store, sandbox_url):
    reconcile_store(woo_store)
    until = intake(woo_store).reconciled_until
    sandbox_switch(sandbox_url, shop=WOO_SHOP, fault="5xx", fault_limit=0)
    try:
        reconcile_store(woo_store)
    finally:
        sandbox_switch(sandbox_url, shop=WOO_SHOP)
    failed = intake(woo_store)
    assert failed.reconciled_until == until  # the next run asks for the same changes again
    assert "WooCommerce is having trouble on its side" in failed.last_reconcile_error
    reconcile_store(woo_store)
    assert intake(woo_store).last_reconcile_error == "" and intake(woo_store).reconciled_until > until


def test_two_runs_of_one_store_do_not_overlap(woo_store):
    with store_lock(woo_store.id) as held:
        assert held
        reconcile_store_orders.apply(args=[woo_store.id])  # a second run meanwhile: it does nothing
        assert not OrderIntake.objects.filter(store=woo_store, last_reconciled_at__isnull=False).exists()
    reconcile_store_orders.apply(args=[woo_store.id])
    assert intake(woo_store).last_reconciled_at is not None
