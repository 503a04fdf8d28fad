"""Order deliveries are drained from the inbox: a request stores the row and sends at most one
wake-up; a drain claims waiting rows in batches and acts on each once, whatever else fails, and
however many drains run side by side; the sweep wakes a drain for what nobody is taking.

The drain's handler here is `record` below, standing in for the orders app's (which needs each
platform's order parser): it leaves an audit row per delivery it acts on, so "once" is counted."""

import json
import threading
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from config.celery import app as celery_app
from core.models import AuditEvent
from core.testing import free_port, wait_for
from integrations import inbox
from integrations.models import WebhookDelivery
from integrations.tests.test_inbox import deliver, stores  # noqa: F401 (a fixture)

HANDLED = "integrations.tests.test_inbox_drain.record"


def record(delivery):
    """Act on an order delivery: the body says how (`fail`: "value" refuses it for good,
    "crash" is an unforeseen fault)."""
    fail = json.loads(bytes(delivery.body)).get("fail")
    AuditEvent.objects.create(verb="test.handled", target=str(delivery.code))
    if fail == "value":
        raise ValueError("Not an order.")
    if fail == "crash":
        raise RuntimeError("Unforeseen.")


@pytest.fixture
def drained(monkeypatch):
    monkeypatch.setattr(inbox, "handlers", {"order": HANDLED})
    monkeypatch.setattr(inbox, "batch_handlers", {})


@pytest.fixture
def broker_away():
    """The broker cannot be reached: Celery publishes to a port nothing listens on."""
    address = celery_app.conf.broker_url

    def connect_to(url):
        celery_app.conf.broker_url = url
        celery_app._pool = None  # the connections and producers made for the old address
        celery_app.amqp._producer_pool = None

    connect_to(f"redis://127.0.0.1:{free_port()}/0")
    yield
    connect_to(address)


def queued():
    """Messages waiting in the broker's default queue."""
    with celery_app.connection_for_write() as conn:
        return conn.default_channel.queue_declare(celery_app.conf.task_default_queue).message_count


def order_body(number, **fields):
    return json.dumps({"id": number, "date_modified_gmt": "2026-12-01T05:00:00", **fields}).encode()


def handled(delivery):
    return AuditEvent.objects.filter(verb="test.handled", target=str(delivery.code)).count()


def test_many_order_deliveries_send_one_wake_up_and_are_left_to_the_drain(
    client,
    stores,  # noqa: F811
    drained,
    django_capture_on_commit_callbacks,
):
    before = queued()
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(5):
            response = deliver(client, stores["woocommerce"], order_body(number), topic="order.created")
            assert response.status_code == 200
    assert queued() - before == 1
    assert WebhookDelivery.objects.filter(state="received").count() == 5
    assert inbox.drain() == 5
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {"processed"}
    # The drain let go of its wake-up: the next delivery sends one of its own.
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, stores["woocommerce"], order_body(99), topic="order.created")
    assert queued() - before == 2


def test_a_process_that_found_the_wake_up_outstanding_sends_none_for_the_grace(
    client,
    stores,  # noqa: F811
    drained,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    clock = [1000.0]
    monkeypatch.setattr(inbox, "monotonic", lambda: clock[0])
    store, before = stores["woocommerce"], queued()

    def deliver_order(number):
        with django_capture_on_commit_callbacks(execute=True):
            deliver(client, store, order_body(number), topic="order.created")

    deliver_order(1)  # takes the wake-up
    deliver_order(2)  # finds it outstanding
    cache.delete(inbox.WAKE_KEY)  # a drain lets it go; its last look comes WAKE_GRACE later
    deliver_order(3)
    assert queued() - before == 1
    clock[0] += inbox.WAKE_GRACE * 1.01
    deliver_order(4)
    assert queued() - before == 2


def test_a_product_delivery_still_gets_a_task_of_its_own(
    client,
    stores,  # noqa: F811
    drained,
    django_capture_on_commit_callbacks,
):
    before = queued()
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(2):
            deliver(client, stores["woocommerce"], order_body(number), topic="product.updated")
    assert queued() - before == 2
    assert inbox.drain() == 0


def test_the_drain_goes_on_past_one_batch_and_past_deliveries_that_fail(client, stores, drained):  # noqa: F811
    store = stores["woocommerce"]
    for number in range(inbox.BATCH + 3):
        deliver(client, store, order_body(number), topic="order.created")
    refused = deliver(client, store, order_body(1000, fail="value"), topic="order.created")
    crashed = deliver(client, store, order_body(1001, fail="crash"), topic="order.created")
    assert refused.status_code == crashed.status_code == 200
    assert inbox.drain() == inbox.BATCH + 5
    deliveries = WebhookDelivery.objects.filter(store=store)
    assert deliveries.filter(state="processed").count() == inbox.BATCH + 3
    assert all(handled(delivery) == 1 for delivery in deliveries.filter(state="processed"))
    failed = deliveries.get(state="failed")
    assert (failed.error, failed.attempts, handled(failed)) == ("Not an order.", 1, 0)  # its writes undone
    retrying = deliveries.get(state="received")
    assert (retrying.error, retrying.attempts) == ("Unforeseen.", 1)
    assert retrying.next_attempt_at > timezone.now()
    # Not again until its time comes; then again, until its attempts are spent.
    assert inbox.drain() == 0
    for _ in range(inbox.MAX_ATTEMPTS - 1):
        WebhookDelivery.objects.filter(pk=retrying.pk).update(next_attempt_at=timezone.now())
        assert inbox.drain() == 1
    retrying.refresh_from_db()
    assert (retrying.state, retrying.attempts) == ("failed", inbox.MAX_ATTEMPTS)


@pytest.mark.django_db(transaction=True)
def test_drains_side_by_side_act_on_each_delivery_once(client, stores, drained):  # noqa: F811
    store = stores["woocommerce"]
    for number in range(4 * inbox.BATCH):
        deliver(client, store, order_body(number), topic="order.created")
    claimed, start = [], threading.Barrier(3)

    def drain():
        start.wait()
        try:
            claimed.append(inbox.drain())
        finally:
            connection.close()

    drains = [threading.Thread(target=drain) for _ in range(3)]
    for thread in drains:
        thread.start()
    for thread in drains:
        thread.join()
    assert sum(claimed) == 4 * inbox.BATCH
    assert AuditEvent.objects.filter(verb="test.handled").count() == 4 * inbox.BATCH
    assert not WebhookDelivery.objects.filter(state="received").exists()


def test_the_sweep_drains_only_when_a_delivery_waits_with_nobody_taking_it(
    client,
    stores,  # noqa: F811
    drained,
    django_capture_on_commit_callbacks,
):
    store = stores["woocommerce"]
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, store, order_body(1), topic="order.created")
    inbox.sweep()
    assert WebhookDelivery.objects.get().state == "received"  # just stored: its wake-up is on its way
    WebhookDelivery.objects.update(created_at=timezone.now() - inbox.UNTAKEN_AFTER - timedelta(seconds=1))
    assert cache.get(inbox.WAKE_KEY)  # a wake-up still counts as outstanding (say the broker lost it)
    inbox.sweep()
    assert WebhookDelivery.objects.get().state == "processed"


@pytest.mark.worker
def test_a_worker_drains_what_the_wake_up_announced(celery_worker, client, stores, drained):  # noqa: F811
    store = stores["woocommerce"]
    for number in range(3):
        deliver(client, store, order_body(number), topic="order.created")
    assert wait_for(lambda: WebhookDelivery.objects.filter(store=store, state="processed").count() == 3)
    assert AuditEvent.objects.filter(verb="test.handled").count() == 3


def test_an_order_delivery_is_stored_and_answered_while_the_broker_is_away(
    client,
    stores,  # noqa: F811
    drained,
    broker_away,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = deliver(client, stores["woocommerce"], order_body(1), topic="order.created")
    assert response.status_code == 200
    assert WebhookDelivery.objects.get().state == "received"
    # What the sweep's drain does once the broker is back.
    assert inbox.drain() == 1
    assert WebhookDelivery.objects.get().state == "processed"
