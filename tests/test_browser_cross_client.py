"""A second client approving Printfront for a Shopify shop another client has connected, in a
real browser on the sandbox's consent screen: the second is refused, the first keeps working."""

import pytest
from django.test import Client
from django.urls import reverse

from core.tenancy import Role
from core.testing import PASSWORD
from integrations.registry import adapter_for
from integrations.tests.helpers import consent
from storefronts.models import Store

pytestmark = pytest.mark.browser

REFUSAL = "This shop is already connected to Printfront by another account."


@pytest.fixture
def shopify(shopify, settings, live_server):
    """The sandbox's Shopify, called back at the live server the browser uses."""
    settings.SITE_URL = live_server.url
    return shopify


def connect_as(tenant):
    """The tenant's Admin connects demo-apparel (outside the browser)."""
    admin = Client()
    admin.force_login(tenant.user(Role.ADMIN))
    start = admin.post(reverse("integrations:connect_shopify"), {"shop": "demo-apparel"})
    admin.get(reverse("integrations:shopify_callback"), consent(start.url))
    return Store.objects.get(platform="shopify", client=tenant.client)


def start_connect(page):
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Stores").click()
    page.get_by_role("link", name="Connect Shopify").click()
    page.get_by_label("Shop name or URL").fill("demo-apparel")
    page.get_by_role("button", name="Continue to Shopify").click()


def test_a_second_client_cannot_take_over_a_connected_shop(page, live_server, shopify, acme, globex):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(globex.user(Role.ADMIN).email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    start_connect(page)
    assert page.get_by_role("heading", name="Install Printfront").is_visible()
    # While Globex's admin looks at Shopify's consent screen, Acme connects the shop.
    store = connect_as(acme)
    token = store.credentials["access_token"]

    page.get_by_role("button", name="Install app").click()

    assert page.get_by_text(REFUSAL).is_visible()
    store.refresh_from_db()
    assert (store.state, store.credentials["access_token"]) == ("connected", token)
    adapter_for(store).verify()  # Acme's token was not revoked at Shopify
    assert not Store.objects.filter(platform="shopify", client=globex.client).exists()
    # Trying again, Globex is told at once and never sent to Shopify.
    start_connect(page)
    assert page.get_by_text(REFUSAL).is_visible()
    assert page.get_by_label("Shop name or URL").is_visible()
