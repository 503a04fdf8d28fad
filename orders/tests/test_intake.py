"""The one upsert every arrival path feeds: idempotent, order-insensitive, never drops an item."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction

from catalog.models import FileCheck
from integrations.types import SourceOrder, SourceOrderLine
from orders.intake import Upserted, upsert_order
from orders.models import Hold, ItemStatus, Order, OrderEvent

from .helpers import map_variant, store_of

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
BIG_ID = str(2**53 + 12345)  # Shopify ids exceed what a float holds exactly


def source(*, updated_at=T0, lines=None, **fields):
    lines = (
        lines
        if lines is not None
        else (SourceOrderLine("L1", "Poster", 2, sku="P-A4", product_id="P1", variant_id="V1"),)
    )
    return SourceOrder(external_id=BIG_ID, number="#1001", lines=lines, updated_at=updated_at, **fields)


def upsert(store, report):
    with transaction.atomic():
        return upsert_order(store, report, via=Order.Source.WEBHOOK)


def test_a_repeat_changes_nothing(acme):
    store = store_of(acme)
    first = upsert(store, source())
    again = upsert(store, source())
    assert (first.outcome, again.outcome) == (Upserted.CREATED, Upserted.UNCHANGED)
    order = Order.objects.get()
    assert order.external_id == BIG_ID and order.items.count() == 1
    assert order.events.filter(kind=OrderEvent.Kind.UPDATED).count() == 0


def test_an_older_report_after_a_newer_one_changes_nothing(acme):
    store = store_of(acme)
    newer = source(updated_at=T0 + timedelta(minutes=5), customer_name="Ann Newer")
    upsert(store, newer)
    stale = upsert(store, source(customer_name="Ann Older"))
    assert stale.outcome == Upserted.STALE
    assert Order.objects.get().customer_name == "Ann Newer"


def test_an_unmapped_item_holds_the_order_and_a_mapping_releases_it(acme):
    store = store_of(acme)
    custom = SourceOrderLine("L2", "Gift wrap", 1)  # a custom item: no product, no variant
    order = upsert(store, source(lines=(*source().lines, custom))).order
    assert order.hold == Hold.NEEDS_MAPPING
    assert {item.title for item in order.items.all()} == {"Poster", "Gift wrap"}

    map_variant(store, "V1", design_url="")
    from orders.intake import relink_store

    relink_store(store.id)
    order.refresh_from_db()
    linked = order.items.get(external_id="L1")
    assert linked.product_uid and linked.catalog_variant_id
    assert order.hold == Hold.NEEDS_MAPPING  # the custom item still waits, with its title


def test_unpaid_and_test_orders_are_held_with_the_reason(acme):
    store = store_of(acme)
    map_variant(store, "V1", design_url="")
    assert upsert(store, source(paid=False)).order.hold == Hold.UNPAID
    Order.objects.all().delete()
    assert upsert(store, source(test=True)).order.hold == Hold.TEST


def test_cancelled_in_the_shop_cancels_what_has_not_started(acme):
    store = store_of(acme)
    upsert(store, source())
    order = upsert(store, source(updated_at=T0 + timedelta(minutes=1), cancelled=True)).order
    assert order.cancelled_in_shop
    assert order.status == ItemStatus.CANCELED
    assert list(order.items.values_list("status", flat=True)) == [ItemStatus.CANCELED]


def test_a_mapped_item_without_a_print_file_is_a_file_problem(acme):
    store = store_of(acme)
    map_variant(store, "V1", design_url="")
    order = upsert(store, source()).order
    item = order.items.get()
    assert item.file_check == FileCheck.NONE
    assert order.hold == Hold.FILE_PROBLEM
