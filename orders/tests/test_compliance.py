"""Shopify's mandatory privacy webhooks: answered 200 once signed and stored, then processed by a
real worker against the personal data the store's orders hold."""

import json

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from integrations.models import WebhookDelivery
from integrations.types import Address, SourceOrder, SourceOrderLine
from orders.intake import upsert_order
from orders.models import Order, OrderEvent
from storefronts.services import disconnect_store

from .arrival import deliver, done

pytestmark = pytest.mark.worker


def order_of(store, external_id, email):
    source = SourceOrder(
        external_id=external_id,
        number=f"#{external_id}",
        lines=(SourceOrderLine("1", "Poster", 1),),
        customer_name="Ann Buyer",
        customer_email=email,
        shipping=Address(name="Ann Buyer", line1="1 Main St", city="Utrecht", country="NL"),
    )
    with transaction.atomic():
        return upsert_order(store, source, via=Order.Source.WEBHOOK).order


def personal(order):
    order.refresh_from_db()
    return (order.customer_name, order.customer_email, order.shipping_address)


def send(live_server, store, topic, payload):
    """To the app's one privacy URL, as Shopify sends these topics."""
    url = live_server.url + reverse("hooks:shopify_privacy")
    answer = deliver(live_server, store, json.dumps(payload).encode(), topic=topic, url=url)
    assert answer.status_code == 200
    assert done(store)
    return WebhookDelivery.objects.filter(store=store, topic=topic).latest("created_at")


def test_customers_redact_blanks_that_customer_s_orders_only(shopify_store, live_server, celery_worker):
    named = order_of(shopify_store, "1001", "ann@example.com")
    same_email = order_of(shopify_store, "1002", "ANN@example.com")
    other = order_of(shopify_store, "1003", "bob@example.com")
    payload = {
        "shop_id": 1,
        "shop_domain": shopify_store.shop_identity,
        "customer": {"id": 5, "email": "ann@example.com", "phone": None},
        "orders_to_redact": [1001],
    }
    assert send(live_server, shopify_store, "customers/redact", payload).state == "processed"
    assert personal(named) == personal(same_email) == ("", "", {})
    assert personal(other)[1] == "bob@example.com"
    assert OrderEvent.objects.filter(order=named, message__contains="customers/redact").exists()


def test_shop_redact_after_the_uninstall_erases_every_order_s_personal_data(
    shopify_store, live_server, celery_worker
):
    orders = [order_of(shopify_store, str(n), f"buyer{n}@example.com") for n in (1, 2)]
    disconnect_store(None, shopify_store, reason="Uninstalled")  # shop/redact comes 48 hours later
    payload = {"shop_id": 1, "shop_domain": shopify_store.shop_identity}
    assert send(live_server, shopify_store, "shop/redact", payload).state == "processed"
    assert [personal(order) for order in orders] == [("", "", {})] * 2


def test_a_data_request_is_recorded_and_an_order_body_passes_for_no_privacy_topic(
    shopify_store, live_server, celery_worker
):
    kept = order_of(shopify_store, "7", "ann@example.com")
    request = {
        "shop_id": 1,
        "shop_domain": shopify_store.shop_identity,
        "customer": {"id": 5, "email": "ann@example.com"},
        "orders_requested": [7],
        "data_request": {"id": 9999},
    }
    assert send(live_server, shopify_store, "customers/data_request", request).state == "processed"
    # The topic header is not signed: another shop's body, or an order's, redacts nothing.
    other_shop = {"shop_id": 2, "shop_domain": "other.myshopify.com"}
    assert send(live_server, shopify_store, "shop/redact", other_shop).state == "failed"
    order_body = {"id": 7, "shop_domain": shopify_store.shop_identity, "line_items": []}
    assert send(live_server, shopify_store, "shop/redact", order_body).state == "failed"
    assert personal(kept)[1] == "ann@example.com"


def test_the_privacy_url_takes_only_privacy_topics_signed_for_a_known_shop(shopify_store, live_server):
    url = live_server.url + reverse("hooks:shopify_privacy")
    body = json.dumps({"shop_id": 1, "shop_domain": shopify_store.shop_identity}).encode()
    assert (
        deliver(live_server, shopify_store, body, topic="shop/redact", url=url, secret="forged").status_code
        == 401
    )
    assert deliver(live_server, shopify_store, body, topic="orders/create", url=url).status_code == 401
    # Signed, for a shop Printfront does not know.
    unknown = json.dumps({"shop_id": 3, "shop_domain": "nobody.myshopify.com"}).encode()
    shopify_store.shop_identity = "nobody.myshopify.com"  # the header deliver() sends
    assert deliver(live_server, shopify_store, unknown, topic="shop/redact", url=url).status_code == 404
    # An unsigned request learns nothing and leaves nothing in any store's log.
    assert not Order.objects.exists() and not WebhookDelivery.objects.exists()


def test_customers_redact_reaches_every_store_of_the_shop_and_the_bodies_that_carried_it(
    shopify_store, live_server, celery_worker, globex
):
    from storefronts.models import Store

    order = order_of(shopify_store, "1001", "ann@example.com")
    brought = WebhookDelivery.objects.create(
        store=shopify_store,
        platform="shopify",
        topic="orders/create",
        body=b'{"id": 1001, "email": "ann@example.com"}',
        signature_valid=True,
        state=WebhookDelivery.State.FAILED,
    )
    disconnect_store(None, shopify_store, reason="Uninstalled")
    # Another client connected the same shop since.
    later = Store.objects.create(
        client=globex.client,
        platform="shopify",
        name="Same shop",
        shop_identity=shopify_store.shop_identity,
        connected_at=timezone.now(),
    )
    theirs = order_of(later, "2002", "ann@example.com")
    payload = {
        "shop_id": 1,
        "shop_domain": later.shop_identity,
        "customer": {"id": 5, "email": "ann@example.com"},
        "orders_to_redact": [1001, 2002],
    }
    assert send(live_server, later, "customers/redact", payload).state == "processed"
    assert personal(order) == personal(theirs) == ("", "", {})
    brought.refresh_from_db()
    assert bytes(brought.body) == b""  # a replay cannot write the data back


def test_shop_redact_leaves_a_store_connected_again_alone(shopify_store, live_server, celery_worker, globex):
    from storefronts.models import Store

    old = order_of(shopify_store, "1", "old@example.com")
    disconnect_store(None, shopify_store, reason="Uninstalled")
    live = Store.objects.create(
        client=globex.client,
        platform="shopify",
        name="Again",
        shop_identity=shopify_store.shop_identity,
        connected_at=timezone.now(),
    )
    kept = order_of(live, "2", "new@example.com")
    payload = {"shop_id": 1, "shop_domain": live.shop_identity}
    assert send(live_server, live, "shop/redact", payload).state == "processed"
    assert personal(old) == ("", "", {}) and personal(kept)[1] == "new@example.com"
