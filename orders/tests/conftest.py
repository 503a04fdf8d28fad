"""Stores of Acme connected to the sandbox's demo shops, as a person connects them, with their
webhooks registered; and what the demo shop's page says about its products and orders."""

import re

import pytest
import requests
from django.urls import reverse

from core.tenancy import Role
from integrations.tasks import register_webhooks
from integrations.tests.helpers import READ_WRITE, consent, sandbox_form
from sandbox import demo_keys
from storefronts.models import Store

SHOPIFY_SHOP, WOO_SHOP, PRESSERO_SHOP, ETSY_SHOP = (
    "shopify/demo-apparel",
    "woocommerce/demo-posters",
    "pressero/demo-b2b",
    "etsy/demo-mugs",
)


@pytest.fixture
def admin(client, acme, live_server, settings):
    settings.SANDBOX_ENABLED = True
    settings.SITE_URL = live_server.url
    client.force_login(acme.user(Role.ADMIN))
    return client


def registered(acme, platform):
    store = Store.objects.get(platform=platform, client=acme.client)
    register_webhooks.apply(args=[store.id])
    store.refresh_from_db()
    return store


@pytest.fixture
def shopify_store(shopify, admin, acme):
    start = admin.post(reverse("integrations:connect_shopify"), {"shop": "demo-apparel"})
    admin.get(reverse("integrations:shopify_callback"), consent(start.url))
    return registered(acme, Store.Platform.SHOPIFY)


@pytest.fixture
def woo_store(sandbox_url, admin, acme):
    admin.post(
        reverse("integrations:connect_woocommerce"),
        {
            "store_url": f"{sandbox_url}/{WOO_SHOP}",
            "consumer_key": READ_WRITE[0],
            "consumer_secret": READ_WRITE[1],
        },
    )
    return registered(acme, Store.Platform.WOOCOMMERCE)


@pytest.fixture
def pressero_store(sandbox_url, admin, acme, live_server):
    """Connected, with the site's OrderPlaced webhook pointed at it (Pressero's admin page)."""
    admin.post(
        reverse("integrations:connect_pressero"),
        {
            "name": "Acme B2B portal",
            "host": f"{sandbox_url}/{PRESSERO_SHOP}",
            "username": demo_keys.PRESSERO_USERNAME,
            "password": demo_keys.PRESSERO_PASSWORD,
            "subscriber_id": demo_keys.PRESSERO_SUBSCRIBER_ID,
            "consumer_id": demo_keys.PRESSERO_CONSUMER_ID,
        },
    )
    store = Store.objects.get(platform=Store.Platform.PRESSERO, client=acme.client)
    url = live_server.url + reverse("hooks:pressero", args=[store.code])
    sandbox_form(
        sandbox_url, PRESSERO_SHOP, action="pressero_webhook", url=url, security_key=store.webhook_secret
    )
    return store


@pytest.fixture
def etsy_store(etsy, admin, acme):
    callback = reverse("integrations:etsy_callback")
    start = admin.post(reverse("integrations:connect_etsy"))
    answer = admin.get(callback, consent(start.url, decision="allow", callback_path=callback))
    assert answer.status_code == 302
    return Store.objects.get(platform=Store.Platform.ETSY, client=acme.client)


# --- The demo shop's page --------------------------------------------------------------------------


def shop_page(sandbox_url, shop):
    return requests.get(f"{sandbox_url}/shops/{shop}/", timeout=10).text


def demo_variant(sandbox_url, shop):
    """The key of the first variant the shop's order form offers."""
    return int(re.search(r'<option value="(\d+)">', shop_page(sandbox_url, shop)).group(1))


def demo_product(sandbox_url, shop):
    """The key of the product of that variant (found by its SKU in the shop's product list)."""
    page = shop_page(sandbox_url, shop)
    sku = re.search(r'<option value="\d+">[^<]* - ([^<]+)</option>', page).group(1)
    rows = re.findall(r'<tr id="product-(\d+)">(.*?)</tr>', page, re.S)
    return int(next(pk for pk, row in rows if f"<code>{sku}</code>" in row))


def place(sandbox_url, shop, *, variant, quantity=2, **flags):
    """Place an order on the demo shop's page, as a buyer; returns its number there."""
    fields = {name: "on" for name, on in flags.items() if on}  # unpaid, test
    sandbox_form(
        sandbox_url,
        shop,
        action="order",
        variant=variant,
        quantity=quantity,
        name="Sam Buyer",
        email="sam@example.com",
        **fields,
    )
    return int(re.search(r"<li>#(\d+) ·", shop_page(sandbox_url, shop)).group(1))


def change(sandbox_url, shop, number, action):
    """The merchant's button on the order's row: "order_paid" or "order_cancel"."""
    page = shop_page(sandbox_url, shop)
    row = re.search(rf"<li>#{number} ·.*?</li>", page, re.S).group(0)
    order = re.search(r'name="order" value="(\d+)"', row).group(1)
    sandbox_form(sandbox_url, shop, action=action, order=order)
