"""What the order arrival tests share: the demo shops' pages (the merchant's and buyer's side),
a delivery signed as Shopify signs one, and waiting for the worker."""

import base64
import hashlib
import hmac
import re
import uuid

import requests
from django.urls import reverse

from core.testing import wait_for
from integrations.models import WebhookDelivery
from integrations.tests.helpers import sandbox_form
from sandbox import demo_keys

SHOPIFY_SHOP, WOO_SHOP, PRESSERO_SHOP, ETSY_SHOP = (
    "shopify/demo-apparel",
    "woocommerce/demo-posters",
    "pressero/demo-b2b",
    "etsy/demo-mugs",
)


# The sandbox's Shopify variant ids count up from here, above 2**53 as Shopify's do
# (sandbox.shopify.ID_BASE; the sandbox is its own process).
SHOPIFY_VARIANT_BASE = 7_204_000_000_000_000_000


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
    return int(re.search(r"<li[^>]*>#(\d+) ", shop_page(sandbox_url, shop)).group(1))


def change(sandbox_url, shop, number, action):
    """The merchant's button on the order's row: "order_paid" or "order_cancel"."""
    page = shop_page(sandbox_url, shop)
    row = re.search(rf"<li[^>]*>#{number} .*?</li>", page, re.S).group(0)
    order = re.search(r'name="order" value="(\d+)"', row).group(1)
    sandbox_form(sandbox_url, shop, action=action, order=order)


def deliver(live_server, store, body, *, topic="orders/create", secret=None, code=None, url=None):
    """A delivery signed as Shopify signs one, to the store's delivery URL (or to `url`)."""
    secret = secret or demo_keys.SHOPIFY_APP_CLIENT_SECRET
    signature = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return requests.post(
        url or live_server.url + reverse("hooks:shopify", args=[code or store.code]),
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": signature,
            "X-Shopify-Shop-Domain": store.shop_identity,
            "X-Shopify-Webhook-Id": str(uuid.uuid4()),
        },
        timeout=10,
    )


def done(store):
    """Every delivery of the store has been acted on by the worker."""
    return wait_for(
        lambda: not WebhookDelivery.objects.filter(store=store, state=WebhookDelivery.State.RECEIVED).exists()
    )
