"""The guide's test order: "Place test order" on a sandbox store asks the sandbox shop to place
one, which reaches Printfront by the shop's own signed webhook."""

import json

import pytest
from django.urls import reverse

from core.tenancy import Role
from integrations.models import WebhookDelivery
from integrations.tasks import register_webhooks
from integrations.tests.helpers import consent
from orders.sandbox_orders import sandbox_shop
from storefronts.models import Store


@pytest.fixture
def sandbox_store(shopify, live_server, settings, client, acme):
    settings.SITE_URL = live_server.url
    client.force_login(acme.user(Role.ADMIN))
    start = client.post(reverse("integrations:connect_shopify"), {"shop": "demo-apparel"})
    client.get(reverse("integrations:shopify_callback"), consent(start.url))
    store = Store.objects.get(platform="shopify")
    register_webhooks.apply(args=[store.id])
    return store


@pytest.mark.parametrize("role", [Role.ADMIN, Role.ORDER_MANAGER, Role.STORE_MANAGER])
def test_a_test_order_arrives_by_the_shops_webhook(client, acme, sandbox_store, role):
    """Store people press it on the store's page, order people on Orders (they see no store pages)."""
    acme.members[Role.STORE_MANAGER].stores.set([sandbox_store])
    client.force_login(acme.user(role))
    store_part = reverse("orders:store_orders", args=[sandbox_store.code])
    if role == Role.ORDER_MANAGER:
        assert "Place test order" in client.get(reverse("orders:orders")).text
        data = {"next": "orders"}
    else:
        assert "Place test order" in client.get(store_part).text
        data = {}
    response = client.post(reverse("orders:store_test_order", args=[sandbox_store.code]), data, follow=True)
    [message] = [str(message) for message in response.context["messages"] if "Test order" in str(message)]
    assert message.startswith("Test order #10") and "it appears here when the shop delivers it" in message
    [delivery] = WebhookDelivery.objects.filter(store=sandbox_store, topic="orders/create")
    assert delivery.signature_valid
    assert json.loads(bytes(delivery.body))["name"] == message.split()[2]  # "#1001"


def test_viewers_place_no_test_order(client, acme, sandbox_store):
    client.force_login(acme.user(Role.VIEWER))
    assert "Place test order" not in client.get(reverse("orders:orders")).text
    assert client.post(reverse("orders:store_test_order", args=[sandbox_store.code])).status_code == 403
    assert not WebhookDelivery.objects.filter(topic="orders/create").exists()


@pytest.mark.django_db
def test_which_stores_are_sandbox_shops(acme, settings):
    settings.SANDBOX_ENABLED, settings.SANDBOX_URL = True, "http://127.0.0.1:8100"

    def store(platform, **fields):
        return Store(client=acme.client, platform=platform, name=platform, **fields)

    assert sandbox_shop(store("shopify", shop_identity="demo-apparel.myshopify.com")) == (
        "shopify",
        "demo-apparel",
    )
    woo = store("woocommerce", base_url="http://127.0.0.1:8100/woocommerce/demo-posters")
    assert sandbox_shop(woo) == ("woocommerce", "demo-posters")
    assert sandbox_shop(store("woocommerce", base_url="https://shop.example/woocommerce/x")) is None
    assert sandbox_shop(store("manual")) is None
    settings.SANDBOX_ENABLED = False
    assert sandbox_shop(store("shopify", shop_identity="demo-apparel.myshopify.com")) is None
