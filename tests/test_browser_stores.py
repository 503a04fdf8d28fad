"""Connecting stores in a real browser against the sandbox platforms: Shopify through its
consent screen (approved, and denied), WooCommerce with a key pair."""

import pytest

from core.tenancy import Role
from core.testing import PASSWORD
from sandbox import demo_keys
from storefronts.models import Store

pytestmark = pytest.mark.browser

WOO_KEY = demo_keys.woocommerce_key("demo-posters", "Printfront read/write")


@pytest.fixture
def platforms(shopify, settings, live_server):
    settings.SITE_URL = live_server.url
    return shopify


@pytest.fixture
def admin_page(page, live_server, acme, platforms):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(acme.user(Role.ADMIN).email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Stores").click()
    return page


def test_shopify_through_the_consent_screen(admin_page, acme):
    page = admin_page
    page.get_by_role("link", name="Connect Shopify").click()
    page.get_by_label("Shop name or URL").fill("demo-apparel")
    page.get_by_role("button", name="Continue to Shopify").click()
    assert page.get_by_role("heading", name="Install Printfront").is_visible()
    assert page.get_by_text("write_orders").is_visible()
    page.get_by_role("button", name="Install app").click()
    assert page.get_by_text("“Demo Apparel Co.” is connected.").is_visible()
    assert page.get_by_text("Connected", exact=True).first.is_visible()
    store = Store.objects.get(platform="shopify")
    assert (store.client, store.state) == (acme.client, "connected")


def test_shopify_denied_consent(admin_page):
    page = admin_page
    page.get_by_role("link", name="Connect Shopify").click()
    page.get_by_label("Shop name or URL").fill("demo-apparel.myshopify.com")
    page.get_by_role("button", name="Continue to Shopify").click()
    page.get_by_role("button", name="Cancel").click()
    assert page.get_by_text("The installation was declined on Shopify").is_visible()
    assert not Store.objects.filter(platform="shopify").exists()


def test_woocommerce_with_keys(admin_page, platforms, acme):
    page = admin_page
    page.get_by_role("link", name="Connect WooCommerce").click()
    page.get_by_label("Store URL").fill(f"{platforms}/woocommerce/demo-posters")
    page.get_by_label("Consumer key").fill(WOO_KEY[0])
    page.get_by_label("Consumer secret").fill("cs_wrong")
    page.get_by_role("button", name="Verify connection").click()
    assert page.get_by_text("WooCommerce refused the consumer key or secret").is_visible()
    page.get_by_label("Consumer secret").fill(WOO_KEY[1])
    page.get_by_role("button", name="Verify connection").click()
    assert page.get_by_text("“Demo Posters” is connected.").is_visible()
    assert Store.objects.get(platform="woocommerce").client == acme.client
