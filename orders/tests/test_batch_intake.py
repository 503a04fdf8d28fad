"""The drain creates the new orders of a batch together (orders.pipeline.create_new_orders): a
few statements for the lot, ending exactly as one by one would, and every delivery it cannot
take in bulk (a second report of the same order, a refused one, an order another drain made
meanwhile) is processed one by one as before."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from integrations import inbox, services
from integrations.models import WebhookDelivery
from orders import pipeline
from orders.models import Hold, Order, OrderEvent

from .helpers import map_variant, store_of
from .test_order_webhooks import VARIANT_ID, shopify_body, snapshot

pytestmark = pytest.mark.django_db

Processed = WebhookDelivery.State.PROCESSED


def receive(store, body, topic="orders/create"):
    delivery, _ = services.record_delivery(
        store,
        topic=topic,
        headers={},
        body=body,
        signature_valid=True,
        state=WebhookDelivery.State.RECEIVED,
    )
    return delivery


@pytest.fixture
def shop(acme):
    store = store_of(acme)
    map_variant(store, str(VARIANT_ID))
    return store


def deliveries_of(store):
    return WebhookDelivery.objects.filter(store=store).order_by("id")


def history(order):
    return list(order.events.order_by("id").values_list("kind", "message"))


def statements_to_drain(store, first, count):
    for number in range(first, first + count):
        receive(store, shopify_body(order_id=number, name=f"#{number}"))
    with CaptureQueriesContext(connection) as statements:
        assert inbox.drain() == count
    return len(statements)


def test_a_batch_of_new_orders_takes_the_statements_of_one(shop):
    statements_to_drain(shop, 3000, 1)  # the first order makes the default workflow rule
    assert statements_to_drain(shop, 1000, inbox.BATCH) == statements_to_drain(shop, 2000, 1)
    assert Order.objects.filter(store=shop).count() == inbox.BATCH + 2
    assert set(deliveries_of(shop).values_list("state", "attempts", "error")) == {(Processed, 1, "")}
    order = Order.objects.get(store=shop, external_id="1012")
    assert order.number == "#1012" and order.hold == Hold.FILE_PENDING
    assert order.items.get().product_uid  # linked through the mapping


def test_an_order_made_in_a_batch_is_the_order_made_one_by_one(acme, shop, monkeypatch):
    other = store_of(acme, name="Other")
    map_variant(other, str(VARIANT_ID))
    receive(shop, shopify_body())
    assert inbox.drain() == 1
    monkeypatch.setattr(inbox, "batch_handlers", {})
    receive(other, shopify_body())
    assert inbox.drain() == 1
    in_batch, alone = Order.objects.get(store=shop), Order.objects.get(store=other)
    assert snapshot(in_batch) == snapshot(alone)
    received = history(in_batch)[0][1]
    assert received.startswith("Received from Shop") and history(alone)[0][1].startswith(
        "Received from Other"
    )
    assert history(in_batch)[1:] == history(alone)[1:]
    kinds = [kind for kind, _ in history(in_batch)]
    assert kinds == [OrderEvent.Kind.RECEIVED, OrderEvent.Kind.WORKFLOW, OrderEvent.Kind.HOLD]


def test_a_create_and_its_update_in_one_batch_end_as_the_update(shop):
    receive(
        shop, shopify_body(updated_at="2026-11-30T10:05:00Z", financial_status="pending"), "orders/updated"
    )
    receive(shop, shopify_body())  # the older creation, claimed in the same batch
    assert inbox.drain() == 2
    order = Order.objects.get(store=shop)
    assert (order.paid, order.hold) == (False, Hold.UNPAID)
    states = dict(deliveries_of(shop).values_list("topic", "state"))
    assert states == {"orders/updated": Processed, "orders/create": WebhookDelivery.State.IGNORED}


def test_a_delivery_that_cannot_be_an_order_fails_alone(shop):
    receive(shop, shopify_body(order_id=1))
    refused = receive(shop, shopify_body(order_id=2, total_price="1e20"))
    receive(shop, shopify_body(order_id=3))
    assert inbox.drain() == 3
    assert sorted(Order.objects.filter(store=shop).values_list("external_id", flat=True)) == ["1", "3"]
    refused.refresh_from_db()
    assert refused.state == WebhookDelivery.State.FAILED and "too large" in refused.error


def test_an_order_another_drain_made_meanwhile_is_updated_one_by_one(shop, monkeypatch):
    receive(shop, shopify_body())
    assert inbox.drain() == 1
    # The next batch looked for its orders before the other drain's creation committed: its
    # INSERT then meets that order, and the batch falls back to one by one.
    monkeypatch.setattr(pipeline, "_existing", lambda keys: set())
    receive(shop, shopify_body(order_id=5))
    receive(
        shop, shopify_body(updated_at="2026-11-30T10:05:00Z", customer={"first_name": "Bo"}), "orders/updated"
    )
    assert inbox.drain() == 2
    assert Order.objects.filter(store=shop).count() == 2
    assert set(deliveries_of(shop).values_list("state", "attempts")) == {(Processed, 1)}
    assert (
        Order.objects.get(store=shop, external_id="5").events.filter(kind=OrderEvent.Kind.RECEIVED).count()
        == 1
    )
