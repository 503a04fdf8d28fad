"""A second client trying to connect a shop another client has connected, on every platform,
over real HTTP against the sandbox: B is told why, and A's connection is untouched (its row,
its webhooks at the platform, and its stored credentials still work there)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from core.models import AuditEvent
from core.tenancy import Role
from integrations.registry import adapter_for
from integrations.shopify.adapter import WEBHOOKS_QUERY, ShopifyAdapter
from integrations.tasks import register_webhooks
from integrations.woocommerce.adapter import WooCommerceAdapter
from sandbox import demo_keys
from storefronts.models import Store

from .helpers import READ_WRITE, consent

REFUSAL = "already connected to Printfront by another account"


def signed_in(tenant, role=Role.ADMIN):
    browser = Client()
    browser.force_login(tenant.user(role))
    return browser


def snapshot(store):
    store.refresh_from_db()
    return {field.attname: getattr(store, field.attname) for field in Store._meta.concrete_fields}


def assert_untouched(store, before, globex):
    """A's row is as it was, its credentials still work at the platform, and B has no store
    and no audit trail of a connection."""
    assert snapshot(store) == before
    adapter_for(store).verify()
    assert not Store.objects.filter(client=globex.client, platform=store.platform).exists()
    assert not AuditEvent.objects.filter(client=globex.client, verb__startswith="store.").exists()


# --- Shopify -------------------------------------------------------------------------------------

SHOPIFY_CALLBACK = reverse("integrations:shopify_callback")


def start_shopify(browser):
    return browser.post(reverse("integrations:connect_shopify"), {"shop": "demo-apparel"})


def shopify_hooks(store):
    hooks = ShopifyAdapter.from_store(store).graphql(WEBHOOKS_QUERY)["webhookSubscriptions"]["nodes"]
    return sorted((hook["topic"], hook["uri"]) for hook in hooks)


def test_shopify_a_second_client_changes_nothing_of_the_first(shopify, acme, globex):
    a, b = signed_in(acme), signed_in(globex)
    # B starts while the shop is still free, and is on Shopify's consent screen when A connects.
    b_authorize = start_shopify(b).url
    a.get(SHOPIFY_CALLBACK, consent(start_shopify(a).url))
    store = Store.objects.get(platform="shopify", client=acme.client)
    register_webhooks.apply(args=[store.id])
    before, hooks = snapshot(store), shopify_hooks(store)

    answer = b.get(SHOPIFY_CALLBACK, consent(b_authorize))  # B approves: the code is not spent

    assert answer.status_code == 400 and REFUSAL in answer.text
    assert_untouched(store, before, globex)
    assert shopify_hooks(store) == hooks
    # Starting again, B is refused before being sent to Shopify at all.
    again = start_shopify(b)
    assert again.status_code == 200 and REFUSAL in again.text
    assert "shopify_oauth" not in b.session


def test_shopify_a_store_manager_is_refused_before_shopify_for_a_store_not_theirs(shopify, acme):
    a = signed_in(acme)
    a.get(SHOPIFY_CALLBACK, consent(start_shopify(a).url))
    store = Store.objects.get(platform="shopify")
    before = snapshot(store)
    answer = start_shopify(signed_in(acme, Role.STORE_MANAGER))
    assert "not assigned to you" in answer.text
    assert snapshot(store) == before
    adapter_for(store).verify()


# --- Etsy ----------------------------------------------------------------------------------------

ETSY_CALLBACK = reverse("integrations:etsy_callback")


def connect_etsy(browser):
    start = browser.post(reverse("integrations:connect_etsy"))
    return browser.get(ETSY_CALLBACK, consent(start.url, decision="allow", callback_path=ETSY_CALLBACK))


def test_etsy_a_second_client_changes_nothing_of_the_first(etsy, acme, globex):
    connect_etsy(signed_in(acme))
    store = Store.objects.get(platform="etsy", client=acme.client)
    before = snapshot(store)

    # Etsy names the shop only once the code is exchanged: B gets a grant of its own (which
    # leaves A's tokens valid at Etsy), then is refused before anything is kept.
    answer = connect_etsy(signed_in(globex))

    assert answer.status_code == 400 and REFUSAL in answer.text
    assert_untouched(store, before, globex)
    # A's refresh token was not revoked either: A can still renew.
    assert adapter_for(store).refresh_if_needed(margin=timedelta(days=1))


# --- WooCommerce ---------------------------------------------------------------------------------


@pytest.fixture
def woocommerce_url(sandbox_url, settings, live_server):
    settings.SANDBOX_ENABLED = True
    settings.SITE_URL = live_server.url
    return f"{sandbox_url}/woocommerce/demo-posters"


def connect_woocommerce(browser, url):
    return browser.post(
        reverse("integrations:connect_woocommerce"),
        {"store_url": url, "consumer_key": READ_WRITE[0], "consumer_secret": READ_WRITE[1]},
    )


def woocommerce_hooks(url):
    """Every webhook the shop has, as WooCommerce lists them."""
    listing = WooCommerceAdapter(url, *READ_WRITE).call("GET", "webhooks", params={"per_page": 100})
    return sorted((hook["id"], hook["status"], hook["delivery_url"]) for hook in listing.json())


def test_woocommerce_a_second_client_changes_nothing_of_the_first(woocommerce_url, acme, globex):
    connect_woocommerce(signed_in(acme), woocommerce_url)
    store = Store.objects.get(platform="woocommerce", client=acme.client)
    register_webhooks.apply(args=[store.id])
    before, hooks = snapshot(store), woocommerce_hooks(woocommerce_url)
    assert len(store.webhooks) == 4

    answer = connect_woocommerce(signed_in(globex), woocommerce_url + "/")

    assert REFUSAL in answer.text
    assert_untouched(store, before, globex)
    assert woocommerce_hooks(woocommerce_url) == hooks


# --- Pressero ------------------------------------------------------------------------------------


def connect_pressero(browser, host, name):
    return browser.post(
        reverse("integrations:connect_pressero"),
        {
            "name": name,
            "host": host,
            "username": demo_keys.PRESSERO_USERNAME,
            "password": demo_keys.PRESSERO_PASSWORD,
            "subscriber_id": demo_keys.PRESSERO_SUBSCRIBER_ID,
            "consumer_id": demo_keys.PRESSERO_CONSUMER_ID,
        },
    )


def test_pressero_a_second_client_changes_nothing_of_the_first(sandbox_url, settings, acme, globex):
    settings.SANDBOX_ENABLED = True
    host = f"{sandbox_url}/pressero/demo-b2b"
    connect_pressero(signed_in(acme), host, "Acme B2B portal")
    store = Store.objects.get(platform="pressero", client=acme.client)
    before = snapshot(store)
    assert store.webhook_secret  # the security key A typed into Pressero's admin

    answer = connect_pressero(signed_in(globex), host + "/", "Globex")

    assert REFUSAL in answer.text
    assert_untouched(store, before, globex)
