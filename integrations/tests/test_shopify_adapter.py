"""The Shopify adapter over real HTTP against the sandbox: paging, token refresh, throttling,
errors; and every GraphQL document it sends is valid against Shopify's published schema."""

import gzip
import json
import logging
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
import requests
from django.conf import settings
from django.utils import timezone
from graphql import build_client_schema, parse, validate

from core import http
from integrations.base import AdapterError
from integrations.shopify import adapter as shopify_adapter
from integrations.shopify.adapter import ShopifyAdapter

from .helpers import consent, sandbox_switch

SHOP = "demo-apparel.myshopify.com"
SCHEMA = Path(settings.BASE_DIR) / "sandbox" / "schemas" / "shopify-admin-graphql-2026-10.json.gz"


def connected_adapter(sandbox_url):
    """An adapter holding a fresh expiring token for SHOPIFY_SCOPES, got through the consent screen."""
    query = {
        "client_id": settings.SHOPIFY_API_KEY,
        "scope": ",".join(settings.SHOPIFY_SCOPES),
        "redirect_uri": "http://testserver/storefronts/stores/connect/shopify/callback/",
        "state": "test",
    }
    params = consent(f"{sandbox_url}/shopify/{SHOP}/admin/oauth/authorize?{urlencode(query)}")
    adapter = ShopifyAdapter(SHOP)
    adapter.exchange_code(params["code"])
    return adapter


@pytest.fixture
def adapter(shopify):
    yield connected_adapter(shopify)
    sandbox_switch(shopify, shop=f"shopify/{SHOP.split('.')[0]}")


@pytest.fixture
def waits(monkeypatch):
    """Record each wait the adapter asks for, and really wait (the bucket refills with time)."""
    recorded = []

    def sleep(seconds):
        recorded.append(seconds)
        time.sleep(seconds)

    monkeypatch.setattr(http, "sleep", sleep)
    return recorded


def test_every_document_is_valid_against_shopify_schema():
    with gzip.open(SCHEMA) as file:
        schema = build_client_schema(json.load(file)["data"])
    schema._validation_errors = []
    for document in shopify_adapter.DOCUMENTS + shopify_adapter.PUBLISH_DOCUMENTS:
        assert validate(schema, parse(document)) == [], document


def test_pages_through_products(adapter):
    products = list(adapter.iter_products(page_size=5))
    # The demo catalogue's 12 products (more if a test created some): three pages of 5 at least.
    assert len(products) >= 12 and len({p["id"] for p in products}) == len(products)
    by_title = {p["title"]: p["variants"]["nodes"] for p in products}
    assert len(by_title["Classic Tee"]) == 12
    # 45 variants: more than the first page of variants, so the rest come by their own cursor.
    cards = by_title["Business Cards"]
    assert len(cards) == 45 and len({v["id"] for v in cards}) == 45
    assert {p["status"] for p in products} == {"ACTIVE", "DRAFT", "ARCHIVED"}


def test_an_expiring_token_is_refreshed_first(adapter, shopify):
    saved = []
    adapter.on_refresh = saved.append
    old = dict(adapter.credentials)
    adapter.credentials["expires_at"] = (timezone.now() + timedelta(minutes=1)).isoformat()
    assert adapter.verify()["myshopifyDomain"] == SHOP
    assert saved == [adapter.credentials]
    assert adapter.credentials["access_token"] != old["access_token"]
    assert adapter.credentials["refresh_token"] != old["refresh_token"]  # it rotates
    # Only one expiring token is active per shop: the old one no longer works.
    stale = requests.post(
        f"{shopify}/shopify/{SHOP}/admin/api/2026-10/graphql.json",
        json={"query": "{ shop { name } }"},
        headers={"X-Shopify-Access-Token": old["access_token"]},
        timeout=10,
    )
    assert stale.status_code == 401


def test_a_used_refresh_token_is_refused(adapter):
    spent = adapter.credentials["refresh_token"]
    adapter.refresh_if_needed(margin=timedelta(days=1))
    adapter.credentials["refresh_token"] = spent
    with pytest.raises(AdapterError) as error:
        adapter.refresh_if_needed(margin=timedelta(days=1))
    assert error.value.permanent


def test_throttling_is_waited_out(adapter, shopify, waits):
    sandbox_switch(shopify, shop="shopify/demo-apparel", bucket_available=0)
    # One product with its variants costs 83 points; the empty bucket refills 50 a second.
    page = adapter.graphql(shopify_adapter.PRODUCTS_QUERY, {"first": 1})
    assert len(page["products"]["nodes"]) == 1
    assert len(waits) >= 1 and 0.5 < waits[0] <= 1.7


def test_server_errors_are_retried(adapter, shopify, waits):
    sandbox_switch(shopify, shop="shopify/demo-apparel", fault="5xx", fault_limit=2)
    assert adapter.verify()["name"] == "Demo Apparel Co."
    assert len(waits) == 2


def test_revoked_access_is_permanent(adapter, shopify):
    sandbox_switch(shopify, shop="shopify/demo-apparel", fault="revoked")
    with pytest.raises(AdapterError) as error:
        adapter.verify()
    assert error.value.permanent
    assert "Connect the store again" in str(error.value)


def test_ids_above_2_53_come_through_exactly(adapter):
    """Shopify's ids do not fit a float; each must reach us as the very number Shopify sent."""
    products = list(adapter.iter_products(page_size=5))
    objects = products + [variant for product in products for variant in product["variants"]["nodes"]]
    numbers = [int(item["legacyResourceId"]) for item in objects]
    assert [item["id"].rsplit("/", 1)[1] for item in objects] == [str(number) for number in numbers]
    assert all(number > 2**53 for number in numbers)
    assert any(int(float(number)) != number for number in numbers)  # so a float would show


def test_a_malformed_api_version_is_a_permanent_error_that_names_it(adapter, settings):
    settings.SHOPIFY_API_VERSION = "2026-13"
    with pytest.raises(AdapterError) as error:
        adapter.verify()
    assert error.value.permanent
    assert "2026-13" in str(error.value) and "SHOPIFY_API_VERSION" in str(error.value)


def test_a_retired_api_version_still_works_and_is_logged(adapter, settings, caplog):
    settings.SHOPIFY_API_VERSION = "2025-01"
    with caplog.at_level(logging.WARNING, logger="integrations.shopify.adapter"):
        assert adapter.verify()["myshopifyDomain"] == SHOP
    assert "Shopify served API version 2026-01 instead of 2025-01" in caplog.text


def test_a_field_outside_the_granted_scopes_is_refused(shopify, settings):
    settings.SHOPIFY_SCOPES = ["read_products"]
    adapter = connected_adapter(shopify)
    assert adapter.credentials["access_token"]
    create = 'mutation { productCreate(product: {title: "Not allowed"}) { product { id } } }'
    with pytest.raises(AdapterError) as error:
        adapter.graphql(create)
    assert error.value.permanent
    assert "Access denied for productCreate field" in str(error.value)
    assert "write_products" in str(error.value)
