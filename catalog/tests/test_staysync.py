"""Staying in sync without a manual sync, over real HTTP against the sandbox: a product changed
or deleted in a Shopify or WooCommerce demo shop reaches Printfront through the platform's
product webhook and a real worker; an Etsy listing changed in the sandbox is found by the
scheduled incremental sync.

The sandbox runs once for the whole session, so each test works on products it adds to the
demo shop itself, and deletes them (or puts back what it changed) when it is done."""

import base64
import hashlib
import hmac
import json
import re
import uuid
from datetime import timedelta

import pytest
import requests
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from catalog import products_sync, staysync, sync
from catalog.models import (
    CatalogProduct,
    CatalogVariant,
    ProductMapping,
    RunState,
    SourceState,
    StoreProduct,
    StoreVariant,
    SyncRun,
)
from catalog.tasks import process_product_delivery, sync_changed_products
from core.tenancy import Role
from core.testing import make_client, wait_for
from integrations import services as integrations
from integrations.models import WebhookDelivery
from integrations.registry import adapter_for
from integrations.tasks import register_webhooks
from integrations.tests.helpers import READ_WRITE, consent, sandbox_form, sandbox_switch
from sandbox import demo_keys
from storefronts.models import Store

SHOPIFY_SHOP, WOO_SHOP, ETSY_SHOP = "shopify/demo-apparel", "woocommerce/demo-posters", "etsy/demo-mugs"


# --- The merchant's side: the demo shop's page -------------------------------------------------


def add_product(sandbox_url, shop, sizes=""):
    """A new product in the demo shop (its page's form); returns (sandbox id, title)."""
    title = f"Staysync poster {uuid.uuid4().hex[:8]}"
    sandbox_form(sandbox_url, shop, action="product_add", title=title, sizes=sizes, price="12.00")
    page = requests.get(f"{sandbox_url}/shops/{shop}/", timeout=10).text
    return int(re.search(rf'<option value="(\d+)">{title} \(#', page).group(1)), title


def change_product(sandbox_url, shop, pk, title, status="active"):
    sandbox_form(sandbox_url, shop, action="product_change", product=pk, title=title, status=status)


def delete_product(sandbox_url, shop, pk):
    sandbox_form(sandbox_url, shop, action="product_delete", product=pk)


@pytest.fixture
def added(sandbox_url):
    """Products added to demo shops by a test, deleted again after it."""
    made = []

    def add(shop, sizes=""):
        pk, title = add_product(sandbox_url, shop, sizes)
        made.append((shop, pk))
        return pk, title

    yield add
    for shop, pk in made:
        page = requests.get(f"{sandbox_url}/shops/{shop}/", timeout=10).text
        if re.search(rf'<option value="{pk}">[^<]* \(#{pk},', page):
            delete_product(sandbox_url, shop, pk)


# --- Printfront's side ---------------------------------------------------------------------------


@pytest.fixture
def shopify_store(shopify, live_server, settings, client, acme):
    settings.SITE_URL = live_server.url
    client.force_login(acme.user(Role.ADMIN))
    start = client.post(reverse("integrations:connect_shopify"), {"shop": "demo-apparel"})
    client.get(reverse("integrations:shopify_callback"), consent(start.url))
    store = Store.objects.get(platform="shopify", client=acme.client)
    register_webhooks.apply(args=[store.id])
    store.refresh_from_db()
    return store


@pytest.fixture
def woo_store(live_server, sandbox_url, settings, client, acme):
    settings.SANDBOX_ENABLED = True
    settings.SITE_URL = live_server.url
    client.force_login(acme.user(Role.ADMIN))
    client.post(
        reverse("integrations:connect_woocommerce"),
        {
            "store_url": f"{sandbox_url}/woocommerce/demo-posters",
            "consumer_key": READ_WRITE[0],
            "consumer_secret": READ_WRITE[1],
        },
    )
    store = Store.objects.get(platform="woocommerce", client=acme.client)
    register_webhooks.apply(args=[store.id])
    store.refresh_from_db()
    return store


# The sandbox's Shopify product ids count up from here, above 2**53 as Shopify's do
# (sandbox.shopify.ID_BASE; the sandbox is its own process, not imported here).
SHOPIFY_PRODUCT_ID_BASE = 7_102_000_000_000_000_000


def shopify_id(pk):
    return str(SHOPIFY_PRODUCT_ID_BASE + pk)


def synced(store, external_id):
    """The product as an earlier sync left it, with its first variant mapped to a catalog UID."""
    sync.apply_page(store, [adapter_for(store).fetch_product(external_id)], seen_at=timezone.now())
    product = StoreProduct.objects.get(store=store, external_id=external_id)
    catalog = CatalogProduct.objects.create(
        name="Poster",
        product_type="poster",
        uid_prefix="flat_product",
        print_width_mm=210,
        print_height_mm=297,
    )
    uid = CatalogVariant.objects.create(product=catalog, uid=f"flat_product_pf_a4_{uuid.uuid4().hex[:6]}")
    ProductMapping.objects.create(store=store, variant=product.variants.first(), catalog_variant=uid)
    return product


def deliveries(store, topic):
    return WebhookDelivery.objects.filter(store=store, topic=topic).order_by("created_at", "id")


def sign_shopify(body):
    digest = hmac.new(demo_keys.SHOPIFY_APP_CLIENT_SECRET.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def deliver_shopify(live_server, store, topic, body, webhook_id=None):
    """A delivery exactly as Shopify signs one (the app's secret over the raw body)."""
    return requests.post(
        live_server.url + reverse("hooks:shopify", args=[store.code]),
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": sign_shopify(body),
            "X-Shopify-Shop-Domain": "demo-apparel.myshopify.com",
            "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
        },
        timeout=10,
    )


# --- Webhooks, through a real worker -----------------------------------------------------------


@pytest.mark.worker
def test_a_shopify_product_changed_then_deleted_in_the_shop_follows_without_a_sync(
    shopify_store, shopify, added, celery_worker
):
    pk, title = added(SHOPIFY_SHOP, sizes="A3,A2")
    product = synced(shopify_store, shopify_id(pk))
    assert (product.title, product.variants.count()) == (title, 2)

    change_product(shopify, SHOPIFY_SHOP, pk, "Renamed in Shopify", status="archived")
    assert wait_for(lambda: StoreProduct.objects.get(pk=product.pk).title == "Renamed in Shopify")
    product.refresh_from_db()
    assert product.source_state == SourceState.ARCHIVED
    assert deliveries(shopify_store, "products/update").get().state == "processed"

    delete_product(shopify, SHOPIFY_SHOP, pk)
    assert wait_for(lambda: StoreProduct.objects.get(pk=product.pk).source_state == SourceState.DELETED)
    assert wait_for(lambda: deliveries(shopify_store, "products/delete").get().state == "processed")
    product.refresh_from_db()
    assert product.title == "Renamed in Shopify"  # kept as last seen, marked deleted
    assert set(product.variants.values_list("source_state", flat=True)) == {SourceState.DELETED}
    assert ProductMapping.objects.filter(variant__product=product).count() == 1


@pytest.mark.worker
def test_a_woocommerce_variable_product_follows_with_its_variations(
    woo_store, sandbox_url, added, celery_worker
):
    pk, _ = added(WOO_SHOP, sizes="A3,A2")
    product = synced(woo_store, str(pk))

    change_product(sandbox_url, WOO_SHOP, pk, "Renamed in WooCommerce", status="draft")
    assert wait_for(lambda: StoreProduct.objects.get(pk=product.pk).title == "Renamed in WooCommerce")
    product.refresh_from_db()
    assert product.source_state == SourceState.DRAFT
    # The body lists the variations by id only: they were fetched, and are as they were.
    assert sorted(product.variants.values_list("options", flat=True), key=str) == [
        {"Size": "A2"},
        {"Size": "A3"},
    ]
    assert deliveries(woo_store, "product.updated").get().state == "processed"

    delete_product(sandbox_url, WOO_SHOP, pk)
    assert wait_for(lambda: StoreProduct.objects.get(pk=product.pk).source_state == SourceState.DELETED)
    assert ProductMapping.objects.filter(variant__product=product).count() == 1


@pytest.mark.worker
def test_a_product_new_to_printfront_arrives_with_its_first_change(
    woo_store, sandbox_url, added, celery_worker
):
    pk, _ = added(WOO_SHOP)  # a simple product: the body carries all of it
    change_product(sandbox_url, WOO_SHOP, pk, "Brand new poster")
    assert wait_for(lambda: StoreProduct.objects.filter(store=woo_store, external_id=str(pk)).exists())
    product = StoreProduct.objects.get(store=woo_store, external_id=str(pk))
    assert product.title == "Brand new poster"
    assert list(product.variants.values_list("external_id", "sku")) == [(str(pk), f"NEW-{pk}-ONE")]


# --- Order, repeats, and busy platforms ---------------------------------------------------------


def test_an_older_update_arriving_after_a_newer_one_changes_nothing(
    shopify_store, shopify, live_server, added
):
    pk, _ = added(SHOPIFY_SHOP, sizes="A3")
    product = synced(shopify_store, shopify_id(pk))
    change_product(shopify, SHOPIFY_SHOP, pk, "The newest title")
    newer = deliveries(shopify_store, "products/update").get()
    process_product_delivery.apply(args=[newer.id])
    product.refresh_from_db()
    assert product.title == "The newest title"
    stamped = product.source_updated_at

    # The same product an hour earlier, as Shopify would have sent it then, arriving now.
    older = json.loads(bytes(newer.body))
    older.update(
        title="An old title",
        updated_at=(parse_datetime(older["updated_at"]) - timedelta(hours=1)).isoformat(),
    )
    assert deliver_shopify(live_server, shopify_store, "products/update", json.dumps(older).encode()).ok
    late = deliveries(shopify_store, "products/update").last()
    process_product_delivery.apply(args=[late.id])  # the shop is asked: it has the newest title
    product.refresh_from_db()
    assert (product.title, product.source_updated_at) == ("The newest title", stamped)

    # With the shop unable to answer, the body is all there is: an older one is ignored ...
    sandbox_switch(shopify, shop=SHOPIFY_SHOP, fault="5xx")
    try:
        older["title"] = "Another old title"
        assert deliver_shopify(live_server, shopify_store, "products/update", json.dumps(older).encode()).ok
        late = deliveries(shopify_store, "products/update").last()
        assert staysync.process_product_delivery(late.id, final_attempt=False).state == "processed"
        late.refresh_from_db()
        assert late.state == "ignored"
        product.refresh_from_db()
        assert product.title == "The newest title"

        # ... and a newer one is applied from the body alone.
        newest = {**older, "title": "Newer still", "updated_at": (stamped + timedelta(minutes=1)).isoformat()}
        assert deliver_shopify(live_server, shopify_store, "products/update", json.dumps(newest).encode()).ok
        process_product_delivery.apply(args=[deliveries(shopify_store, "products/update").last().id])
        product.refresh_from_db()
        assert product.title == "Newer still"
    finally:
        sandbox_switch(shopify, shop=SHOPIFY_SHOP)


def test_an_update_after_the_delete_does_not_bring_the_product_back(
    shopify_store, shopify, live_server, added
):
    pk, _ = added(SHOPIFY_SHOP)
    product = synced(shopify_store, shopify_id(pk))
    change_product(shopify, SHOPIFY_SHOP, pk, "Last title before deletion")
    update = deliveries(shopify_store, "products/update").get()
    delete_product(shopify, SHOPIFY_SHOP, pk)
    process_product_delivery.apply(args=[deliveries(shopify_store, "products/delete").get().id])
    sandbox_switch(shopify, shop=SHOPIFY_SHOP, fault="5xx")
    try:  # the update arrives late, and the shop cannot be asked: its body must not revive it
        process_product_delivery.apply(args=[update.id])
    finally:
        sandbox_switch(shopify, shop=SHOPIFY_SHOP)
    product.refresh_from_db()
    assert product.source_state == SourceState.DELETED
    update.refresh_from_db()
    assert update.state == "ignored"


def test_a_replayed_delivery_changes_nothing(shopify_store, shopify, live_server, added):
    pk, _ = added(SHOPIFY_SHOP)
    product = synced(shopify_store, shopify_id(pk))
    change_product(shopify, SHOPIFY_SHOP, pk, "Changed once")
    delivery = deliveries(shopify_store, "products/update").get()
    process_product_delivery.apply(args=[delivery.id])
    product.refresh_from_db()
    before = (product.title, product.updated_at, list(StoreVariant.objects.filter(product=product).values()))

    # The same delivery again (Shopify's retry), and the same body under a new id (a replay).
    body = bytes(delivery.body)
    assert deliver_shopify(live_server, shopify_store, "products/update", body, delivery.delivery_key).ok
    assert deliver_shopify(live_server, shopify_store, "products/update", body).ok
    assert deliveries(shopify_store, "products/update").count() == 1
    process_product_delivery.apply(args=[delivery.id])  # a redelivered task
    product.refresh_from_db()
    assert (
        product.title,
        product.updated_at,
        list(StoreVariant.objects.filter(product=product).values()),
    ) == before


def test_a_variable_product_waits_for_a_busy_shop(woo_store, sandbox_url, added):
    pk, _ = added(WOO_SHOP, sizes="A3,A2")
    product = synced(woo_store, str(pk))
    sandbox_switch(sandbox_url, shop=WOO_SHOP, fault="5xx")
    try:
        change_product(sandbox_url, WOO_SHOP, pk, "Renamed while busy")
        delivery = deliveries(woo_store, "product.updated").get()
        assert staysync.process_product_delivery(delivery.id, final_attempt=False).state == "retry"
        delivery.refresh_from_db()
        assert (delivery.state, delivery.attempts) == ("received", 1)
        assert "trouble" in delivery.error
    finally:
        sandbox_switch(sandbox_url, shop=WOO_SHOP)
    assert staysync.process_product_delivery(delivery.id).state == "processed"
    product.refresh_from_db()
    assert product.title == "Renamed while busy" and product.variants.count() == 2


def test_a_body_that_is_not_a_product_fails_the_delivery(shopify_store, live_server):
    order = json.dumps({"id": 820982911946154508, "name": "#1001", "line_items": []}).encode()
    assert deliver_shopify(live_server, shopify_store, "products/update", order).ok
    assert deliver_shopify(live_server, shopify_store, "products/delete", order).ok
    for delivery in WebhookDelivery.objects.filter(store=shopify_store):
        process_product_delivery.apply(args=[delivery.id])
        delivery.refresh_from_db()
        assert delivery.state == "failed" and "not" in delivery.error
    assert not StoreProduct.objects.exists()


def test_another_clients_rows_are_never_touched(shopify_store, shopify, live_server, added, globex):
    pk, _ = added(SHOPIFY_SHOP)
    ours = synced(shopify_store, shopify_id(pk))
    theirs_store = Store.objects.create(
        client=globex.client,
        platform="shopify",
        name="Globex on Shopify",
        shop_identity="globex.myshopify.com",
    )
    theirs = StoreProduct.objects.create(store=theirs_store, external_id=shopify_id(pk), title="Globex's own")

    change_product(shopify, SHOPIFY_SHOP, pk, "Only Acme's")
    # The same signed body sent to Globex's store address: not Globex's shop, refused.
    body = bytes(deliveries(shopify_store, "products/update").get().body)
    assert deliver_shopify(live_server, theirs_store, "products/update", body).status_code == 401
    for delivery in WebhookDelivery.objects.filter(topic="products/update"):
        process_product_delivery.apply(args=[delivery.id])
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert ours.title == "Only Acme's"
    assert (theirs.title, theirs.source_state) == ("Globex's own", SourceState.ACTIVE)
    assert WebhookDelivery.objects.get(store=theirs_store).state == "rejected"


# --- Webhook registration of stores connected before the product topics --------------------------


def test_stores_registered_before_the_product_topics_get_them(shopify_store, woo_store):
    assert integrations.outdated_registrations() == []
    Store.objects.filter(pk=shopify_store.pk).update(webhooks=shopify_store.webhooks[:3])
    Store.objects.filter(pk=woo_store.pk).update(webhooks=woo_store.webhooks[:2])
    assert sorted(integrations.outdated_registrations()) == sorted([shopify_store.id, woo_store.id])
    register_webhooks.apply(args=[shopify_store.id])
    register_webhooks.apply(args=[woo_store.id])
    assert integrations.outdated_registrations() == []
    shopify_store.refresh_from_db()
    assert {"PRODUCTS_UPDATE", "PRODUCTS_DELETE"} <= {hook["topic"] for hook in shopify_store.webhooks}


# --- Etsy: the scheduled incremental sync ---------------------------------------------------------


@pytest.fixture
def etsy_store(etsy, client, acme):
    client.force_login(acme.user(Role.ADMIN))
    start = client.post(reverse("integrations:connect_etsy"))
    callback = reverse("integrations:etsy_callback")
    client.get(callback, consent(start.url, decision="allow", callback_path=callback))
    return Store.objects.get(platform="etsy", client=acme.client)


def sandbox_listing(sandbox_url, title):
    page = requests.get(f"{sandbox_url}/shops/{ETSY_SHOP}/", timeout=10).text
    return int(re.search(rf'<option value="(\d+)">{re.escape(title)} \(#', page).group(1))


@pytest.mark.worker
def test_etsy_changes_are_found_by_the_scheduled_incremental_sync(
    etsy_store, etsy, monkeypatch, celery_worker
):
    # A full sync finished earlier: every listing is here.
    for page in adapter_for(etsy_store).iter_product_pages():
        sync.apply_page(etsy_store, page, seen_at=timezone.now())
    before = dict(StoreProduct.objects.filter(store=etsy_store).values_list("external_id", "synced_at"))
    assert len(before) >= 12
    SyncRun.objects.create(
        store=etsy_store, state=RunState.DONE, started_at=timezone.now(), finished_at=timezone.now()
    )
    # No margin: the test shows that only what changed after that sync began is asked for.
    monkeypatch.setattr(products_sync, "INCREMENTAL_MARGIN", timedelta(0))

    pk = sandbox_listing(etsy, "Tote Bag")
    change_product(etsy, ETSY_SHOP, pk, "Tote Bag, now inactive", status="archived")
    try:
        sync_changed_products.delay()  # what the beat runs
        runs = SyncRun.objects.filter(store=etsy_store, kind=SyncRun.Kind.INCREMENTAL, state=RunState.DONE)
        assert wait_for(runs.exists)
    finally:
        change_product(etsy, ETSY_SHOP, pk, "Tote Bag", status="active")
    run = runs.get()
    assert (run.products_seen, run.updated, run.created) == (1, 1, 0)
    changed = StoreProduct.objects.get(store=etsy_store, external_id=str(pk))
    assert (changed.title, changed.source_state) == ("Tote Bag, now inactive", SourceState.ARCHIVED)
    untouched = StoreProduct.objects.filter(store=etsy_store).exclude(external_id=str(pk))
    assert all(product.synced_at == before[product.external_id] for product in untouched)


def test_an_incremental_sync_waits_for_a_sync_already_running(acme):
    store = acme.store
    SyncRun.objects.create(store=store, state=RunState.DONE, started_at=timezone.now())
    SyncRun.objects.create(store=store, state=RunState.RUNNING, started_at=timezone.now())
    assert staysync.sync_changes(store) is None
    assert SyncRun.objects.filter(store=store).count() == 2


def test_only_synced_stores_of_platforms_without_product_webhooks_are_polled(acme, db):
    other = make_client("Initech", "INITECH")
    etsy_store = Store.objects.create(client=acme.client, platform="etsy", name="Mugs", shop_identity="1")
    never_synced = Store.objects.create(client=other.client, platform="etsy", name="New", shop_identity="2")
    shopify_store = Store.objects.create(
        client=acme.client, platform="shopify", name="S", shop_identity="s.myshopify.com"
    )
    for store in (etsy_store, shopify_store):
        SyncRun.objects.create(store=store, state=RunState.DONE, started_at=timezone.now())
    assert staysync.stores_to_poll() == [etsy_store.id]
    assert never_synced.id not in staysync.stores_to_poll()


def test_product_deliveries_lost_to_a_broker_outage_are_found_again(acme):
    def delivery(topic, received_ago, attempts=0):
        saved = WebhookDelivery.objects.create(
            store=acme.store,
            platform="shopify",
            topic=topic,
            body=b"{}",
            signature_valid=True,
            state="received",
            attempts=attempts,
        )
        WebhookDelivery.objects.filter(pk=saved.pk).update(created_at=timezone.now() - received_ago)
        return saved.id

    lost = delivery("products/update", timedelta(minutes=2))
    delivery("products/delete", timedelta(seconds=5))  # just arrived: its task is on its way
    delivery("products/update", timedelta(minutes=10), attempts=1)  # waiting on its own retry
    retry_lost = delivery("products/update", timedelta(hours=2), attempts=2)
    delivery("orders/create", timedelta(hours=2))  # the inbox's sweep drains those (integrations.inbox)
    assert sorted(integrations.lost_work()[0]) == sorted([lost, retry_lost])
    assert integrations.processing_task(WebhookDelivery.objects.get(pk=lost)).name == (
        "catalog.tasks.process_product_delivery"
    )
