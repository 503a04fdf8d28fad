"""A store's connection over time: a busy platform is not a broken one, no web request waits on
a hanging platform, and disconnecting removes our webhooks at the platform. Over real HTTP to
the sandbox, with its failure switches, and a real worker where the point is asynchrony."""

import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from core import http
from core.tenancy import Role
from integrations import services
from integrations.base import AdapterError
from integrations.pressero.adapter import PresseroAdapter
from integrations.shopify.adapter import PRODUCTS_QUERY, WEBHOOKS_QUERY, ShopifyAdapter
from integrations.tasks import register_webhooks, unregister_webhooks
from integrations.woocommerce.adapter import WooCommerceAdapter
from sandbox import demo_keys
from storefronts import services as store_services
from storefronts.models import Store

from .helpers import READ_WRITE, check_again, consent, sandbox_switch

WOO_SHOP = "woocommerce/demo-posters"
BUSY = "The platform is busy; Printfront tries again by itself."


@pytest.fixture
def admin(client, acme):
    client.force_login(acme.user(Role.ADMIN))
    return client


@pytest.fixture
def woo_url(sandbox_url, settings):
    settings.SANDBOX_ENABLED = True
    yield f"{sandbox_url}/{WOO_SHOP}"
    sandbox_switch(sandbox_url)


def connect_woocommerce(admin, woo_url):
    return admin.post(
        reverse("integrations:connect_woocommerce"),
        {"store_url": woo_url, "consumer_key": READ_WRITE[0], "consumer_secret": READ_WRITE[1]},
    )


@pytest.fixture
def woo_store(admin, woo_url, live_server, settings):
    """Acme's WooCommerce store, webhooks registered with the sandbox."""
    settings.SITE_URL = live_server.url
    connect_woocommerce(admin, woo_url)
    store = Store.objects.get(platform="woocommerce")
    register_webhooks.apply(args=[store.id])
    store.refresh_from_db()
    assert [hook["status"] for hook in store.webhooks] == ["active"] * 4
    return store


def store_page(admin, store):
    return admin.get(reverse("integrations:store", args=[store.code])).text


# --- 6. Busy is not broken ------------------------------------------------------------------------


def test_a_busy_platform_keeps_the_store_connected_and_says_so(admin, woo_store, sandbox_url, celery_worker):
    sandbox_switch(sandbox_url, fault="429", fault_limit=100, retry_after=1)
    check_again(admin, woo_store)
    woo_store.refresh_from_db()
    assert woo_store.state == "connected"
    assert woo_store.trouble_since is not None
    assert woo_store.state_reason == "WooCommerce is busy and asked Printfront to slow down."
    page = store_page(admin, woo_store)
    assert BUSY in page and "The connection fails" not in page


def test_a_refused_key_fails_at_once_with_its_cause(admin, woo_store, sandbox_url, celery_worker):
    sandbox_switch(sandbox_url, fault="revoked")
    check_again(admin, woo_store)
    woo_store.refresh_from_db()
    assert woo_store.state == "failing" and "refused the consumer key" in woo_store.state_reason
    assert woo_store.trouble_since is None


def test_trouble_that_lasts_half_an_hour_makes_the_store_failing(woo_store, sandbox_url, monkeypatch):
    monkeypatch.setattr("core.http.sleep", lambda seconds: None)
    sandbox_switch(sandbox_url, fault="5xx")
    assert services.verify_store(woo_store) is not None  # to be retried
    assert woo_store.state == "connected"

    Store.objects.filter(pk=woo_store.pk).update(trouble_since=timezone.now() - timedelta(minutes=31))
    woo_store.refresh_from_db()
    assert services.verify_store(woo_store) is None  # settled: nothing more to retry
    woo_store.refresh_from_db()
    assert woo_store.state == "failing"
    assert woo_store.state_reason.startswith("WooCommerce is having trouble on its side (a server error).")
    assert "This has lasted since" in woo_store.state_reason


def test_an_answer_after_trouble_clears_it(woo_store):
    Store.objects.filter(pk=woo_store.pk).update(
        trouble_since=timezone.now(), state_reason="WooCommerce is busy and asked Printfront to slow down."
    )
    woo_store.refresh_from_db()
    assert services.verify_store(woo_store) is None
    woo_store.refresh_from_db()
    assert (woo_store.state, woo_store.state_reason, woo_store.trouble_since) == ("connected", "", None)


def test_a_store_disconnected_during_its_check_stays_disconnected(woo_store):
    being_checked = Store.objects.get(pk=woo_store.pk)
    Store.objects.filter(pk=woo_store.pk).update(state="disconnected")
    services.verify_store(being_checked)  # the shop answers fine
    woo_store.refresh_from_db()
    assert woo_store.state == "disconnected"


def test_pressero_says_it_is_busy_not_that_the_host_is_wrong(sandbox_url, settings, monkeypatch):
    settings.SANDBOX_ENABLED = True
    monkeypatch.setattr("core.http.sleep", lambda seconds: None)
    sandbox_switch(sandbox_url, shop="pressero/demo-b2b", fault="429", fault_limit=100, retry_after=1)
    try:
        adapter = PresseroAdapter(
            f"{sandbox_url}/pressero/demo-b2b",
            demo_keys.PRESSERO_USERNAME,
            demo_keys.PRESSERO_PASSWORD,
            demo_keys.PRESSERO_SUBSCRIBER_ID,
            demo_keys.PRESSERO_CONSUMER_ID,
        )
        with pytest.raises(AdapterError) as error:
            adapter.verify()
    finally:
        sandbox_switch(sandbox_url, shop="pressero/demo-b2b")
    assert not error.value.permanent
    assert str(error.value) == "Pressero is busy and asked Printfront to slow down."


def test_a_timeout_reads_without_method_host_or_address(woo_url, sandbox_url, settings, monkeypatch):
    monkeypatch.setattr("core.http.sleep", lambda seconds: None)
    settings.OUTBOUND_TIMEOUT = 1
    sandbox_switch(sandbox_url, fault="slow", slow_seconds=2)
    with pytest.raises(AdapterError) as error:
        WooCommerceAdapter(woo_url, *READ_WRITE).verify()
    assert str(error.value) == "WooCommerce did not answer in time."
    assert not re.search(r"127\.0\.0\.1|GET|POST|timed out", str(error.value))


def test_a_busy_token_renewal_keeps_the_store_connected(etsy, admin, monkeypatch):
    from integrations.tasks import refresh_expiring_tokens

    from .test_etsy import connect

    connect(admin)
    store = Store.objects.get(platform="etsy")
    monkeypatch.setattr("core.http.sleep", lambda seconds: None)
    soon = (timezone.now() + timedelta(minutes=10)).isoformat()
    Store.objects.filter(pk=store.pk).update(credentials={**store.credentials, "expires_at": soon})
    sandbox_switch(etsy, shop="etsy/demo-mugs", fault="5xx")
    refresh_expiring_tokens.apply()
    store.refresh_from_db()
    assert store.state == "connected" and store.trouble_since is not None
    assert store.state_reason == "Etsy is having trouble on its side (a server error)."

    # The next renewal goes through: the trouble is over, and cannot add up with a later one.
    sandbox_switch(etsy, shop="etsy/demo-mugs")
    refresh_expiring_tokens.apply()
    store.refresh_from_db()
    assert (store.state, store.state_reason, store.trouble_since) == ("connected", "", None)


def test_a_check_that_ends_after_a_reconnect_leaves_the_new_connection_alone(woo_store):
    checked = Store.objects.get(pk=woo_store.pk)  # what the worker read before asking the shop
    Store.objects.filter(pk=woo_store.pk).update(connected_at=timezone.now() + timedelta(seconds=1))
    store_services.record_connection_check(None, checked, "WooCommerce refused the consumer key.")
    woo_store.refresh_from_db()
    assert (woo_store.state, woo_store.state_reason) == ("connected", "")


# --- 7. No web request waits on a platform for long -------------------------------------------


def test_verify_again_does_not_wait_on_a_hanging_platform(admin, woo_store, sandbox_url):
    # No worker runs here: the request can only answer "checking" if it never called the shop,
    # which hangs for longer than a request may take.
    sandbox_switch(sandbox_url, fault="slow", slow_seconds=40)
    response = admin.post(reverse("integrations:store_verify", args=[woo_store.code]), follow=True)
    page = response.text
    assert "Checking the connection…" in page
    assert f'hx-get="{reverse("integrations:store_connection", args=[woo_store.code])}"' in page
    woo_store.refresh_from_db()
    assert woo_store.state == "connected" and woo_store.check_requested_at is not None


def test_the_store_page_follows_the_check_and_then_reloads(admin, woo_store, celery_worker):
    check_again(admin, woo_store)  # polls until the fragment asks for a reload
    page = store_page(admin, woo_store)
    connection_part = reverse("integrations:store_connection", args=[woo_store.code])
    assert "Checking the connection…" not in page and connection_part not in page


def test_a_connect_page_gives_up_at_its_deadline(admin, woo_url, sandbox_url, settings):
    # The shop answers slower than the deadline but within OUTBOUND_TIMEOUT: without the
    # deadline this would connect after waiting.
    settings.OUTBOUND_REQUEST_DEADLINE = 1
    sandbox_switch(sandbox_url, fault="slow", slow_seconds=3)
    response = connect_woocommerce(admin, woo_url)
    assert response.status_code == 200
    assert "WooCommerce did not answer in time." in response.text
    assert not Store.objects.filter(platform="woocommerce").exists()


def test_a_throttled_shopify_is_not_outwaited_under_a_deadline(shopify_store, shopify, monkeypatch):
    waits = []
    monkeypatch.setattr("core.http.sleep", waits.append)
    sandbox_switch(shopify, shop="shopify/demo-apparel", bucket_available=0)
    try:
        with http.deadline(0.1), pytest.raises(AdapterError) as error:
            ShopifyAdapter.from_store(shopify_store).graphql(PRODUCTS_QUERY, {"first": 1})
    finally:
        sandbox_switch(shopify, shop="shopify/demo-apparel")
    assert str(error.value) == "Shopify is busy and asked Printfront to slow down."
    assert not error.value.permanent and waits == []


def test_gunicorn_waits_longer_than_any_request_may_take():
    root = Path(django_settings.BASE_DIR)
    # gunicorn.conf.py holds it, and nothing that starts gunicorn sets another.
    timeout = re.search(r"^timeout = (\d+)$", (root / "gunicorn.conf.py").read_text(), re.MULTILINE)
    starts = [(root / name).read_text() for name in ("Dockerfile", "docker-compose.yml", "bench/stack.py")]
    assert timeout and not any(re.search(r"gunicorn[^\n]*--timeout", text) for text in starts)
    # Platform calls in a request stop at the deadline; the rest of the request needs far less.
    assert int(timeout.group(1)) >= 2 * django_settings.OUTBOUND_REQUEST_DEADLINE


# --- 8. Disconnect cleans up --------------------------------------------------------------------


def woocommerce_hooks(woo_url):
    response = WooCommerceAdapter(woo_url, *READ_WRITE).call("GET", "webhooks", params={"per_page": 100})
    return {hook["id"] for hook in response.json()}


def test_disconnect_removes_woocommerce_webhooks_in_the_worker(admin, woo_store, woo_url, celery_worker):
    ours = {hook["id"] for hook in woo_store.webhooks}
    assert ours <= woocommerce_hooks(woo_url)
    admin.post(reverse("integrations:store_disconnect", args=[woo_store.code]))
    give_up = time.monotonic() + 30
    while Store.objects.get(pk=woo_store.pk).credentials is not None and time.monotonic() < give_up:
        time.sleep(0.2)
    woo_store.refresh_from_db()
    assert woo_store.credentials is None
    assert not ours & woocommerce_hooks(woo_url)
    assert {hook["status"] for hook in woo_store.webhooks} == {"removed"}
    assert "webhooks were removed from the shop" in store_page(admin, woo_store)


def test_credentials_are_kept_until_the_webhooks_are_removed(admin, woo_store, woo_url):
    # No worker: the removal waits in the queue, and so must the credentials it needs.
    admin.post(reverse("integrations:store_disconnect", args=[woo_store.code]))
    woo_store.refresh_from_db()
    assert woo_store.state == "disconnected" and woo_store.credentials == dict(
        zip(("consumer_key", "consumer_secret"), READ_WRITE, strict=True)
    )
    page = store_page(admin, woo_store)
    assert "Removing Printfront's webhooks from the shop…" in page and "hx-get" in page
    unregister_webhooks.apply(args=[woo_store.id])
    woo_store.refresh_from_db()
    assert woo_store.credentials is None
    assert not {hook["id"] for hook in woo_store.webhooks} & woocommerce_hooks(woo_url)


def test_a_refused_removal_is_shown_and_the_credentials_still_go(admin, woo_store, sandbox_url):
    admin.post(reverse("integrations:store_disconnect", args=[woo_store.code]))
    sandbox_switch(sandbox_url, fault="revoked")
    unregister_webhooks.apply(args=[woo_store.id])
    woo_store.refresh_from_db()
    assert woo_store.credentials is None
    assert "could not remove its webhooks" in woo_store.webhooks_error
    assert "Remove them in the shop&#x27;s settings." in store_page(admin, woo_store)


def test_a_busy_platform_is_retried_before_giving_up(admin, woo_store, sandbox_url, monkeypatch):
    monkeypatch.setattr("core.http.sleep", lambda seconds: None)
    admin.post(reverse("integrations:store_disconnect", args=[woo_store.code]))
    sandbox_switch(sandbox_url, fault="5xx")
    woo_store.refresh_from_db()
    assert services.unregister_webhooks(woo_store, final_attempt=False) is not None
    woo_store.refresh_from_db()
    assert woo_store.credentials is not None  # kept for the next attempt
    assert "Printfront tries again" in woo_store.webhooks_error


def test_a_removal_waiting_on_its_retry_is_not_queued_again(admin, woo_store, sandbox_url, monkeypatch):
    monkeypatch.setattr("core.http.sleep", lambda seconds: None)
    admin.post(reverse("integrations:store_disconnect", args=[woo_store.code]))
    sandbox_switch(sandbox_url, fault="5xx")
    woo_store.refresh_from_db()
    assert services.unregister_webhooks(woo_store, final_attempt=False) is not None
    Store.objects.filter(pk=woo_store.pk).update(updated_at=timezone.now() - timedelta(minutes=5))
    assert services.lost_cleanups() == []  # its own retry comes after 1, 2, 4, 8 or 16 minutes
    Store.objects.filter(pk=woo_store.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    assert services.lost_cleanups() == [woo_store.id]  # that retry was lost as well


def register_in_the_sweep_meanwhile(monkeypatch, store):
    """Make the first webhook WooCommerce is asked to create wait for a second registration of
    the same store: the sweep's copy, queued while this one still runs against a slow platform."""
    call, swept = WooCommerceAdapter.call, []

    def slow_platform(adapter, method, *args, **kwargs):
        if method == "POST":
            monkeypatch.setattr(WooCommerceAdapter, "call", call)  # once
            swept.append(register_webhooks.apply(args=[store.id]))
        return call(adapter, method, *args, **kwargs)

    monkeypatch.setattr(WooCommerceAdapter, "call", slow_platform)
    return swept


def test_a_registration_still_running_is_not_run_twice(admin, woo_url, live_server, settings, monkeypatch):
    settings.SITE_URL = live_server.url
    connect_woocommerce(admin, woo_url)
    store = Store.objects.get(platform="woocommerce")
    swept = register_in_the_sweep_meanwhile(monkeypatch, store)
    register_webhooks.apply(args=[store.id])
    assert swept and swept[0].successful()  # the second copy ran, and stepped aside
    store.refresh_from_db()
    listing = WooCommerceAdapter(woo_url, *READ_WRITE).call("GET", "webhooks", params={"per_page": 100})
    ours = [hook["topic"] for hook in listing.json() if hook["delivery_url"] == services.webhook_url(store)]
    assert len(ours) == len(set(ours)) == len(store.webhooks) > 0


def test_disconnecting_while_registering_removes_what_registration_made(
    admin, woo_url, live_server, settings, monkeypatch
):
    settings.SITE_URL = live_server.url
    connect_woocommerce(admin, woo_url)
    store = Store.objects.get(platform="woocommerce")
    ensure, made = WooCommerceAdapter.ensure_webhooks, set()

    def disconnected_meanwhile(adapter, *args):
        hooks = ensure(adapter, *args)
        made.update(hook["id"] for hook in hooks)
        # Nothing registered yet as far as disconnecting can see: it queues no removal.
        admin.post(reverse("integrations:store_disconnect", args=[store.code]))
        return hooks

    monkeypatch.setattr(WooCommerceAdapter, "ensure_webhooks", disconnected_meanwhile)
    register_webhooks.apply(args=[store.id])
    store.refresh_from_db()
    assert store.state == "disconnected" and store.credentials is None and store.webhooks == []
    assert made and not made & woocommerce_hooks(woo_url)


def test_a_removal_lost_to_a_broker_outage_is_found_again(admin, woo_store):
    admin.post(reverse("integrations:store_disconnect", args=[woo_store.code]))
    assert services.lost_cleanups() == []  # just queued: not lost yet
    Store.objects.filter(pk=woo_store.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    assert services.lost_cleanups() == [woo_store.id]
    unregister_webhooks.apply(args=[woo_store.id])
    assert services.lost_cleanups() == []


def test_a_store_connected_again_meanwhile_is_left_alone(admin, woo_store, woo_url):
    admin.post(reverse("integrations:store_disconnect", args=[woo_store.code]))
    connect_woocommerce(admin, woo_url)
    unregister_webhooks.apply(args=[woo_store.id])
    woo_store.refresh_from_db()
    assert woo_store.state == "connected" and woo_store.credentials is not None
    assert {hook["id"] for hook in woo_store.webhooks} <= woocommerce_hooks(woo_url)


@pytest.fixture
def shopify_store(shopify, admin, live_server, settings):
    settings.SITE_URL = live_server.url
    start = admin.post(reverse("integrations:connect_shopify"), {"shop": "demo-apparel"})
    admin.get(reverse("integrations:shopify_callback"), consent(start.url))
    store = Store.objects.get(platform="shopify")
    register_webhooks.apply(args=[store.id])
    store.refresh_from_db()
    return store


def test_disconnect_removes_shopify_subscriptions(admin, shopify_store):
    adapter = ShopifyAdapter.from_store(shopify_store)
    admin.post(reverse("integrations:store_disconnect", args=[shopify_store.code]))
    unregister_webhooks.apply(args=[shopify_store.id])
    shopify_store.refresh_from_db()
    assert shopify_store.credentials is None and shopify_store.webhooks_error == ""
    # The token still works (disconnecting is not uninstalling): Shopify has none of ours left.
    remaining = adapter.graphql(WEBHOOKS_QUERY)["webhookSubscriptions"]["nodes"]
    assert not {hook["id"] for hook in shopify_store.webhooks} & {hook["id"] for hook in remaining}


def test_a_shopify_subscription_already_gone_counts_as_removed(shopify_store):
    adapter = ShopifyAdapter.from_store(shopify_store)
    adapter.remove_webhooks(shopify_store.webhooks)
    adapter.remove_webhooks(shopify_store.webhooks)  # Shopify: "does not exist", on `id`


@pytest.mark.parametrize(
    ("state", "status", "text"), [("disconnected", 410, "disconnected"), (None, 404, "No such")]
)
@pytest.mark.parametrize("hook", ["hooks:shopify", "hooks:woocommerce", "hooks:pressero"])
def test_deliveries_to_no_receiving_store_get_a_short_plain_answer(
    acme, live_server, settings, state, status, text, hook
):
    settings.DEBUG = True  # where Django would answer with its HTML debug page
    store = acme.store
    platform = hook.split(":")[1]
    Store.objects.filter(pk=store.pk).update(platform=platform, state=state or "connected")
    code = store.code if state else "00000000-0000-4000-8000-000000000000"
    response = requests.post(live_server.url + reverse(hook, args=[code]), data=b"{}", timeout=10)
    assert response.status_code == status
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert text in response.text and "<" not in response.text
