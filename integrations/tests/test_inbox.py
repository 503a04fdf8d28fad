"""The webhook inbox, through the three receivers: an exact repeat is one delivery, bodies are
capped, what nobody signed is bounded, odd fields never lose a signed delivery, and a delivery
is handled once however its task is redelivered. Run on PostgreSQL too: its column lengths and
its refusal of NUL characters are the point of several tests here."""

import base64
import hashlib
import hmac
import json
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.db import connection, transaction
from django.urls import reverse

from core.models import AuditEvent
from core.tenancy import Role
from integrations import services
from integrations.models import WebhookDelivery
from storefronts.models import Store

SHOPIFY_SECRET = "inbox-test-app-secret"
STORE_SECRET = "inboxteststoresecret0123456789"
SHOP = "demo-apparel.myshopify.com"


@pytest.fixture
def stores(acme, settings):
    settings.SHOPIFY_API_SECRET = SHOPIFY_SECRET
    make = Store.objects.create
    return {
        "shopify": make(client=acme.client, platform="shopify", name="S", shop_identity=SHOP),
        "woocommerce": make(
            client=acme.client,
            platform="woocommerce",
            name="W",
            shop_identity="https://w.example",
            webhook_secret=STORE_SECRET,
        ),
        "pressero": make(
            client=acme.client,
            platform="pressero",
            name="P",
            shop_identity="https://p.example",
            webhook_secret=STORE_SECRET,
        ),
    }


def signed_headers(platform, body, *, topic):
    """Each platform's headers for `body`, signed here with hmac and hashlib as it signs."""
    if platform == "shopify":
        digest = hmac.new(SHOPIFY_SECRET.encode(), body, hashlib.sha256).digest()
        return {
            "HTTP_X_SHOPIFY_TOPIC": topic,
            "HTTP_X_SHOPIFY_HMAC_SHA256": base64.b64encode(digest).decode(),
            "HTTP_X_SHOPIFY_SHOP_DOMAIN": SHOP,
        }
    if platform == "woocommerce":
        digest = hmac.new(STORE_SECRET.encode(), body, hashlib.sha256).digest()
        return {
            "HTTP_X_WC_WEBHOOK_TOPIC": topic,
            "HTTP_X_WC_WEBHOOK_SIGNATURE": base64.b64encode(digest).decode(),
        }
    return {"HTTP_MESSAGEHASH": hashlib.sha1(STORE_SECRET.encode() + body).hexdigest()}  # noqa: S324 (Pressero's rule)


def deliver(client, store, body, *, topic="orders/create", signed=True, **headers):
    sent = signed_headers(store.platform, body, topic=topic) if signed else {"HTTP_MESSAGEHASH": "0" * 40}
    return client.post(
        reverse(f"hooks:{store.platform}", args=[store.code]),
        body,
        content_type="application/json",
        **{**sent, **headers},
    )


def kept(store, **filters):
    return WebhookDelivery.objects.filter(store=store, **filters)


# --- item 2 and 14: an exact repeat is one delivery ---------------------------------------------


def test_a_woocommerce_body_without_id_or_date_is_one_delivery(
    client, stores, django_capture_on_commit_callbacks
):
    store, body = stores["woocommerce"], b'{"status":"processing","total":"9.00"}'
    with django_capture_on_commit_callbacks() as queued:
        answers = [deliver(client, store, body, topic="order.created").status_code for _ in range(3)]
    assert answers == [200, 200, 200]
    assert kept(store).count() == 1 and len(queued) == 1


def test_different_bodies_without_id_are_different_deliveries(client, stores):
    store = stores["woocommerce"]
    deliver(client, store, b'{"status":"processing"}', topic="order.updated")
    deliver(client, store, b'{"status":"completed"}', topic="order.updated")
    assert kept(store).count() == 2


@pytest.mark.parametrize(
    "replayed_with",
    [
        {"HTTP_X_SHOPIFY_WEBHOOK_ID": "w-2"},
        {},
        {"HTTP_X_SHOPIFY_WEBHOOK_ID": "w-1", "HTTP_X_SHOPIFY_EVENT_ID": "e-9"},
    ],
    ids=["new-webhook-id", "no-webhook-id", "other-event-id"],
)
def test_a_signed_shopify_body_sent_again_is_one_delivery(
    client, stores, replayed_with, django_capture_on_commit_callbacks
):
    store, body = stores["shopify"], json.dumps({"id": 6170412236818542601, "name": "#1001"}).encode()
    with django_capture_on_commit_callbacks() as queued:
        deliver(client, store, body, HTTP_X_SHOPIFY_WEBHOOK_ID="w-1", HTTP_X_SHOPIFY_EVENT_ID="e-1")
        assert deliver(client, store, body, **replayed_with).status_code == 200
    [delivery] = kept(store)
    assert (delivery.delivery_key, len(queued)) == ("w-1", 1)


def test_shopify_deliveries_are_keyed_on_their_webhook_id(client, stores):
    store = stores["shopify"]
    deliver(client, store, b'{"id": 1, "updated_at": "a"}', HTTP_X_SHOPIFY_WEBHOOK_ID="w-1")
    deliver(client, store, b'{"id": 1, "updated_at": "b"}', HTTP_X_SHOPIFY_WEBHOOK_ID="w-1")
    assert kept(store).count() == 1


def test_one_body_under_two_topics_is_two_deliveries(client, stores):
    """Shopify sends a paid order's one body as orders/create and orders/paid."""
    store, body = stores["shopify"], b'{"id": 1, "financial_status": "paid"}'
    deliver(client, store, body, topic="orders/create", HTTP_X_SHOPIFY_WEBHOOK_ID="w-1")
    deliver(client, store, body, topic="orders/paid", HTTP_X_SHOPIFY_WEBHOOK_ID="w-2")
    assert sorted(kept(store).values_list("topic", flat=True)) == ["orders/create", "orders/paid"]


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's shared in-memory test database locks whole tables under concurrent writes",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_copies_make_one_row(acme, settings, live_server):
    store = Store.objects.create(
        client=acme.client,
        platform="woocommerce",
        name="W",
        shop_identity="https://w.example",
        webhook_secret=STORE_SECRET,
    )
    body = b'{"status":"processing"}'
    headers = {
        "Content-Type": "application/json",
        "X-WC-Webhook-Topic": "order.created",
        "X-WC-Webhook-Signature": signed_headers("woocommerce", body, topic="")[
            "HTTP_X_WC_WEBHOOK_SIGNATURE"
        ],
    }
    url = live_server.url + reverse("hooks:woocommerce", args=[store.code])
    with ThreadPoolExecutor(max_workers=3) as pool:
        answers = list(
            pool.map(lambda _: requests.post(url, data=body, headers=headers, timeout=10), range(3))
        )
    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert kept(store).count() == 1


# --- item 3: a deliberate body cap -------------------------------------------------------------


@pytest.mark.parametrize("platform", ["shopify", "woocommerce", "pressero"])
def test_a_body_over_the_cap_is_refused_and_logged_with_its_size(client, stores, platform, acme):
    store = stores[platform]
    body = b'{"id": 1, "note": "' + b"x" * (10 * 1024 * 1024) + b'"}'
    response = deliver(client, store, body)
    assert response.status_code == 413
    [delivery] = kept(store)
    assert (delivery.state, delivery.size, bytes(delivery.body)) == ("too_large", len(body), b"")
    client.force_login(acme.user(Role.ADMIN))
    page = client.get(reverse("integrations:store", args=[store.code])).text
    assert "Refused: too large (10.0\xa0MB)" in page


def test_a_body_over_djangos_form_limit_is_taken(client, stores):
    store = stores["woocommerce"]
    body = json.dumps({"id": 7, "date_modified_gmt": "2026-11-27T18:05:13", "note": "x" * 3_000_000}).encode()
    assert deliver(client, store, body, topic="order.created").status_code == 200
    [delivery] = kept(store)
    assert (delivery.state, delivery.size, bytes(delivery.body)) == ("received", len(body), body)


def test_the_cap_is_a_setting(client, stores, settings):
    settings.WEBHOOK_MAX_BODY_BYTES = 100
    store = stores["pressero"]
    assert deliver(client, store, b"{" + b" " * 99 + b"}").status_code == 413
    assert deliver(client, store, b"{" + b" " * 98 + b"}").status_code == 200


# --- item 4 and 13: what nobody signed is bounded ----------------------------------------------


def test_unsigned_deliveries_are_bounded_per_store(client, stores, acme):
    store = stores["woocommerce"]
    deliver(client, store, b'{"id": 1, "date_modified_gmt": "a"}', topic="order.created")
    for number in range(services.UNSIGNED_KEPT + 5):
        deliver(
            client,
            store,
            b'{"n": %d}' % number,
            topic="order.created",
            HTTP_X_WC_WEBHOOK_SIGNATURE="bm9wZQ==",
        )
    refused = kept(store, state="rejected")
    assert refused.count() == services.UNSIGNED_KEPT
    assert bytes(refused.first().body) == b'{"n": %d}' % (services.UNSIGNED_KEPT + 4)
    assert kept(store, state="received").count() == 1
    assert services.dropped_deliveries(store) == 5
    client.force_login(acme.user(Role.ADMIN))
    page = client.get(reverse("integrations:store", args=[store.code])).text
    assert "5 earlier deliveries without a valid signature were not kept." in page


def test_what_is_kept_of_headers_is_bounded(client, stores):
    store = stores["shopify"]
    junk = {f"HTTP_X_JUNK_{number}": "j" * 4096 for number in range(60)}
    response = deliver(client, store, b"{}", signed=False, HTTP_X_NUL="a\x00b", **junk)
    assert response.status_code == 401
    [delivery] = kept(store)
    assert len(delivery.headers) == services.KEPT_HEADERS_MAX
    assert all(len(value) <= services.HEADER_VALUE_LIMIT for value in delivery.headers.values())
    assert len(json.dumps(delivery.headers)) < 10_000


# --- item 12: odd fields never cost a signed delivery ------------------------------------------


@pytest.mark.parametrize(
    ("platform", "body", "headers", "topic"),
    [
        ("shopify", b'{"id": 1}', {"HTTP_X_SHOPIFY_TOPIC": "orders/" + "a" * 150}, "orders/" + "a" * 93),
        ("shopify", b'{"id": 1}', {"HTTP_X_SHOPIFY_WEBHOOK_ID": "w" * 300}, "orders/create"),
        ("shopify", b'{"id": 1}', {"HTTP_X_SHOPIFY_WEBHOOK_ID": "w\x00"}, "orders/create"),
        ("pressero", b'{"TypeName": "a\\u0000b", "MessageID": "m-1"}', {}, "ab"),
        (
            "pressero",
            json.dumps({"TypeName": "OrderPlaced", "MessageID": "m" * 300}).encode(),
            {},
            "OrderPlaced",
        ),
        ("pressero", b'{"TypeName": "a\\ud800b", "MessageID": "\\udfff"}', {}, "a?b"),
        (
            "woocommerce",
            b'{"id": ' + b"9" * 300 + b', "date_modified_gmt": "2026-11-27T18:05:13"}',
            {},
            "order.created",
        ),
        ("woocommerce", b'{"id": 1, "date_modified_gmt": "a\\u0000b"}', {}, "order.created"),
    ],
    ids=[
        "long-topic",
        "long-webhook-id",
        "nul-webhook-id",
        "nul-type-name",
        "long-message-id",
        "lone-surrogates",
        "300-digit-id",
        "nul-date",
    ],
)
def test_a_signed_delivery_with_odd_fields_is_stored_once(client, stores, platform, body, headers, topic):
    store = stores[platform]
    for _ in range(2):
        assert (
            deliver(
                client,
                store,
                body,
                topic="order.created" if platform == "woocommerce" else "orders/create",
                **headers,
            ).status_code
            == 200
        )
    [delivery] = kept(store)
    assert (delivery.topic, delivery.signature_valid, bytes(delivery.body)) == (topic, True, body)


@pytest.mark.parametrize("platform", ["shopify", "woocommerce", "pressero"])
def test_an_unsigned_body_too_deep_to_parse_is_refused_not_a_crash(client, stores, platform):
    response = deliver(client, stores[platform], b"[" * 100_000, signed=False)
    assert response.status_code == 401
    assert kept(stores[platform]).get().state == "rejected"


# --- item 16: a delivery is handled once ----------------------------------------------------------


def test_a_delivery_claimed_by_one_worker_is_not_handled_by_another(stores):
    """The sweeper and a redelivered task each load the delivery while it is still waiting;
    whichever acts second must find it done."""
    store = stores["shopify"]
    delivery, _ = services.record_delivery(
        store,
        topic="app/uninstalled",
        headers={},
        body=json.dumps({"myshopify_domain": SHOP}).encode(),
        signature_valid=True,
        state="received",
    )
    sweeper_copy, redelivered_copy = (
        WebhookDelivery.objects.select_related("store").get(pk=delivery.pk) for _ in "ab"
    )
    services.process_delivery(sweeper_copy)
    services.process_delivery(redelivered_copy)
    assert AuditEvent.objects.filter(verb="store.disconnected").count() == 1
    assert WebhookDelivery.objects.get(pk=delivery.pk).state == "processed"


def test_a_repeat_recorded_inside_a_transaction_leaves_it_usable(stores):
    """The INSERT skips a repeat (ON CONFLICT) rather than failing: the replay and the tests
    record deliveries inside transactions, which a failed INSERT would break."""
    store = stores["woocommerce"]
    body = json.dumps({"id": 5, "date_modified_gmt": "2026-12-01T05:00:00"}).encode()

    def record():
        return services.record_delivery(
            store, topic="order.created", headers={}, body=body, signature_valid=True, state="received"
        )

    with transaction.atomic():
        first, created = record()
        again, created_again = record()
        assert WebhookDelivery.objects.filter(store=store).count() == 1  # the transaction still answers
    assert (created, created_again, again.pk) == (True, False, first.pk)
    stored = WebhookDelivery.objects.get(pk=first.pk)
    assert (stored.code, stored.created_at, stored.state) == (first.code, first.created_at, "received")
