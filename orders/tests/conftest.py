"""Stores of Acme connected to the sandbox's demo shops, as a person connects them, with their
webhooks registered; and what the demo shop's page says about its products and orders."""

import pytest
from django.urls import reverse

from core.tenancy import Role
from integrations.tasks import register_webhooks
from integrations.tests.helpers import READ_WRITE, consent, sandbox_form
from sandbox import demo_keys
from storefronts.models import Store

from .arrival import PRESSERO_SHOP, WOO_SHOP


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
