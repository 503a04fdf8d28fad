"""The sandbox's product-creating calls are as strict as the platforms': Shopify's
productVariantsBulkCreate, WooCommerce's variations batch (through the real `woocommerce`
library), and Etsy's createDraftListing."""

import pytest
import requests
from woocommerce import API

from core.testing import running_sandbox
from sandbox.demo_keys import woocommerce_key

from .test_shopify_emulator import admin, gql, token  # noqa: F401 (admin is a fixture)

READ_WRITE = woocommerce_key("demo-posters", "Printfront read/write")
CREATE = """mutation C($product: ProductCreateInput!) {
  productCreate(product: $product) { product { id } userErrors { field message } } }"""
BULK = """mutation B($productId: ID!, $variants: [ProductVariantsBulkInput!]!, $strategy: ProductVariantsBulkCreateStrategy) {
  productVariantsBulkCreate(productId: $productId, variants: $variants, strategy: $strategy) {
    product { variants(first: 10) { nodes { sku selectedOptions { name value } } } }
    userErrors { field message code } } }"""


@pytest.fixture(scope="module")
def sandbox_url(tmp_path_factory, pytestconfig):
    """This module's own sandbox: it adds products to the demo shops, which other tests count."""
    with running_sandbox(tmp_path_factory.mktemp("sandbox"), pytestconfig.getvalue("liveserver")) as url:
        yield url


def test_shopify_bulk_create_is_all_or_nothing_and_replaces_the_standalone_variant(admin):  # noqa: F811
    access = token(admin)
    options = [{"name": "Size", "values": [{"name": "A4"}, {"name": "A3"}]}]
    made = gql(admin, access, CREATE, {"product": {"title": "Bulk", "productOptions": options}}).json()
    product_id = made["data"]["productCreate"]["product"]["id"]

    def variant(size, sku):
        return {
            "price": "5.00",
            "inventoryItem": {"sku": sku},
            "optionValues": [{"optionName": "Size", "name": size}],
        }

    missing = {"price": "5.00", "optionValues": []}
    remove = "REMOVE_STANDALONE_VARIANT"
    refused = gql(
        admin,
        access,
        BULK,
        {"productId": product_id, "variants": [variant("A4", "a"), missing], "strategy": remove},
    )
    errors = refused.json()["data"]["productVariantsBulkCreate"]["userErrors"]
    assert errors == [
        {
            "field": ["variants", "1", "optionValues"],
            "message": "You need to add option values for Size",
            "code": "NEED_TO_ADD_OPTION_VALUES",
        }
    ]
    twice = gql(
        admin,
        access,
        BULK,
        {"productId": product_id, "variants": [variant("A4", "a"), variant("A4", "b")], "strategy": remove},
    )
    assert (
        twice.json()["data"]["productVariantsBulkCreate"]["userErrors"][0]["code"] == "VARIANT_ALREADY_EXISTS"
    )

    answer = gql(
        admin,
        access,
        BULK,
        {
            "productId": product_id,
            "variants": [variant("A4", "a"), variant("A3", "b")],
            "strategy": "REMOVE_STANDALONE_VARIANT",
        },
    ).json()["data"]["productVariantsBulkCreate"]
    assert answer["userErrors"] == []
    assert [v["sku"] for v in answer["product"]["variants"]["nodes"]] == [
        "a",
        "b",
    ]  # the standalone one is gone


def test_shopify_bulk_create_of_an_unknown_product(admin):  # noqa: F811
    answer = gql(admin, token(admin), BULK, {"productId": "gid://shopify/Product/1", "variants": []}).json()
    assert answer["data"]["productVariantsBulkCreate"]["userErrors"][0]["code"] == "PRODUCT_DOES_NOT_EXIST"


def test_woocommerce_variable_product_and_variation_batch(sandbox_url):
    api = API(
        url=f"{sandbox_url}/woocommerce/demo-posters",
        consumer_key=READ_WRITE[0],
        consumer_secret=READ_WRITE[1],
        version="wc/v3",
        timeout=10,
    )
    bad = api.post("products", {"name": "X", "type": "bundle"})
    assert (
        bad.status_code == 400
        and bad.json()["code"] == "rest_invalid_param"
        and "type" in bad.json()["data"]["params"]
    )
    product = api.post(
        "products",
        {
            "name": "Batch poster",
            "type": "variable",
            "attributes": [{"name": "Size", "variation": True, "options": ["A4", "A3"]}],
        },
    )
    assert product.status_code == 201 and product.json()["type"] == "variable"
    batch = f"products/{product.json()['id']}/variations/batch"
    answer = api.post(
        batch,
        {
            "create": [
                {
                    "sku": "BATCH-A4",
                    "regular_price": "9.00",
                    "attributes": [{"name": "Size", "option": "A4"}],
                },
                {
                    "sku": "BATCH-A4",
                    "regular_price": "9.00",
                    "attributes": [{"name": "Size", "option": "A3"}],
                },
            ]
        },
    ).json()
    assert answer["create"][0]["sku"] == "BATCH-A4"
    assert answer["create"][1]["error"]["code"] == "product_invalid_sku"  # each item answers for itself
    too_many = api.post(batch, {"create": [{"regular_price": "1"}] * 101})
    assert too_many.status_code == 413


def test_etsy_draft_listing_needs_its_required_fields(sandbox_url, client, acme, settings, request):
    from core.tenancy import Role
    from integrations.etsy.adapter import EtsyAdapter
    from integrations.tests.test_etsy import connect
    from storefronts.models import Store

    request.getfixturevalue("etsy")
    client.force_login(acme.user(Role.ADMIN))
    connect(client)
    adapter = EtsyAdapter.from_store(Store.objects.get(platform="etsy"))
    shop = adapter.shop_id
    from integrations.base import AdapterError

    with pytest.raises(AdapterError, match="Missing required parameter\\(s\\): description, price"):
        adapter.call("POST", f"shops/{shop}/listings", data={"title": "No price", "quantity": 1})
    with pytest.raises(AdapterError, match="Invalid value \\(someday\\)"):
        adapter.call(
            "POST",
            f"shops/{shop}/listings",
            data={
                "title": "T",
                "description": "D",
                "price": "5",
                "quantity": 1,
                "taxonomy_id": 1,
                "who_made": "i_did",
                "when_made": "someday",
            },
        )
    listing = adapter.call(
        "POST",
        f"shops/{shop}/listings",
        data={
            "title": "T",
            "description": "D",
            "price": "5",
            "quantity": 1,
            "taxonomy_id": 1,
            "who_made": "i_did",
            "when_made": "made_to_order",
        },
    )
    assert listing["state"] == "draft"
    with pytest.raises(AdapterError, match="prices differ"):
        adapter.call(
            "PUT",
            f"listings/{listing['listing_id']}/inventory",
            json={
                "products": [
                    {
                        "sku": s,
                        "property_values": [{"property_id": 513, "value_ids": [], "values": [s]}],
                        "offerings": [{"price": p, "quantity": 1, "is_enabled": True}],
                    }
                    for s, p in (("A", 5.0), ("B", 6.0))
                ]
            },
        )
    assert requests.get(f"{sandbox_url}/shops/etsy/demo-mugs/", timeout=10).ok
