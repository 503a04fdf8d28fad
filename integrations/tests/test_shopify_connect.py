"""Connecting Shopify through the sandbox's consent screen, and every check of the callback."""

import hashlib
import hmac
import time
from urllib.parse import urlencode

import pytest
import requests
from django.urls import reverse

from core.tenancy import Role
from sandbox import demo_keys
from storefronts.models import Store

from .helpers import consent

SHOP = "demo-apparel.myshopify.com"


@pytest.fixture
def admin(client, acme):
    client.force_login(acme.user(Role.ADMIN))
    return client


def start(admin, shop="demo-apparel"):
    response = admin.post(reverse("integrations:connect_shopify"), {"shop": shop})
    assert response.status_code == 302, response.content
    return response.url


def resign(params):
    """A callback query signed with the app secret, worked out here with hmac (hex, sorted pairs)."""
    params = {k: v for k, v in params.items() if k != "hmac"}
    message = "&".join(f"{k}={v}" for k, v in sorted(params.items()))
    digest = hmac.new(
        demo_keys.SHOPIFY_APP_CLIENT_SECRET.encode(), message.encode(), hashlib.sha256
    ).hexdigest()
    return {**params, "hmac": digest}


def callback(admin, params):
    return admin.get(reverse("integrations:shopify_callback") + "?" + urlencode(params))


def test_connect_through_the_consent_screen(shopify, admin, acme):
    authorize = start(admin, "https://Demo-Apparel.myshopify.com/admin")
    assert authorize.startswith(f"{shopify}/shopify/{SHOP}/admin/oauth/authorize?")
    page = requests.get(authorize, timeout=10).text
    assert "write_orders" in page and "Install app" in page
    response = callback(admin, consent(authorize))
    store = Store.objects.get(platform="shopify")
    assert response.url == reverse("integrations:store", args=[store.code])
    assert (store.client, store.name, store.shop_identity) == (acme.client, "Demo Apparel Co.", SHOP)
    assert store.credentials["access_token"].startswith("shpua_")
    assert store.credentials["refresh_token"].startswith("shprt_")
    assert "write_orders" in store.scopes


def test_the_connected_message_has_one_full_stop(shopify, admin):
    response = callback(admin, consent(start(admin)))
    page = admin.get(response.url).text
    assert "“Demo Apparel Co.” is connected." in page
    assert "Co.." not in page


def test_a_shop_named_like_another_store_gets_a_distinct_name(shopify, admin, acme):
    Store.objects.create(client=acme.client, platform="manual", name="Demo Apparel Co.")
    response = callback(admin, consent(start(admin)))
    store = Store.objects.get(platform="shopify")
    assert response.url == reverse("integrations:store", args=[store.code])
    assert (store.name, store.state) == ("Demo Apparel Co. (2)", "connected")
    assert "“Demo Apparel Co. (2)” is connected." in admin.get(response.url).text


def test_a_denied_consent_saves_nothing_and_says_so(shopify, admin):
    response = callback(admin, consent(start(admin), decision="cancel"))
    assert response.status_code == 400
    assert "declined on Shopify" in response.text
    assert not Store.objects.filter(platform="shopify").exists()


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (lambda p: {**p, "code": p["code"][::-1]}, "signature (HMAC) is not Shopify"),
        (lambda p: resign({**p, "state": "someone-else"}), "state of the answer does not match"),
        (lambda p: resign({**p, "timestamp": str(int(time.time()) - 3600)}), "too old to trust"),
        (lambda p: resign({**p, "shop": "evil.example.com"}), "different shop"),
        (lambda p: resign({**p, "shop": "other-shop.myshopify.com"}), "different shop"),
    ],
)
def test_a_tampered_callback_saves_nothing(shopify, admin, tamper, message):
    response = callback(admin, tamper(consent(start(admin))))
    assert response.status_code == 400
    assert message in response.text
    assert not Store.objects.filter(platform="shopify").exists()


def test_a_callback_works_once(shopify, admin):
    params = consent(start(admin))
    callback(admin, params)
    again = callback(admin, params)
    assert again.status_code == 400 and "already used" in again.text


def test_a_shop_name_that_is_not_shopify_is_refused(shopify, admin):
    response = admin.post(reverse("integrations:connect_shopify"), {"shop": "evil.example.com"})
    assert response.status_code == 200
    assert ".myshopify.com address" in response.text
