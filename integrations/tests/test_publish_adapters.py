"""publish_product of each shop adapter over real HTTP against the sandbox: the product with
its variants is created, a repeat after a partial attempt finishes it instead of making another,
and the platforms' refusals come back as AdapterErrors in their words."""

from decimal import Decimal

import pytest
import requests

from core.testing import running_sandbox
from integrations.base import AdapterError
from integrations.etsy.adapter import EtsyAdapter
from integrations.types import NewProduct, NewVariant
from integrations.woocommerce.adapter import WooCommerceAdapter

from .helpers import READ_WRITE, sandbox_switch
from .test_shopify_adapter import connected_adapter


@pytest.fixture(scope="module")
def sandbox_url(tmp_path_factory, pytestconfig):
    """This module's own sandbox: publishing adds products to its shops, which other tests count."""
    with running_sandbox(tmp_path_factory.mktemp("sandbox"), pytestconfig.getvalue("liveserver")) as url:
        yield url


def new_product(tag, sizes=("A4", "A3"), papers=("Matte",), prices=None):
    variants = []
    for i, (size, paper) in enumerate((s, p) for s in sizes for p in papers):
        price = (prices or {}).get(size, Decimal("12.50"))
        variants.append(
            NewVariant(sku=f"PF-{tag}-{i + 1}", price=price, options={"Size": size, "Paper": paper})
        )
    return NewProduct(
        title=f"Poster {tag}",
        description="A poster.\n\nPrinted to order.",
        product_type="Posters",
        option_names=("Size", "Paper"),
        variants=tuple(variants),
    )


def sandbox_products(sandbox_url, shop):
    return requests.get(f"{sandbox_url}/shops/{shop}/", timeout=10).text


@pytest.fixture
def shopify_adapter(shopify):
    yield connected_adapter(shopify)
    sandbox_switch(shopify, shop="shopify/demo-apparel")


def test_shopify_creates_the_product_with_its_variants(shopify_adapter, shopify):
    product = new_product("shop1", sizes=("A4", "A3", "A2"), prices={"A2": Decimal("20")})
    created = []
    published = shopify_adapter.publish_product(product, on_created=created.append)
    assert created == [published.external_id]
    assert published.option_names == ("Size", "Paper")
    assert {v.sku for v in published.variants} == {"PF-shop1-1", "PF-shop1-2", "PF-shop1-3"}
    by_sku = {v.sku: v for v in published.variants}
    assert by_sku["PF-shop1-3"].options == {"Size": "A2", "Paper": "Matte"}
    assert by_sku["PF-shop1-3"].price == Decimal("20.00")
    page = sandbox_products(shopify, "shopify/demo-apparel")
    assert "Poster shop1" in page and "PF-shop1-3" in page


def test_shopify_finishes_a_product_an_earlier_attempt_created(shopify_adapter):
    product = new_product("shop2")
    first = shopify_adapter.publish_product(product)
    again = shopify_adapter.publish_product(product, existing_id=first.external_id)
    assert again.external_id == first.external_id
    assert sorted(v.external_id for v in again.variants) == sorted(v.external_id for v in first.variants)


def test_shopify_refuses_duplicate_variants_in_its_words(shopify_adapter):
    product = new_product("shop3", sizes=("A4", "A4"))
    with pytest.raises(AdapterError) as error:
        shopify_adapter.publish_product(product)
    assert "already exists" in str(error.value) and error.value.permanent


def test_shopify_outage_is_transient(shopify_adapter, shopify):
    sandbox_switch(shopify, shop="shopify/demo-apparel", fault="5xx")
    with pytest.raises(AdapterError) as error:
        shopify_adapter.publish_product(new_product("shop4"))
    assert not error.value.permanent


@pytest.fixture
def woo(sandbox_url, settings):
    settings.SANDBOX_ENABLED = True
    yield WooCommerceAdapter(f"{sandbox_url}/woocommerce/demo-posters", *READ_WRITE)
    sandbox_switch(sandbox_url)


def test_woocommerce_creates_a_variable_product(woo, sandbox_url):
    published = woo.publish_product(new_product("woo1", prices={"A3": Decimal("15")}))
    assert {v.sku: v.options for v in published.variants} == {
        "PF-woo1-1": {"Size": "A4", "Paper": "Matte"},
        "PF-woo1-2": {"Size": "A3", "Paper": "Matte"},
    }
    assert {v.sku: v.price for v in published.variants}["PF-woo1-2"] == Decimal("15.00")
    assert "Poster woo1" in sandbox_products(sandbox_url, "woocommerce/demo-posters")
    # A repeat finds the variations there and adds none.
    again = woo.publish_product(new_product("woo1"), existing_id=published.external_id)
    assert len(again.variants) == 2


def test_woocommerce_refuses_a_duplicated_sku(woo):
    woo.publish_product(new_product("woo2"))
    with pytest.raises(AdapterError) as error:
        woo.publish_product(new_product("woo2"))
    assert "duplicated SKU" in str(error.value) and error.value.permanent


def test_woocommerce_revoked_key_is_permanent(woo, sandbox_url):
    sandbox_switch(sandbox_url, fault="revoked")
    with pytest.raises(AdapterError) as error:
        woo.publish_product(new_product("woo3"))
    assert error.value.permanent


@pytest.fixture
def etsy_adapter(etsy, client, acme):
    from core.tenancy import Role
    from integrations.tests.test_etsy import connect
    from storefronts.models import Store

    client.force_login(acme.user(Role.ADMIN))
    connect(client)
    return EtsyAdapter.from_store(Store.objects.get(platform="etsy"))


def test_etsy_creates_a_draft_listing_with_its_inventory(etsy_adapter, etsy):
    published = etsy_adapter.publish_product(new_product("etsy1", prices={"A3": Decimal("18")}))
    assert published.state == "draft"
    assert {v.sku: (v.options, v.price) for v in published.variants} == {
        "PF-etsy1-1": ({"Size": "A4", "Paper": "Matte"}, Decimal("12.50")),
        "PF-etsy1-2": ({"Size": "A3", "Paper": "Matte"}, Decimal("18")),
    }
    assert "Poster etsy1" in sandbox_products(etsy, "etsy/demo-mugs")
    again = etsy_adapter.publish_product(new_product("etsy1"), existing_id=published.external_id)
    assert again.external_id == published.external_id and len(again.variants) == 2


def test_etsy_joins_more_than_two_options(etsy_adapter):
    product = NewProduct(
        title="Three ways",
        description="",
        product_type="Posters",
        option_names=("Size", "Paper", "Finish"),
        variants=(
            NewVariant("PF-etsy2-1", Decimal("5"), {"Size": "A4", "Paper": "Matte", "Finish": "None"}),
            NewVariant("PF-etsy2-2", Decimal("5"), {"Size": "A3", "Paper": "Matte", "Finish": "None"}),
        ),
    )
    published = etsy_adapter.publish_product(product)
    assert [v.options for v in published.variants] == [
        {"Variant": "A4 / Matte / None"},
        {"Variant": "A3 / Matte / None"},
    ]


def test_etsy_refuses_a_price_below_its_minimum_in_its_words(etsy_adapter):
    with pytest.raises(AdapterError) as error:
        etsy_adapter.publish_product(
            new_product("etsy3", prices={"A4": Decimal("0.10"), "A3": Decimal("0.10")})
        )
    assert "price must be between" in str(error.value) and error.value.permanent
