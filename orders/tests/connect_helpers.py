"""Orders for the Connect tests, made through the one upsert every arrival path uses."""

from datetime import UTC, datetime, timedelta

from django.db import transaction

from catalog.models import FileCheck
from integrations.types import Address, SourceOrder, SourceOrderLine
from orders.intake import settle, upsert_order
from orders.models import Order

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
ADDRESS = Address(name="Ann Buyer", line1="1 Harbour Road", city="Bristol", postcode="BS1 4ST", country="GB")


def place(store, n, *, lines=None, hours=0, **fields):
    """The store's order number n, placed `hours` after T0; by default one line of variant V1."""
    lines = lines or (SourceOrderLine(f"{n}-L1", "Poster", 2, sku="P-A4", product_id="P1", variant_id="V1"),)
    report = SourceOrder(
        external_id=f"{store.pk}-{n}",
        number=f"#{1000 + n}",
        lines=tuple(lines),
        customer_name=fields.pop("customer_name", f"Customer {n}"),
        customer_email=fields.pop("customer_email", f"buyer{n}@example.com"),
        shipping=ADDRESS,
        placed_at=T0 + timedelta(hours=hours),
        **fields,
    )
    with transaction.atomic():
        return upsert_order(store, report, via=Order.Source.WEBHOOK).order


def files_checked(order):
    """The worker's verdict on the order's print files: all fine. Returns the order, settled."""
    with transaction.atomic():
        order.items.exclude(file_check=FileCheck.NONE).update(file_check=FileCheck.OK)
        order = Order.objects.select_for_update().get(pk=order.pk)
        settle(order)
    return order


def line(n, title="Poster", variant="V1", quantity=1, sku="P-A4"):
    return SourceOrderLine(f"L{n}", title, quantity, sku=sku, product_id=f"P-{variant}", variant_id=variant)
