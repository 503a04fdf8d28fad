"""catalog.sync.apply_page: the batched upsert every sync, webhook and publish goes through."""

import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog import sync
from catalog.models import SourceState, StoreProduct, StoreVariant
from core.testing import waiting_on_a_lock
from integrations.types import SourceProduct, SourceVariant

pytestmark = pytest.mark.django_db


def shirt(external_id="1", state="active", sizes=("S", "M", "L"), title="Tee"):
    variants = tuple(
        SourceVariant(
            f"{external_id}-{size}",
            sku=f"TEE-{size}",
            title=size,
            options={"Size": size},
            price=Decimal("20"),
        )
        for size in sizes
    )
    return SourceProduct(external_id, title, state, "Shirts", ("Size",), variants)


def test_a_page_is_created_then_applying_it_again_changes_nothing(acme):
    store = acme.store
    first = sync.apply_page(store, [shirt("1"), shirt("2")], seen_at=timezone.now())
    assert (first.created, first.updated, first.variants) == (2, 0, 6)
    before = list(StoreVariant.objects.values_list("pk", "sku", "options", "source_state").order_by("pk"))
    again = sync.apply_page(store, [shirt("1"), shirt("2")], seen_at=timezone.now())
    assert (again.created, again.updated) == (0, 0)
    assert (
        list(StoreVariant.objects.values_list("pk", "sku", "options", "source_state").order_by("pk"))
        == before
    )


def test_changes_are_counted_and_a_dropped_variant_is_marked_deleted(acme):
    store = acme.store
    sync.apply_page(store, [shirt("1"), shirt("2")], seen_at=timezone.now())
    result = sync.apply_page(
        store, [shirt("1", sizes=("S", "M")), shirt("2", state="archived")], seen_at=timezone.now()
    )
    assert (result.created, result.updated) == (0, 2)
    assert StoreVariant.objects.get(external_id="1-L").source_state == SourceState.DELETED
    assert StoreProduct.objects.get(external_id="2").source_state == SourceState.ARCHIVED


def test_products_a_full_sync_did_not_see_are_marked_gone_not_dropped(acme):
    store = acme.store
    sync.apply_page(store, [shirt("1"), shirt("2")], seen_at=timezone.now())
    started = timezone.now()
    sync.apply_page(store, [shirt("1")], seen_at=started)
    assert sync.mark_unreported_gone(store, started) == 1
    gone = StoreProduct.objects.get(external_id="2")
    assert gone.source_state == SourceState.DELETED
    assert set(gone.variants.values_list("source_state", flat=True)) == {SourceState.DELETED}
    assert sync.mark_unreported_gone(store, started) == 0


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite splits bulk writes by its parameter limit"
)
def test_a_page_costs_the_same_queries_whatever_its_size(acme):
    def queries(count, offset):
        page = [shirt(str(offset + n), sizes=("S", "M", "L", "XL", "XXL")) for n in range(count)]
        with CaptureQueriesContext(connection) as captured:
            sync.apply_page(acme.store, page, seen_at=timezone.now())
        return len(captured)

    assert queries(2, 0) == queries(50, 100)


def test_stores_are_kept_apart(acme, globex):
    sync.apply_page(acme.store, [shirt("1")], seen_at=timezone.now())
    sync.apply_page(globex.store, [shirt("1", title="Globex tee")], seen_at=timezone.now())
    assert StoreProduct.objects.get(store=acme.store).title == "Tee"
    assert StoreProduct.objects.get(store=globex.store).title == "Globex tee"


def test_an_older_state_never_overwrites_a_newer_one(acme):
    """A full sync may read a product before a webhook brings its newer state: the sync's page
    then arrives last, and must not write the older state back."""
    now = timezone.now()
    newer = SourceProduct(
        "1", "Tee, renamed", "active", "Shirts", (), (SourceVariant("1-1"),), updated_at=now
    )
    older = SourceProduct(
        "1", "Tee", "active", "Shirts", (), (SourceVariant("1-1"),), updated_at=now - timedelta(minutes=1)
    )
    sync.apply_page(acme.store, [newer], seen_at=now)
    result = sync.apply_page(acme.store, [older], seen_at=now)
    assert (result.created, result.updated) == (0, 0)
    product = StoreProduct.objects.get(store=acme.store)
    assert (product.title, product.source_updated_at, product.synced_at) == ("Tee, renamed", now, now)


def test_a_page_read_before_a_deletion_does_not_bring_the_product_back(acme):
    """The product was renamed, a sync read the renamed state, then the shop deleted it and the
    webhook marked it deleted: the sync's page, arriving last, is older than the deletion."""
    then = timezone.now() - timedelta(minutes=10)
    renamed_at = then + timedelta(minutes=5)
    sync.apply_page(acme.store, [shirt("1")], seen_at=then)
    StoreProduct.objects.filter(store=acme.store).update(source_updated_at=then)
    renamed = SourceProduct("1", "Tee, renamed", "active", "Shirts", (), (), updated_at=renamed_at)
    deleted_at = timezone.now()
    assert sync.mark_gone(acme.store, ["1"], at=deleted_at) == 1
    product = StoreProduct.objects.get(store=acme.store)
    assert (product.source_state, product.source_updated_at) == (SourceState.DELETED, deleted_at)
    result = sync.apply_page(acme.store, [renamed], seen_at=timezone.now())
    assert (result.created, result.updated) == (0, 0)
    product.refresh_from_db()
    assert (product.title, product.source_state) == ("Tee", SourceState.DELETED)


def test_marking_gone_without_a_time_stamps_now(acme):
    sync.apply_page(acme.store, [shirt("1")], seen_at=timezone.now())
    before = timezone.now()
    sync.mark_gone(acme.store, ["1"])
    assert StoreProduct.objects.get(store=acme.store).source_updated_at >= before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks")
def test_a_deletion_committed_while_a_page_is_applied_is_not_overwritten(acme, transactional_db):
    """A webhook's transaction holds the product's row when a sync page comes: the page waits for
    it, then sees the deletion (newer than the page) and leaves the product alone."""
    store = acme.store
    then = timezone.now() - timedelta(minutes=10)
    sync.apply_page(store, [shirt("1")], seen_at=then)
    StoreProduct.objects.filter(store=store).update(source_updated_at=then)
    renamed = SourceProduct(
        "1", "Tee, renamed", "active", "Shirts", (), (), updated_at=then + timedelta(minutes=5)
    )
    locked, release = threading.Event(), threading.Event()

    def webhook():
        try:
            with transaction.atomic():
                sync.mark_gone(store, ["1"])
                locked.set()
                release.wait(PATIENCE)
        finally:
            connections.close_all()

    def page():
        try:
            sync.apply_page(store, [renamed], seen_at=timezone.now())
        finally:
            connections.close_all()

    first = threading.Thread(target=webhook)
    first.start()
    assert locked.wait(PATIENCE)
    second = threading.Thread(target=page)
    second.start()
    # Let the webhook commit only once the page waits for its row lock.
    give_up = time.monotonic() + PATIENCE
    while not waiting_on_a_lock():
        assert time.monotonic() < give_up, "the page never waited for the webhook's lock"
        time.sleep(0.05)
    release.set()
    first.join(PATIENCE)
    second.join(PATIENCE)
    product = StoreProduct.objects.get(store=store)
    assert (product.title, product.source_state) == ("Tee", SourceState.DELETED)


PATIENCE = 60  # never a measure of speed
