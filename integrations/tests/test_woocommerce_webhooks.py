"""WooCommerce webhooks: registered after connecting, pinged by the shop, deliveries verified
on the raw body and stored before anything else."""

import base64
import hashlib
import hmac
import json

import pytest
import requests
from django.urls import reverse

from core.tenancy import Role
from integrations import kept_stores, services
from integrations.models import WebhookDelivery
from integrations.tasks import register_webhooks
from storefronts.models import Store

from .helpers import READ_WRITE, place_order, sandbox_switch

ORDER = {
    "id": 1287,
    "status": "processing",
    "date_modified_gmt": "2026-11-27T18:05:13",
    "total": "39.00",
    "payment_url": "https://shop.example/checkout/order-pay/1287/",
}


@pytest.fixture
def store(live_server, sandbox_url, settings, client, acme):
    """Acme's WooCommerce store, connected through the connect page, webhooks registered."""
    settings.SANDBOX_ENABLED = True
    settings.SITE_URL = live_server.url
    client.force_login(acme.user(Role.ADMIN))
    client.post(
        reverse("integrations:connect_woocommerce"),
        {
            "store_url": f"{sandbox_url}/woocommerce/demo-posters",
            "consumer_key": READ_WRITE[0],
            "consumer_secret": READ_WRITE[1],
        },
    )
    store = Store.objects.get(platform="woocommerce")
    register_webhooks.apply(args=[store.id])
    store.refresh_from_db()
    return store


def deliver(live_server, store, body, signature=None, topic="order.created"):
    """Deliver as WooCommerce does; the signature is worked out here with hmac, not with our helper."""
    if signature is None:
        digest = hmac.new(store.webhook_secret.encode(), body, hashlib.sha256).digest()
        signature = base64.b64encode(digest).decode()
    return requests.post(
        live_server.url + reverse("hooks:woocommerce", args=[store.code]),
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-WC-Webhook-Topic": topic,
            "X-WC-Webhook-Signature": signature,
            "X-WC-Webhook-Delivery-ID": "not-unique",
        },
        timeout=10,
    )


def test_webhooks_are_registered_and_the_ping_answered(store, client):
    assert [(hook["topic"], hook["status"]) for hook in store.webhooks] == [
        ("order.created", "active"),
        ("order.updated", "active"),
        ("product.updated", "active"),
        ("product.deleted", "active"),
    ]
    assert len(store.webhook_secret) == 48 and store.webhook_secret.isalnum()
    pings = WebhookDelivery.objects.filter(store=store, topic="ping")
    assert pings.count() == 4 and {p.state for p in pings} == {"ignored"}
    page = client.get(reverse("integrations:store", args=[store.code])).text
    assert "order.created" in page and "Unsigned ping" in page


def test_registering_again_adds_nothing(store):
    before = [hook["id"] for hook in store.webhooks]
    register_webhooks.apply(args=[store.id])
    store.refresh_from_db()
    assert [hook["id"] for hook in store.webhooks] == before
    assert WebhookDelivery.objects.filter(store=store, topic="ping").count() == 4


def test_a_signed_delivery_is_stored_once(store, live_server):
    body = json.dumps(ORDER).replace("/", "\\/").encode()  # the exact bytes WooCommerce sends
    assert deliver(live_server, store, body).status_code == 200
    assert deliver(live_server, store, body).status_code == 200
    [delivery] = WebhookDelivery.objects.filter(store=store, topic="order.created")
    assert (delivery.state, delivery.signature_valid) == ("received", True)
    assert bytes(delivery.body) == body
    assert (delivery.delivery_key, delivery.body_digest) == ("", services.body_digest("order.created", body))


def test_two_edits_in_one_second_are_two_deliveries(store, live_server):
    """WooCommerce's date_modified_gmt has whole seconds: the second edit must not pass for a repeat."""
    edits = [
        json.dumps({**ORDER, "customer_note": note}).encode() for note in ("Ring twice", "Leave at the door")
    ]
    for body in edits:
        assert deliver(live_server, store, body, topic="order.updated").status_code == 200
    stored = WebhookDelivery.objects.filter(store=store, topic="order.updated").order_by("id")
    assert [bytes(delivery.body) for delivery in stored] == edits


def test_a_wrong_signature_is_refused_and_logged(store, live_server):
    response = deliver(live_server, store, json.dumps(ORDER).encode(), signature="bm9wZQ==")
    assert response.status_code == 401
    [delivery] = WebhookDelivery.objects.filter(store=store, topic="order.created")
    assert (delivery.state, delivery.signature_valid) == ("rejected", False)


def test_re_serialised_json_fails_the_signature(store, live_server):
    sent = json.dumps(ORDER).replace("/", "\\/").encode()
    digest = base64.b64encode(hmac.new(store.webhook_secret.encode(), sent, hashlib.sha256).digest()).decode()
    reencoded = json.dumps(json.loads(sent)).encode()
    assert deliver(live_server, store, reencoded, signature=digest).status_code == 401


def test_deliveries_for_a_disconnected_store_are_not_taken(store, live_server):
    # Saved by this process (as storefronts.services.disconnect_store does): a store its receivers
    # kept is forgotten at once. test_a_disconnection_made_elsewhere_holds_once_the_keep_is_over
    # shows one made by another process.
    store.state = "disconnected"
    store.save()
    response = deliver(live_server, store, json.dumps(ORDER).encode())
    assert (response.status_code, response.headers["Content-Type"]) == (410, "text/plain; charset=utf-8")
    assert response.text == "This store is disconnected from Printfront."
    assert not WebhookDelivery.objects.filter(store=store).exclude(topic="ping").exists()


def test_an_order_placed_in_the_shop_arrives_signed(store, sandbox_url):
    place_order(sandbox_url, "woocommerce/demo-posters")
    [delivery] = WebhookDelivery.objects.filter(store=store, topic="order.created")
    assert (delivery.state, delivery.signature_valid) == ("received", True)
    order = json.loads(bytes(delivery.body))
    assert order["line_items"][0]["quantity"] == 2 and order["billing"]["email"] == "sam@example.com"
    assert b"\\/" in bytes(delivery.body)  # PHP-escaped slashes, as WooCommerce signs them
    assert delivery.headers["X-Wc-Webhook-Resource"] == "order"


def test_with_webhooks_off_nothing_arrives(store, sandbox_url):
    sandbox_switch(sandbox_url, webhooks_off="on")
    try:
        place_order(sandbox_url, "woocommerce/demo-posters")
        page = requests.get(f"{sandbox_url}/shops/woocommerce/demo-posters/", timeout=10).text
    finally:
        sandbox_switch(sandbox_url)
    assert not WebhookDelivery.objects.filter(store=store, topic="order.created").exists()
    assert "Not sent: webhooks are switched off" in page


def test_a_kept_store_yields_to_a_renewed_secret_at_once(store, live_server):
    assert deliver(live_server, store, b'{"id": 1}').status_code == 200  # the store is now kept
    # Renewed by another process (no signal reaches this one's keep).
    Store.objects.filter(pk=store.pk).update(webhook_secret="renewed0secret0alphanumeric")
    store.refresh_from_db()
    assert deliver(live_server, store, b'{"id": 2}').status_code == 200
    assert (
        not WebhookDelivery.objects.filter(store=store, signature_valid=False).exclude(topic="ping").exists()
    )


def test_a_store_deleted_since_it_was_kept_is_not_found(store, live_server):
    assert deliver(live_server, store, b'{"id": 1}').status_code == 200
    kept = kept_stores._kept.copy()
    store.delete()
    kept_stores._kept.update(kept)  # as another process would still have it
    response = deliver(live_server, store, b'{"id": 2}')
    assert (response.status_code, response.text) == (404, "No such store.")


def test_a_disconnection_made_elsewhere_holds_once_the_keep_is_over(store, live_server, monkeypatch):
    assert deliver(live_server, store, b'{"id": 1}').status_code == 200
    Store.objects.filter(pk=store.pk).update(state="disconnected")  # by another process
    assert deliver(live_server, store, b'{"id": 2}').status_code == 200  # taken, as a moment sooner
    later = kept_stores.monotonic() + kept_stores.KEEP_SECONDS
    monkeypatch.setattr(kept_stores, "monotonic", lambda: later)
    assert deliver(live_server, store, b'{"id": 3}').status_code == 410
