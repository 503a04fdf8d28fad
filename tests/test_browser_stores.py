"""Connecting stores in a real browser against the sandbox platforms: Shopify through its
consent screen (approved, and denied), WooCommerce with a key pair (in Spanish, by keyboard alone)."""

import pytest

from core.tenancy import Role
from core.testing import PASSWORD
from sandbox import demo_keys
from storefronts.models import Store
from tests.keyboard import follow, press_and_wait, skip_to_content, tab_to, type_into
from tests.test_browser_spanish import iniciar_sesion, new_page

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


def test_woocommerce_with_keys_in_spanish_by_keyboard(browser, live_server, platforms, acme):
    page = new_page(browser, "es-ES")
    iniciar_sesion(page, live_server.url, acme.user(Role.ADMIN).email, PASSWORD)
    follow(page, page.get_by_role("link", name="Tiendas"))
    skip_to_content(page)
    follow(page, page.get_by_role("link", name="Conectar WooCommerce"))
    skip_to_content(page)
    type_into(page, page.get_by_label("URL de la tienda"), f"{platforms}/woocommerce/demo-posters")
    type_into(page, page.get_by_label("Consumer key"), WOO_KEY[0])
    type_into(page, page.get_by_label("Consumer secret"), "cs_wrong")
    tab_to(page, page.get_by_role("button", name="Verificar la conexión"))
    press_and_wait(page)
    # The refusal is announced; the secret is asked for again.
    assert "WooCommerce rechazó la consumer key" in page.get_by_role("alert").text_content()
    type_into(page, page.get_by_label("Consumer secret"), WOO_KEY[1])
    tab_to(page, page.get_by_role("button", name="Verificar la conexión"))
    press_and_wait(page)
    assert page.get_by_text("“Demo Posters” está conectada.").is_visible()
    assert Store.objects.get(platform="woocommerce").client == acme.client
