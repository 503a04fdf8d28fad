"""catalog.sync.apply_page: the batched upsert every sync, webhook and publish goes through."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog import sync
from catalog.models import SourceState, StoreProduct, StoreVariant
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
