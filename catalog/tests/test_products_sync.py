"""Sync products over real HTTP against the sandbox's Shopify, WooCommerce and Etsy: every
product and variant lands, states show as such, what the shop deleted is marked deleted with its
mapping kept, a re-sync changes nothing, a busy platform is waited out, a refusal fails the run
in words, and each store's sync touches only that store."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import IntegrityError, connections, transaction
from django.urls import reverse
from django.utils import timezone

from catalog import products_sync, tasks
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
from core.tenancy import Role
from integrations.base import AdapterError
from integrations.etsy.adapter import EtsyAdapter
from integrations.registry import adapter_for
from integrations.tests.helpers import sandbox_switch
from storefronts.models import Store

from .helpers import make_shop, sandbox_action, sandbox_product_ids, shopify_store, woocommerce_store

# Long enough for the worker, never a measure of speed.
PATIENCE = 90


def sync(store):
    """One full sync, run here as the worker would run its task."""
    run, started = products_sync.start(None, store)
    assert started
    tasks.sync_products(run.id)
    run.refresh_from_db()
    return run


def wait_until_finished(run):
    give_up = time.monotonic() + PATIENCE
    while time.monotonic() < give_up:
        run.refresh_from_db()
        if run.state in (RunState.DONE, RunState.FAILED):
            return run
        time.sleep(0.2)
    raise AssertionError(f"the sync did not finish: {run.state} {run.message}")


def rows(store):
    """What a sync wrote for a store, without the time it last saw each product."""
    products = list(
        StoreProduct.objects.filter(store=store)
        .order_by("external_id")
        .values_list(
            "external_id", "title", "product_type", "source_state", "option_names", "source_updated_at"
        )
    )
    variants = list(
        StoreVariant.objects.filter(store=store)
        .order_by("product__external_id", "external_id")
        .values_list(
            "product__external_id",
            "external_id",
            "sku",
            "title",
            "options",
            "price",
            "source_state",
            "position",
        )
    )
    return products, variants


@pytest.fixture
def shop_a(shopify):
    make_shop(shopify, "shopify", "sync-a", products=60, variants=3)
    yield "sync-a"
    sandbox_switch(shopify, shop="shopify/sync-a")


def test_shopify_every_product_and_variant_lands_with_its_state(shopify, acme, shop_a):
    store = shopify_store(acme.client, shop_a)
    run = sync(store)
    assert run.state == RunState.DONE, run.message
    assert (run.products_seen, run.variants_seen, run.created, run.updated, run.gone) == (60, 180, 60, 0, 0)
    assert run.pages == 2  # 40 products a page
    assert StoreProduct.objects.filter(store=store).count() == 60
    assert StoreVariant.objects.filter(store=store).count() == 180
    states = dict(StoreProduct.objects.filter(store=store).values_list("title", "source_state"))
    # The sandbox's big shops: every 25th product a draft, every 40th archived.
    assert states["Design 00025 T-Shirt"] == SourceState.DRAFT
    assert states["Design 00040 T-Shirt"] == SourceState.ARCHIVED
    assert states["Design 00001 Poster"] == SourceState.ACTIVE
    product = StoreProduct.objects.get(store=store, title="Design 00001 Poster")
    assert product.option_names == ["Size"]
    assert [v.options for v in product.variants.all()] == [{"Size": "XS"}, {"Size": "S"}, {"Size": "M"}]
    assert all(int(v.external_id) > 2**53 for v in product.variants.all())


def test_a_product_deleted_in_the_shop_is_marked_deleted_and_its_mapping_kept(shopify, acme, shop_a):
    store = shopify_store(acme.client, shop_a)
    sync(store)
    catalog = CatalogProduct.objects.create(
        name="Poster",
        product_type="poster",
        uid_prefix="flat_product",
        print_width_mm=210,
        print_height_mm=297,
    )
    uid = CatalogVariant.objects.create(product=catalog, uid="flat_product_pf_a4", label="A4")
    doomed = StoreProduct.objects.get(store=store, title="Design 00002 Mug")
    variant = doomed.variants.first()
    ProductMapping.objects.create(store=store, variant=variant, catalog_variant=uid)

    sandbox_action(
        shopify,
        f"shopify/{shop_a}",
        action="product_delete",
        product=sandbox_product_ids(shopify, f"shopify/{shop_a}")[1],
    )
    run = sync(store)
    assert (run.state, run.gone, run.created, run.updated) == (RunState.DONE, 1, 0, 0)
    doomed.refresh_from_db()
    assert doomed.source_state == SourceState.DELETED
    assert set(doomed.variants.values_list("source_state", flat=True)) == {SourceState.DELETED}
    assert ProductMapping.objects.get(variant=variant).catalog_variant == uid
    assert StoreProduct.objects.filter(store=store).count() == 60  # nothing dropped


def test_a_second_sync_changes_nothing(shopify, acme, shop_a):
    store = shopify_store(acme.client, shop_a)
    sync(store)
    before = rows(store)
    again = sync(store)
    assert (again.state, again.created, again.updated, again.gone) == (RunState.DONE, 0, 0, 0)
    assert again.products_seen == 60
    assert rows(store) == before


def test_woocommerce_every_product_and_variation_lands(sandbox_url, settings, acme):
    settings.SANDBOX_ENABLED = True
    store = woocommerce_store(acme.client, sandbox_url, "demo-posters")
    run = sync(store)
    assert run.state == RunState.DONE, run.message
    products = {p.title: p for p in StoreProduct.objects.filter(store=store).prefetch_related("variants")}
    assert len(products) >= 122 and run.pages >= 2  # 12 products and 110 posters: two pages of 100
    cards = products["Business Cards"]
    assert cards.variants.count() == 45
    assert cards.option_names == ["Quantity", "Paper", "Finish"]
    assert cards.variants.first().options == {"Quantity": "100", "Paper": "Matte 350g", "Finish": "None"}
    # A simple product is one variant with the product's own id.
    mug = products["Travel Mug"]
    assert [(v.external_id, v.options) for v in mug.variants.all()] == [(mug.external_id, {})]
    assert products["Holiday Sweater"].source_state == SourceState.DRAFT
    assert products["Summer 2025 Tee"].source_state == SourceState.ARCHIVED  # WooCommerce's private
    assert StoreVariant.objects.filter(store=store).count() == run.variants_seen
    assert sync(store).updated == 0


def test_etsy_listings_in_every_state_land_with_their_inventory(etsy, client, acme):
    client.force_login(acme.user(Role.ADMIN))
    start = client.post(reverse("integrations:connect_etsy"))
    from integrations.tests.helpers import consent

    params = consent(start.url, decision="allow", callback_path=reverse("integrations:etsy_callback"))
    client.get(reverse("integrations:etsy_callback"), params)
    store = Store.objects.get(platform="etsy")
    run = sync(store)
    assert run.state == RunState.DONE, run.message
    products = {p.title: p for p in StoreProduct.objects.filter(store=store)}
    # Drafts and inactive listings are read too, not only active ones.
    assert products["Holiday Sweater"].source_state == SourceState.DRAFT
    assert products["Summer 2025 Tee"].source_state == SourceState.ARCHIVED
    assert products["Business Cards"].variants.count() == 45
    tee = products["Classic Tee"].variants.first()
    assert tee.options == {"Size": "S", "Colour": "Black"} and tee.price is not None
    assert sync(store).updated == 0

    # Changes since a moment: listings are read newest first and left at the first older one.
    adapter = EtsyAdapter.from_store(store)
    assert [
        p for page in adapter.iter_product_pages(since=timezone.now() + timedelta(hours=1)) for p in page
    ] == []
    recent = [
        p for page in adapter.iter_product_pages(since=timezone.now() - timedelta(days=1)) for p in page
    ]
    assert {p.external_id for p in recent} == set(
        StoreProduct.objects.filter(store=store).values_list("external_id", flat=True)
    )


def test_a_busy_platform_is_waited_out_and_the_sync_finishes(shopify, acme, shop_a, celery_worker):
    store = shopify_store(acme.client, shop_a)
    # Three 429s use up core.http's own retries, so the run goes back to the queue and resumes.
    sandbox_switch(shopify, shop=f"shopify/{shop_a}", fault="429", fault_limit=4, retry_after=1)
    run, _ = products_sync.start(None, store)
    run = wait_until_finished(run)
    assert run.state == RunState.DONE, run.message
    assert (run.products_seen, run.created) == (60, 60)
    assert StoreVariant.objects.filter(store=store).count() == 180


def test_revoked_access_fails_the_run_with_the_reason(shopify, acme, shop_a):
    store = shopify_store(acme.client, shop_a)
    sandbox_switch(shopify, shop=f"shopify/{shop_a}", fault="revoked")
    run = sync(store)
    assert run.state == RunState.FAILED
    assert "access was revoked" in run.message and "Connect the store again" in run.message
    assert run.errors == [run.message]
    assert products_sync.live_run(store) is None  # a new sync may start


def test_two_clients_syncing_at_once_touch_only_their_own_store(
    shopify, acme, globex, shop_a, transactional_db
):
    make_shop(shopify, "shopify", "sync-b", products=7, variants=2)
    ours = shopify_store(acme.client, shop_a)
    theirs = shopify_store(globex.client, "sync-b")
    runs = [products_sync.start(None, store)[0] for store in (ours, theirs)]

    def work(run_id):
        try:
            tasks.sync_products(run_id)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(run.id,)) for run in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(PATIENCE)
    for run in runs:
        run.refresh_from_db()
        assert run.state == RunState.DONE, run.message
    assert StoreProduct.objects.filter(store=ours).count() == 60
    assert StoreProduct.objects.filter(store=theirs).count() == 7
    assert StoreVariant.objects.filter(store=theirs).count() == 14
    assert set(StoreVariant.objects.filter(product__store=ours).values_list("store", flat=True)) == {ours.id}


def test_one_live_sync_per_store(shopify, acme, shop_a):
    store = shopify_store(acme.client, shop_a)
    first, started = products_sync.start(None, store)
    second, again = products_sync.start(None, store)
    assert started and not again and second == first
    with pytest.raises(IntegrityError), transaction.atomic():
        SyncRun.objects.create(store=store)


def test_the_sweep_resends_lost_and_stalled_runs(acme):
    store = acme.store
    lost = SyncRun.objects.create(store=store)
    SyncRun.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    assert products_sync.lost_runs() == [lost.id]
    SyncRun.objects.filter(pk=lost.pk).update(
        state=RunState.RUNNING, progress_at=timezone.now() - timedelta(minutes=20)
    )
    assert products_sync.lost_runs() == [lost.id]  # its worker died: queued again
    assert SyncRun.objects.get(pk=lost.pk).state == RunState.QUEUED
    SyncRun.objects.filter(pk=lost.pk).update(wake_at=timezone.now() + timedelta(minutes=5))
    assert products_sync.lost_runs() == []  # waiting on a busy platform, not lost


def read_first_page_then_pause(store):
    """A full sync that has read and applied its first page, then waits (as it does when the
    platform is busy): the rest is read when its task runs again, from the saved position."""
    run, started = products_sync.start(None, store)
    assert started
    run = products_sync.claim(run.id)
    adapter = adapter_for(store)
    first = next(iter(adapter.iter_product_pages()))
    products_sync.record_page(run, store, first, adapter.resume)
    SyncRun.objects.filter(pk=run.pk).update(state=RunState.QUEUED)
    return run, first


def test_a_product_deleted_during_a_paged_sync_never_marks_a_live_one_deleted(sandbox_url, settings, acme):
    """WooCommerce pages by number: a product deleted from page 1 after it was read moves the
    first product of page 2 onto page 1, so the listing never reports it. The sync asks the shop
    about it before calling it gone."""
    settings.SANDBOX_ENABLED = True
    make_shop(sandbox_url, "woocommerce", "sync-gap", products=150, variants=1)
    store = woocommerce_store(acme.client, sandbox_url, "sync-gap")
    assert sync(store).created == 150
    run, first = read_first_page_then_pause(store)
    assert len(first) == 100
    doomed = first[3].external_id
    sandbox_action(sandbox_url, "woocommerce/sync-gap", action="product_delete", product=doomed)
    tasks.sync_products(run.id)
    run.refresh_from_db()
    run.refresh_from_db()
    assert run.products_seen == 149  # the listing skipped one product
    assert (run.state, run.gone) == (RunState.DONE, 0), run.message
    assert StoreProduct.objects.filter(store=store).count() == 150
    # Every product the shop still has is live; the deleted one was reported on page 1 (its
    # webhook, or the next full sync, marks it deleted).
    assert not StoreProduct.objects.filter(store=store, source_state=SourceState.DELETED).exists()
    assert set(StoreProduct.objects.filter(store=store).values_list("synced_at", flat=True)) == {
        run.started_at
    }
    again = sync(store)
    assert (again.gone, again.products_seen) == (1, 149)
    assert list(
        StoreProduct.objects.filter(store=store, source_state=SourceState.DELETED).values_list(
            "external_id", flat=True
        )
    ) == [doomed]


def test_asking_about_unreported_products_waits_out_a_busy_platform(sandbox_url, settings, acme):
    settings.SANDBOX_ENABLED = True
    make_shop(sandbox_url, "woocommerce", "sync-gap-busy", products=150, variants=1)
    store = woocommerce_store(acme.client, sandbox_url, "sync-gap-busy")
    sync(store)
    run, first = read_first_page_then_pause(store)
    sandbox_action(
        sandbox_url, "woocommerce/sync-gap-busy", action="product_delete", product=first[0].external_id
    )
    # Read the rest, then the shop turns busy while the sync asks about the skipped product.
    claimed = products_sync.claim(run.id)
    adapter = adapter_for(store)
    for page in adapter.iter_product_pages(resume=claimed.cursor):
        products_sync.record_page(claimed, store, page, adapter.resume)
    sandbox_switch(sandbox_url, shop="woocommerce/sync-gap-busy", fault="429", fault_limit=4, retry_after=1)
    with pytest.raises(AdapterError):
        products_sync.confirm_unreported(claimed, store, adapter)
    SyncRun.objects.filter(pk=run.pk).update(state=RunState.QUEUED)
    claimed.refresh_from_db()
    assert products_sync.confirming(claimed)
    for _attempt in range(products_sync.BUSY_RETRIES):
        tasks.sync_products(run.id)
        run.refresh_from_db()
        if run.state == RunState.DONE:
            break
        assert run.state == RunState.QUEUED and "Continuing" in run.message
    assert (run.state, run.gone) == (RunState.DONE, 0), run.message
    assert not StoreProduct.objects.filter(store=store, source_state=SourceState.DELETED).exists()
