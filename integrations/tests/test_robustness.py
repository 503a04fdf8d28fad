"""Bad input from people or platforms gets a clear answer, never a crash, and changes nothing."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.tenancy import Role
from integrations import services
from integrations.base import error_text
from integrations.models import WebhookDelivery
from storefronts import services as store_services
from storefronts.models import Store


def test_a_malformed_store_url_is_a_form_error(client, acme):
    client.force_login(acme.user(Role.ADMIN))
    response = client.post(
        reverse("integrations:connect_woocommerce"),
        {"store_url": "http://[abc", "consumer_key": "ck", "consumer_secret": "cs"},
    )
    assert response.status_code == 200
    assert "Enter the shop" in response.text


@pytest.mark.parametrize(
    ("errors", "text"),
    [
        ("Unavailable Shop", "Unavailable Shop"),
        ([{"message": "Field 'x' doesn't exist"}], "Field 'x' doesn't exist"),
        (["a", "b"], "a; b"),
        ({"query": "Required parameter missing"}, "query: Required parameter missing"),
        (None, ""),
    ],
)
def test_every_shape_of_platform_errors_reads_as_text(errors, text):
    assert error_text(errors) == text


@pytest.fixture
def shopify_store(acme):
    return Store.objects.create(
        client=acme.client, platform="shopify", name="Demo", shop_identity="demo-apparel.myshopify.com"
    )


def delivery(store, body, topic="app/uninstalled"):
    return services.record_delivery(
        store,
        topic=topic,
        headers={},
        body=body,
        signature_valid=True,
        state="received",
        delivery_key=topic + "1",
    )[0]


def test_an_uninstall_whose_body_is_not_the_shop_changes_nothing(shopify_store):
    forged = delivery(shopify_store, json.dumps({"id": 1, "name": "#1001"}).encode())
    services.process_delivery(forged)
    forged.refresh_from_db()
    shopify_store.refresh_from_db()
    assert (forged.state, shopify_store.state) == ("failed", "connected")
    assert "not the shop's" in forged.error


def test_a_real_uninstall_disconnects(shopify_store):
    body = json.dumps({"myshopify_domain": "demo-apparel.myshopify.com", "name": "Demo"}).encode()
    services.process_delivery(delivery(shopify_store, body))
    shopify_store.refresh_from_db()
    assert shopify_store.state == "disconnected"


def test_untrusted_bodies_are_cut_short(shopify_store):
    stored, _ = services.record_delivery(
        shopify_store, topic="x", headers={}, body=b"x" * 100_000, signature_valid=False, state="rejected"
    )
    assert len(bytes(WebhookDelivery.objects.get(pk=stored.pk).body)) == services.UNTRUSTED_BODY_LIMIT


def test_a_store_manager_cannot_take_over_a_store_not_theirs(acme):
    other = Store.objects.create(
        client=acme.client, platform="woocommerce", name="Theirs", shop_identity="https://s.example"
    )
    with pytest.raises(store_services.StoreError):
        store_services.connect_store(
            acme.user(Role.STORE_MANAGER),
            acme.members[Role.STORE_MANAGER],
            platform="woocommerce",
            name="Mine",
            shop_identity="https://s.example",
            credentials={"consumer_key": "ck", "consumer_secret": "cs"},
        )
    other.refresh_from_db()
    assert other.credentials is None


def test_work_lost_to_a_broker_outage_is_found_again(shopify_store):
    waiting = delivery(shopify_store, b'{"myshopify_domain": "demo-apparel.myshopify.com"}')
    long_ago = timezone.now() - timedelta(hours=1)
    WebhookDelivery.objects.filter(pk=waiting.pk).update(created_at=long_ago)
    Store.objects.filter(pk=shopify_store.pk).update(connected_at=long_ago)
    assert services.lost_work() == ([waiting.id], [shopify_store.id])
    services.process_delivery(waiting)
    Store.objects.filter(pk=shopify_store.pk).update(
        webhooks=[{"id": 1, "topic": "ORDERS_CREATE", "status": "active"}]
    )
    assert services.lost_work() == ([], [])
