"""Rotating the Shopify app's secret: while SHOPIFY_API_SECRET_PREVIOUS is set, what Shopify
signs with either secret verifies (OAuth callbacks and webhook deliveries); any other does not."""

import base64
import hashlib
import hmac
import json
import uuid

import pytest
from django.urls import reverse

from core.tenancy import Role
from integrations.models import WebhookDelivery
from sandbox import demo_keys
from storefronts.models import Store

from .helpers import consent

SHOP = "demo-apparel.myshopify.com"
CURRENT = demo_keys.SHOPIFY_APP_CLIENT_SECRET  # the sandbox's app takes it for token exchanges
PREVIOUS = "the-secret-before-the-rotation"
SIGNERS = [(CURRENT, True), (PREVIOUS, True), ("some-other-secret", False)]


@pytest.fixture
def rotating(settings):
    settings.SHOPIFY_API_SECRET = CURRENT
    settings.SHOPIFY_API_SECRET_PREVIOUS = PREVIOUS


def signed_query(params, secret):
    """The callback query signed with `secret`, worked out here with hmac (hex, sorted pairs)."""
    params = {key: value for key, value in params.items() if key != "hmac"}
    message = "&".join(f"{key}={value}" for key, value in sorted(params.items()))
    return {**params, "hmac": hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()}


@pytest.mark.parametrize(("secret", "verifies"), SIGNERS)
def test_a_callback_signed_with_either_secret_connects(shopify, rotating, client, acme, secret, verifies):
    client.force_login(acme.user(Role.ADMIN))
    start = client.post(reverse("integrations:connect_shopify"), {"shop": "demo-apparel"})
    answer = client.get(reverse("integrations:shopify_callback"), signed_query(consent(start.url), secret))
    connected = Store.objects.filter(platform="shopify", client=acme.client).first()
    if verifies:
        assert answer.url == reverse("integrations:store", args=[connected.code])
    else:
        assert answer.status_code == 400 and "signature (HMAC) is not Shopify" in answer.text
        assert connected is None


def test_without_a_previous_secret_only_the_current_one_verifies(shopify, client, acme):
    client.force_login(acme.user(Role.ADMIN))
    start = client.post(reverse("integrations:connect_shopify"), {"shop": "demo-apparel"})
    answer = client.get(reverse("integrations:shopify_callback"), signed_query(consent(start.url), PREVIOUS))
    assert answer.status_code == 400 and "signature (HMAC) is not Shopify" in answer.text


@pytest.fixture
def store(acme):
    return Store.objects.create(
        client=acme.client, platform=Store.Platform.SHOPIFY, name="Demo Apparel Co.", shop_identity=SHOP
    )


def deliver(client, store, body, secret):
    """Deliver as Shopify does; the HMAC is worked out here with hmac (base64 of the raw body)."""
    signature = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return client.post(
        reverse("hooks:shopify", args=[store.code]),
        data=body,
        content_type="application/json",
        headers={
            "X-Shopify-Topic": "orders/create",
            "X-Shopify-Hmac-Sha256": signature,
            "X-Shopify-Shop-Domain": SHOP,
            "X-Shopify-Webhook-Id": str(uuid.uuid4()),
            "X-Shopify-Event-Id": str(uuid.uuid4()),
        },
    )


@pytest.mark.parametrize(("secret", "verifies"), SIGNERS)
def test_a_delivery_signed_with_either_secret_is_taken(rotating, client, store, secret, verifies):
    answer = deliver(client, store, json.dumps({"id": 820982911946154508}).encode(), secret)
    delivery = WebhookDelivery.objects.get(store=store)
    if verifies:
        assert answer.status_code == 200
        assert (delivery.signature_valid, delivery.state) == (True, "received")
    else:
        assert answer.status_code == 401
        assert (delivery.signature_valid, delivery.state) == (False, "rejected")


def test_once_the_rotation_ends_the_previous_secret_is_refused(settings, client, store):
    settings.SHOPIFY_API_SECRET, settings.SHOPIFY_API_SECRET_PREVIOUS = CURRENT, ""
    assert deliver(client, store, b'{"id": 1}', PREVIOUS).status_code == 401
    assert deliver(client, store, b'{"id": 2}', CURRENT).status_code == 200
