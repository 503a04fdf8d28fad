"""Orders of a manual store: placed by hand ("Place order") or imported from a CSV file.

Each item is either one of the store's mapped variants, linked through its mapping as a shop's
order line is (orders.intake), or a variant of the printer's catalog named by its UID, which
carries its own print file. Either way the print files are then checked by the worker
(orders.print_files), and the order settles its hold as any other order does.
"""

import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.mapping import save_upload
from catalog.models import CatalogVariant, FileCheck, StoreVariant
from core import audit
from core.tasks import enqueue_on_commit
from integrations.types import Address, SourceOrder, SourceOrderLine
from storefronts.models import Store

from .intake import MERCHANT_UPLOADS, Upserted, settle, upsert_order
from .models import Order, OrderItem
from .rules import apply_rules

MAX_ITEMS = 100
MAX_QUANTITY = 10_000
REFERENCE_MAX_LENGTH = Order._meta.get_field("external_id").max_length


class ReferenceTaken(ValueError):
    """The store already has an order with this reference; the message says so in words."""

    def __init__(self, reference):
        super().__init__(_("This store already has an order %(reference)s.") % {"reference": reference})
        self.reference = reference


@dataclass(frozen=True)
class ManualItem:
    """One item: a mapped store variant or a catalog variant, and optionally its own print file
    (a URL or an upload); a catalog variant needs one, a mapped variant has its mapping's."""

    quantity: int
    store_variant: StoreVariant | None = None
    catalog_variant: CatalogVariant | None = None
    design_url: str = ""
    design_upload: object = None  # an UploadedFile


@dataclass(frozen=True)
class ManualOrder:
    reference: str  # empty: one is made up
    shipping: Address
    items: tuple  # of ManualItem
    customer_name: str = ""
    customer_email: str = ""


def new_reference(store):
    """A reference the store has not used: M-<date>-<6 hex digits>."""
    while True:
        reference = f"M-{timezone.now():%y%m%d}-{secrets.token_hex(3).upper()}"
        if not Order.objects.filter(store=store, external_id=reference).exists():
            return reference


def taken_references(store, references):
    """Which of these references the store's orders already use."""
    return set(
        Order.objects.filter(store=store, external_id__in=list(references)).values_list(
            "external_id", flat=True
        )
    )


def lock_store(store):
    """Serialise placing orders in this store until the transaction ends, so two requests with
    the same reference cannot both find it free (upsert_order would update, not refuse)."""
    Store.objects.select_for_update().filter(pk=store.pk).first()


def place_order(actor, store, manual):
    """Place one order by hand, all or nothing. Raises ReferenceTaken."""
    with transaction.atomic():
        lock_store(store)
        if manual.reference and taken_references(store, [manual.reference]):
            raise ReferenceTaken(manual.reference)
        order = create_order(actor, store, manual, via=Order.Source.MANUAL)
        audit.record(
            actor,
            "order.placed",
            client=store.client,
            target=order.number,
            data={"store": str(store.code), "order": str(order.code), "items": len(manual.items)},
        )
    return order


def create_order(actor, store, manual, *, via):
    """Create the order in the caller's transaction, which holds lock_store(store) (an import's
    holds all its orders). Mapped items go through upsert_order like a shop's lines; catalog
    items are added linked already, then the order settles and its print files are queued for
    checking. Raises ReferenceTaken."""
    reference = manual.reference or new_reference(store)
    # Item n is line n of the order, whichever kind it is.
    mapped = [(position, item) for position, item in enumerate(manual.items) if item.store_variant]
    source = SourceOrder(
        external_id=reference,
        number=reference,
        lines=tuple(_line(position, item) for position, item in mapped),
        customer_name=manual.customer_name or manual.shipping.name,
        customer_email=manual.customer_email,
        shipping=manual.shipping,
        placed_at=timezone.now(),
    )
    upserted = upsert_order(store, source, via=via, actor=actor)
    if upserted.outcome != Upserted.CREATED:  # the callers checked: this is a safety net
        raise ReferenceTaken(reference)
    order = upserted.order
    items = {item.external_id: item for item in order.items.all()}
    to_check = False
    for position, manual_item in enumerate(manual.items):
        if manual_item.store_variant:
            item = items[_line_id(position)]
            item.position = position
            if manual_item.design_upload:
                _give_file(item, save_upload(manual_item.design_upload, MERCHANT_UPLOADS), "")
            item.save()
        else:
            item = _catalog_item(order, position, manual_item)
        to_check |= item.file_check == FileCheck.PENDING
    if len(mapped) < len(manual.items):  # catalog items came after arrival: decide on them all
        apply_rules(order, again=True)
    settle(order, actor)
    if to_check:
        from .tasks import check_print_files  # tasks import intake, which this module uses

        enqueue_on_commit(check_print_files, order.pk)
    return order


def _line_id(position):
    return str(position + 1)


def _line(position, item):
    variant = item.store_variant
    return SourceOrderLine(
        external_id=_line_id(position),
        title=variant.product.title,
        variant_title=variant.title,
        sku=variant.sku,
        quantity=item.quantity,
        product_id=variant.product.external_id,
        variant_id=variant.external_id,
        price=variant.price,
        design_url=item.design_url,  # a URL given for the item wins over the mapping's file
    )


def _give_file(item, file_name, url):
    item.design_file, item.design_file_url = file_name, url
    has_file = bool(file_name or url)
    item.file_check = FileCheck.PENDING if has_file else FileCheck.NONE
    item.file_problem, item.file_info, item.file_checked_at = "", {}, None


def _catalog_item(order, position, manual_item):
    catalog_variant = manual_item.catalog_variant
    item = OrderItem(
        order=order,
        external_id=_line_id(position),
        position=position,
        title=catalog_variant.product.name,
        variant_title=catalog_variant.label,
        quantity=manual_item.quantity,
        catalog_variant=catalog_variant,
        product_uid=catalog_variant.uid,
    )
    upload = manual_item.design_upload
    _give_file(item, save_upload(upload, MERCHANT_UPLOADS) if upload else "", manual_item.design_url)
    item.save()
    return item


def import_orders(actor, store, orders):
    """Create every order of an imported file in one transaction: all of them, or none (a
    ReferenceTaken from any order rolls back the others)."""
    with transaction.atomic():
        lock_store(store)
        taken = taken_references(store, [manual.reference for manual in orders])
        if taken:
            raise ReferenceTaken(sorted(taken)[0])
        created = [create_order(actor, store, manual, via=Order.Source.CSV) for manual in orders]
        audit.record(
            actor,
            "orders.imported",
            client=store.client,
            target=store.name,
            data={
                "store": str(store.code),
                "orders": len(created),
                "items": sum(len(manual.items) for manual in orders),
                "references": [order.number for order in created[:50]],
            },
        )
    return created
