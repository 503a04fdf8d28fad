"""Order webhooks as Shopify signs them, sent over real HTTP to the receiver and processed by a
real worker: duplicates make one order, an update before the create ends as in order, a custom
item waits in "Needs mapping" with its title, and what is malformed, forged, misaddressed or
too large is refused or failed without an order, visible in the store's deliveries."""

import json
import threading
import uuid

import pytest
from django.urls import reverse

from integrations.models import WebhookDelivery
from orders.models import Hold, ItemStatus, Order

from .arrival import deliver, done
from .helpers import map_variant

pytestmark = pytest.mark.worker

ORDER_ID = 2**63 - 25  # Shopify's ids are 64-bit: above 2**53 a float would change it
VARIANT_ID = 2**53 + 1  # the nearest float is 2**53


def shopify_body(*, order_id=ORDER_ID, updated_at="2026-11-30T10:00:00Z", lines=None, **fields):
    line = {
        "id": order_id - 1,
        "product_id": 2**53 + 3,
        "variant_id": VARIANT_ID,
        "title": "Poster",
        "variant_title": "A4",
        "sku": "P-A4",
        "quantity": 2,
        "price": "12.00",
        "properties": [{"name": "_print_file", "value": "https://files.example/art.pdf"}],
    }
    order = {
        "id": order_id,
        "name": "#1001",
        "email": "ann@example.com",
        "created_at": "2026-11-30T09:00:00Z",
        "updated_at": updated_at,
        "currency": "EUR",
        "financial_status": "paid",
        "cancelled_at": None,
        "test": False,
        "total_price": "24.00",
        "shipping_address": {
            "name": "Ann Buyer",
            "address1": "1 Main St",
            "city": "Utrecht",
            "country_code": "NL",
        },
        "line_items": [line] if lines is None else lines,
        **fields,
    }
    return json.dumps(order).encode()


def snapshot(order):
    """What an order is, apart from its ids and when and how it got here."""
    fields = ("number", "paid", "cancelled_in_shop", "customer_name", "status", "hold")
    items = order.items.values_list("title", "quantity", "status", "design_file_url", "product_uid")
    return {name: getattr(order, name) for name in fields}, sorted(items)


@pytest.fixture
def store(shopify_store):
    map_variant(shopify_store, str(VARIANT_ID))
    return shopify_store


def test_duplicates_sent_at_once_make_one_order(store, live_server, celery_worker):
    body = shopify_body()
    answers = []
    threads = [
        threading.Thread(target=lambda: answers.append(deliver(live_server, store, body))) for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert deliver(live_server, store, body).status_code == 200  # and once more, later
    assert done(store)
    order = Order.objects.get(store=store)
    assert order.external_id == str(ORDER_ID) and order.items.get().external_variant_id == str(VARIANT_ID)
    # The line's print file property is kept, but never replaces the mapping's file: any buyer
    # can set a line's properties.
    item = order.items.get()
    assert (item.line_file_url, item.design_file_url) == (
        "https://files.example/art.pdf",
        "https://files.example/poster.pdf",
    )


def test_an_update_before_the_create_ends_as_in_order(store, live_server, celery_worker):
    """The same story twice, for two orders: told in order, then told backwards."""

    def story(order_id):
        create = shopify_body(order_id=order_id)
        paid_later = shopify_body(
            order_id=order_id, updated_at="2026-11-30T10:05:00Z", financial_status="pending"
        )
        cancelled = shopify_body(
            order_id=order_id, updated_at="2026-11-30T10:09:00Z", cancelled_at="2026-11-30T10:09:00Z"
        )
        return [(create, "orders/create"), (paid_later, "orders/updated"), (cancelled, "orders/cancelled")]

    for told in (story(ORDER_ID), story(ORDER_ID - 1000)[::-1]):
        for body, topic in told:
            assert deliver(live_server, store, body, topic=topic).status_code == 200
            assert done(store)
    in_order, backwards = (
        Order.objects.get(store=store, external_id=str(i)) for i in (ORDER_ID, ORDER_ID - 1000)
    )
    assert snapshot(backwards) == snapshot(in_order)
    assert in_order.cancelled_in_shop and in_order.items.get().status == ItemStatus.CANCELED
    ignored = WebhookDelivery.objects.filter(store=store, state=WebhookDelivery.State.IGNORED)
    assert sorted(ignored.values_list("topic", flat=True)) == [
        "orders/create",
        "orders/updated",
    ]  # older reports


def test_a_custom_item_waits_in_needs_mapping_with_its_title(store, live_server, celery_worker):
    custom = {
        "id": 77,
        "product_id": None,
        "variant_id": None,
        "title": "Gift wrap",
        "quantity": 1,
        "price": "3.00",
    }
    assert deliver(live_server, store, shopify_body(lines=[custom])).status_code == 200
    assert done(store)
    order = Order.objects.get(store=store)
    assert order.hold == Hold.NEEDS_MAPPING
    item = order.items.get()
    assert (item.title, item.external_product_id, item.external_variant_id) == ("Gift wrap", "", "")
    assert WebhookDelivery.objects.get(store=store).state == WebhookDelivery.State.PROCESSED


def test_what_is_refused_or_unreadable_makes_no_order_and_shows_in_the_log(
    store, live_server, admin, celery_worker, settings
):
    assert deliver(live_server, store, shopify_body(), secret="not-the-app-secret").status_code == 401
    assert deliver(live_server, store, shopify_body(), code=uuid.uuid4()).status_code == 404
    settings.WEBHOOK_MAX_BODY_BYTES = 1000  # the live server runs in this process
    big = shopify_body(note="x" * 2000)
    assert deliver(live_server, store, big, topic="orders/updated").status_code == 413
    settings.WEBHOOK_MAX_BODY_BYTES = 1_000_000
    # Signed but not JSON: refused at once, kept for the log. Signed JSON that is no order: the
    # worker fails it, with why.
    assert deliver(live_server, store, b'{"id": 1, "line_items": [', topic="orders/create").status_code == 400
    assert deliver(live_server, store, b'{"id": 5, "name": "#9"}', topic="orders/updated").status_code == 200
    assert done(store)

    assert not Order.objects.exists()
    log = {d.topic + ":" + d.state: d for d in WebhookDelivery.objects.filter(store=store)}
    assert set(log) == {
        "orders/create:rejected",
        "orders/updated:too_large",
        "orders/create:malformed",
        "orders/updated:failed",
    }
    assert log["orders/updated:failed"].error == "The body of this delivery is not an order."
    assert (
        log["orders/create:rejected"].attempts == log["orders/create:malformed"].attempts == 0
    )  # never processed
    page = admin.get(reverse("integrations:store", args=[store.code])).text
    for outcome in ("Rejected: bad signature", "Refused: too large", "Refused: not JSON", "Failed"):
        assert outcome in page
