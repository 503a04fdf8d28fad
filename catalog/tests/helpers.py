"""Sandbox shops of a test's own, and Printfront stores connected to them over real HTTP."""

import re
from urllib.parse import urlencode

import requests
from django.conf import settings

from integrations.shopify.adapter import ShopifyAdapter
from integrations.tests.helpers import consent
from sandbox.demo_keys import woocommerce_key
from storefronts.models import Store


def make_shop(sandbox_url, platform, handle, products, variants, rate_limits_off=False):
    """A sandbox shop of this size, made anew through the sandbox's own page."""
    session = requests.Session()
    page = session.get(f"{sandbox_url}/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    data = {
        "csrfmiddlewaretoken": token,
        "platform": platform,
        "handle": handle,
        "products": products,
        "variants": variants,
    }
    if rate_limits_off:
        data["rate_limits_off"] = "on"
    response = session.post(
        f"{sandbox_url}/",
        data=data,
        headers={"Referer": f"{sandbox_url}/"},
        allow_redirects=False,
        timeout=60,
    )
    assert response.status_code == 302, response.text[-800:]


def sandbox_action(sandbox_url, shop, **data):
    """Post a form of a sandbox shop's page (delete a product, add products)."""
    page_url = f"{sandbox_url}/shops/{shop}/"
    session = requests.Session()
    page = session.get(page_url, timeout=10).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = session.post(
        page_url,
        data={"csrfmiddlewaretoken": token, **data},
        headers={"Referer": page_url},
        allow_redirects=False,
        timeout=60,
    )
    assert response.status_code == 302, response.text[-800:]


def sandbox_product_ids(sandbox_url, shop):
    """The ids of the products the sandbox shop's page lists, oldest first."""
    page = requests.get(f"{sandbox_url}/shops/{shop}/", timeout=10).text
    return sorted(int(number) for number in re.findall(r'<tr id="product-(\d+)">', page))


def shopify_store(client, handle, name=None):
    """A store of `client` connected to the sandbox Shopify shop `handle` through its consent screen."""
    shop = f"{handle}.myshopify.com"
    query = {
        "client_id": settings.SHOPIFY_API_KEY,
        "scope": ",".join(settings.SHOPIFY_SCOPES),
        "redirect_uri": "http://testserver/storefronts/stores/connect/shopify/callback/",
        "state": "test",
    }
    params = consent(
        f"{settings.SHOPIFY_ADMIN_URL.format(shop=shop)}/admin/oauth/authorize?{urlencode(query)}"
    )
    connection = ShopifyAdapter(shop).exchange_code(params["code"])
    return Store.objects.create(
        client=client,
        platform=Store.Platform.SHOPIFY,
        name=name or handle,
        shop_identity=connection.shop_identity,
        base_url=connection.base_url,
        credentials=connection.credentials,
        scopes=connection.scopes,
    )


def woocommerce_store(client, sandbox_url, handle, name=None):
    key, secret = woocommerce_key(handle, "Printfront read/write")
    url = f"{sandbox_url}/woocommerce/{handle}"
    return Store.objects.create(
        client=client,
        platform=Store.Platform.WOOCOMMERCE,
        name=name or handle,
        shop_identity=url,
        base_url=url,
        credentials={"consumer_key": key, "consumer_secret": secret},
    )
