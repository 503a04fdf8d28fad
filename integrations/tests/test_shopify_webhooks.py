"""Shopify webhooks: subscribed after connecting, deliveries checked on the raw body, and
app/uninstalled (sent by the sandbox when the merchant uninstalls) disconnects the store,
through a real worker."""

import base64
import hashlib
import hmac
import json
import re
import time

import pytest
import requests
from django.urls import reverse

from core.tenancy import Role
from integrations.models import WebhookDelivery
from integrations.shopify.adapter import ShopifyAdapter
from integrations.tasks import register_webhooks
from sandbox import demo_keys
from storefronts.models import Store

from .helpers import consent, place_order

SHOP = "demo-apparel.myshopify.com"


@pytest.fixture
def store(shopify, live_server, settings, client, acme):
    settings.SITE_URL = live_server.url
    client.force_login(acme.user(Role.ADMIN))
    start = client.post(reverse("integrations:connect_shopify"), {"shop": "demo-apparel"})
    client.get(reverse("integrations:shopify_callback"), consent(start.url))
    store = Store.objects.get(platform="shopify")
    register_webhooks.apply(args=[store.id])
    store.refresh_from_db()
    return store


def deliver(live_server, store, body, *, secret=demo_keys.SHOPIFY_APP_CLIENT_SECRET, shop=SHOP, event="e-1"):
    """Deliver as Shopify does; the HMAC is worked out here with hmac (base64 of the raw body)."""
    signature = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return requests.post(
        live_server.url + reverse("hooks:shopify", args=[store.code]),
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Shopify-Topic": "orders/create",
            "X-Shopify-Hmac-Sha256": signature,
            "X-Shopify-Shop-Domain": shop,
            "X-Shopify-Event-Id": event,
        },
        timeout=10,
    )


def test_subscriptions_are_made_once(store):
    assert [hook["topic"] for hook in store.webhooks] == [
        "ORDERS_CREATE",
        "ORDERS_UPDATED",
        "ORDERS_CANCELLED",
        "APP_UNINSTALLED",
        "PRODUCTS_UPDATE",
        "PRODUCTS_DELETE",
    ]
    register_webhooks.apply(args=[store.id])
    store.refresh_from_db()
    assert len(store.webhooks) == 6


def test_a_signed_delivery_is_stored_once(store, live_server):
    body = json.dumps({"id": 820982911946154508, "name": "#1001"}).encode()
    assert deliver(live_server, store, body).status_code == 200
    assert deliver(live_server, store, body).status_code == 200
    [delivery] = WebhookDelivery.objects.filter(store=store, topic="orders/create")
    assert (delivery.state, delivery.signature_valid) == ("received", True)


@pytest.mark.parametrize("change", [{"secret": "not-the-app-secret"}, {"shop": "other.myshopify.com"}])
def test_a_forged_delivery_is_refused_and_logged(store, live_server, change):
    assert deliver(live_server, store, b'{"id": 1}', **change).status_code == 401
    assert WebhookDelivery.objects.get(store=store).state == "rejected"


@pytest.mark.worker
def test_uninstalling_the_app_disconnects_the_store(store, shopify, celery_worker, client):
    page_url = f"{shopify}/shops/shopify/demo-apparel/"
    session = requests.Session()
    token = re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"', session.get(page_url, timeout=10).text
    ).group(1)
    session.post(
        page_url,
        data={"csrfmiddlewaretoken": token, "action": "uninstall"},
        headers={"Referer": page_url},
        timeout=10,
    )
    deadline = time.monotonic() + 20
    # The delivery's outcome is saved last, after the store is disconnected: wait for it.
    processed = WebhookDelivery.objects.filter(store=store, topic="app/uninstalled", state="processed")
    while time.monotonic() < deadline and not processed.exists():
        time.sleep(0.1)
    store.refresh_from_db()
    assert (store.state, store.credentials) == ("disconnected", None)
    assert "uninstalled" in store.state_reason
    assert store.webhooks and {hook["status"] for hook in store.webhooks} == {"removed"}
    assert WebhookDelivery.objects.get(store=store, topic="app/uninstalled").state == "processed"
    assert "uninstalled in Shopify" in client.get(reverse("integrations:store", args=[store.code])).text


def test_an_order_placed_in_the_shop_arrives_signed(store, shopify):
    place_order(shopify, "shopify/demo-apparel")
    [delivery] = WebhookDelivery.objects.filter(store=store, topic="orders/create")
    assert (delivery.state, delivery.signature_valid) == ("received", True)
    order = json.loads(bytes(delivery.body))
    assert order["line_items"][0]["quantity"] == 2 and order["email"] == "sam@example.com"
    assert delivery.headers["X-Shopify-Shop-Domain"] == SHOP


def test_order_ids_above_2_53_arrive_exactly(store, shopify):
    """The order, line, product and variant ids of a delivery are 64-bit numbers a float cannot
    hold; the stored body keeps them exact, as their global ids (strings) show."""
    place_order(shopify, "shopify/demo-apparel")
    order = json.loads(bytes(WebhookDelivery.objects.get(store=store, topic="orders/create").body))
    [line] = order["line_items"]
    for item in (order, line):
        assert item["admin_graphql_api_id"].endswith(f"/{item['id']}")
    for number in (order["id"], line["id"], line["product_id"], line["variant_id"]):
        assert number > 2**53 and int(float(number)) != number


FULFILLMENT_ORDERS = """
query FulfillmentOrders($id: ID!) {
  order(id: $id) { fulfillmentOrders(first: 5) { nodes { id status lineItems(first: 10) { nodes { id sku remainingQuantity } } } } }
}
"""
FULFILL = """
mutation Fulfill($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) { fulfillment { id status trackingInfo { company number } } userErrors { message } }
}
"""
PRODUCT_CREATE = """
mutation Create($product: ProductCreateInput!) {
  productCreate(product: $product) { product { id title status variants(first: 5) { nodes { id } } } userErrors { field message } }
}
"""


def test_fulfillment_orders_take_tracking_once(store, shopify):
    place_order(shopify, "shopify/demo-apparel")
    order_id = json.loads(bytes(WebhookDelivery.objects.get(store=store, topic="orders/create").body))[
        "admin_graphql_api_id"
    ]
    adapter = ShopifyAdapter.from_store(store)
    [fulfillment_order] = adapter.graphql(FULFILLMENT_ORDERS, {"id": order_id})["order"]["fulfillmentOrders"][
        "nodes"
    ]
    assert fulfillment_order["status"] == "OPEN"
    assert fulfillment_order["lineItems"]["nodes"][0]["remainingQuantity"] == 2
    shipment = {
        "lineItemsByFulfillmentOrder": [{"fulfillmentOrderId": fulfillment_order["id"]}],
        "trackingInfo": {"company": "UPS", "number": "1Z999"},
    }
    done = adapter.graphql(FULFILL, {"fulfillment": shipment})["fulfillmentCreate"]
    assert done["fulfillment"]["trackingInfo"] == [{"company": "UPS", "number": "1Z999"}]
    again = adapter.graphql(FULFILL, {"fulfillment": shipment})["fulfillmentCreate"]
    assert again["userErrors"] == [{"message": "Fulfillment order is closed."}]


def test_products_can_be_created(store):
    adapter = ShopifyAdapter.from_store(store)
    product = {
        "title": "Custom Poster",
        "status": "DRAFT",
        "productOptions": [{"name": "Size", "values": [{"name": "A3"}]}],
    }
    created = adapter.graphql(PRODUCT_CREATE, {"product": product})["productCreate"]
    assert created["userErrors"] == [] and created["product"]["title"] == "Custom Poster"
    assert len(created["product"]["variants"]["nodes"]) == 1
    blank = adapter.graphql(PRODUCT_CREATE, {"product": {"title": " "}})["productCreate"]
    assert blank["userErrors"][0]["message"] == "Title can't be blank"
