"""Orders coming in: the one upsert every arrival path feeds (webhooks, polling, reconciliation,
manual entry, CSV), and linking items to what the printer makes through the product mappings."""

from dataclasses import asdict
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from catalog.models import FileCheck, ProductMapping
from core.read_later import later
from core.tasks import enqueue_on_commit

from . import postback_events
from .models import Hold, ItemStatus, Order, OrderEvent, OrderItem
from .statuses import order_status

# Items the shop may still change or cancel: production has not started on them.
NOT_STARTED = (ItemStatus.RECEIVED, ItemStatus.PASSED, ItemStatus.FAILED)
# Orders the merchant entered: a print file they gave for an item is their choice, and wins
# over the mapping's. A shop's buyer can set a line's properties, so theirs never does.
MERCHANT_SOURCES = (Order.Source.MANUAL, Order.Source.CSV)
# Where a merchant's own print files for manual items are stored (manual.py).
MERCHANT_UPLOADS = "print-files"
CENT = Decimal("0.01")
MONEY_LIMIT = Decimal(10) ** 10  # what the price columns hold (12 digits, 2 after the point)


class Upserted:
    """What upsert_order did: CREATED, UPDATED, UNCHANGED or STALE (an older report than the
    one already applied, so nothing changed)."""

    CREATED, UPDATED, UNCHANGED, STALE = "created", "updated", "unchanged", "stale"

    def __init__(self, order, outcome):
        self.order, self.outcome = order, outcome


def upsert_order(store, source, *, via, actor=None, first_report=False):
    """Create or update the store's order from an integrations.types.SourceOrder, whatever the
    order in which reports arrive: keyed on (store, external id), an older report than the one
    applied changes nothing, and a repeat changes nothing. `first_report` says the report is
    the order's creation (orders/create): it loses a tie with an update of the same second.
    Call inside a transaction (the inbox claim's); returns an Upserted. Raises ValueError for
    a report that cannot be an order (a price no column holds)."""
    order = Order.objects.select_for_update().filter(store=store, external_id=source.external_id).first()
    if order is None:
        try:
            with transaction.atomic():
                return Upserted(_create(store, source, via=via, actor=actor), Upserted.CREATED)
        except IntegrityError:
            # Another worker created it meanwhile (its INSERT held ours until it committed);
            # any other broken constraint is the report's, and is raised.
            order = (
                Order.objects.select_for_update().filter(store=store, external_id=source.external_id).first()
            )
            if order is None:
                raise
    if _is_stale(order, source, first_report):
        return Upserted(order, Upserted.STALE)
    changed = _update(order, source)
    return Upserted(order, Upserted.UPDATED if changed else Upserted.UNCHANGED)


def _is_stale(order, source, first_report):
    """Whether the report is older than what the order holds (a tie: only a creation is)."""
    if not (order.source_updated_at and source.updated_at):
        return False
    return source.updated_at < order.source_updated_at or (
        first_report and source.updated_at == order.source_updated_at
    )


def _header(source):
    shipping = asdict(source.shipping) if source.shipping else {}
    return {
        "number": source.number[:64],
        "paid": source.paid,
        "test": source.test,
        "cancelled_in_shop": source.cancelled,
        "currency": source.currency[:3],
        "total": money(source.total),
        "customer_name": source.customer_name[:255],
        "customer_email": source.customer_email[:254],
        "shipping_address": shipping,
    }


def _item_fields(line, position):
    return {
        "position": position,
        "title": line.title[:500] or _("(untitled item)"),
        "variant_title": line.variant_title[:500],
        "sku": line.sku[:255],
        "quantity": max(int(line.quantity), 0),
        "price": money(line.price),
        "external_product_id": line.product_id,
        "external_variant_id": line.variant_id,
        "line_file_url": line.design_url,
    }


def money(amount):
    """An amount as the columns keep it (cents), so a repeat compares equal; ValueError for one
    no column holds."""
    if amount is None:
        return None
    try:
        cents = Decimal(amount).quantize(CENT)
    except InvalidOperation:
        raise ValueError(f"{amount} is not an amount of money.") from None
    if abs(cents) >= MONEY_LIMIT:
        raise ValueError(f"{amount} is too large an amount of money.")
    return cents


def _create(store, source, *, via, actor):
    order = save_new_orders([new_order(store, source, via=via, actor=actor)])[0]
    if source.cancelled:  # after linking, so it ends as an order linked first and cancelled later does
        _cancel_not_started(order)
        settle(order)
    return order


class NewOrder:
    """An order as its first report (`source`) makes it, with its items and history, not saved yet."""

    def __init__(self, source, order, items, events):
        self.source, self.order, self.items, self.events = source, order, items, events


def new_order(store, source, *, via, actor=None):
    """The order a report of a new order makes, built but not saved. Raises ValueError for a
    report that cannot be an order (a price no column holds)."""
    order = Order(
        client_id=store.client_id,
        store=store,
        external_id=source.external_id,
        source=via,
        placed_at=source.placed_at or timezone.now(),
        source_updated_at=source.updated_at,
        placed_by=actor,
        **_header(source),
    )
    items = [
        OrderItem(order=order, external_id=line.external_id, **_item_fields(line, position))
        for position, line in enumerate(source.lines)
    ]
    received = OrderEvent(
        order=order,
        kind=OrderEvent.Kind.RECEIVED,
        actor=actor,
        message=later(
            gettext_noop("Received from %(store)s (%(via)s)."), store=store.name, via=Order.Source(via).label
        ),
    )
    return NewOrder(source, order, items, [received])


def save_new_orders(new_orders, mappings=None):
    """Link the new orders' items, apply the workflow rules, settle each order's status and
    hold, and insert them all: an INSERT for the orders, one for their items and one for their
    history, however many there are. `mappings`: each store's ProductMappings by variant external id, when the
    caller looked them up for all of them (else one query per order). Raises IntegrityError
    when one of them exists already. Returns the orders."""
    from .rules import decide_new, notify_soon  # rules import this module

    for new in new_orders:
        linkable = _linkable(new.items)
        found = (
            mappings.get(new.order.store_id, {})
            if mappings is not None
            else _mappings_of(new.order, linkable)
        )
        _link(new.order, linkable, found)
    # The workflow rules, once the items are linked (they ask about products and mapping).
    decide_new(new_orders)
    for new in new_orders:
        order, items = new.order, new.items
        order.status, order.hold = order_status([item.status for item in items]), hold_of(order, items)
        if order.hold:
            new.events.append(_hold_event(order, order.hold))
    Order.objects.bulk_create([new.order for new in new_orders])
    # The items and events were given their order before it had an id: bulk_create takes it.
    OrderItem.objects.bulk_create([item for new in new_orders for item in new.items])
    OrderEvent.objects.bulk_create([event for new in new_orders for event in new.events])
    orders = [new.order for new in new_orders]
    for new in new_orders:
        _check_files_soon(new.order, new.items)
    postback_events.orders_created(orders)
    notify_soon(orders)
    return orders


def _update(order, source):
    """Apply a newer (or same-age) report to an existing order. Returns whether anything changed."""
    header = _header(source)
    changes = [name for name, value in header.items() if getattr(order, name) != value]
    was_cancelled = order.cancelled_in_shop
    for name in changes:
        setattr(order, name, header[name])
    order.source_updated_at = source.updated_at or order.source_updated_at
    items = {item.external_id: item for item in order.items.all()}
    added = []
    for position, line in enumerate(source.lines):
        item = items.pop(line.external_id, None)
        fields = _item_fields(line, position)
        if item is None:
            added.append(OrderItem(order=order, external_id=line.external_id, **fields))
            continue
        if item.status not in NOT_STARTED:
            continue  # in production: the shop's edit cannot change what is being made
        edited = [name for name, value in fields.items() if getattr(item, name) != value]
        if edited:
            for name in edited:
                setattr(item, name, fields[name])
            if {"external_variant_id", "line_file_url"} & set(edited):
                _unlink(item)
            item.save()
            changes.append("items")
    for item in items.values():  # lines the shop removed from the order
        if item.status in NOT_STARTED:
            _set_item_status(
                item, ItemStatus.CANCELED, later(gettext_noop("Removed from the order in the shop."))
            )
            changes.append("items")
    if added:
        OrderItem.objects.bulk_create(added)
        changes.append("items")
    if not changes:
        order.save(update_fields=["source_updated_at"])
        return False
    order.save()
    OrderEvent.objects.create(
        order=order, kind=OrderEvent.Kind.UPDATED, message=later(gettext_noop("Updated by the shop."))
    )
    if order.cancelled_in_shop and not was_cancelled:
        _cancel_not_started(order)
    link_items(order)
    from .rules import start_if_straight  # rules import this module

    start_if_straight(order)  # sent straight to production, and the update (paid) freed it
    return True


def _cancel_not_started(order):
    for item in order.items.filter(status__in=NOT_STARTED):
        _set_item_status(item, ItemStatus.CANCELED, later(gettext_noop("Canceled in the shop.")))
    OrderEvent.objects.create(
        order=order,
        kind=OrderEvent.Kind.UPDATED,
        message=later(
            gettext_noop(
                "Canceled in the shop. Items already in production were kept: decide what to do with them."
            )
        ),
    )


def _set_item_status(item, status, reason):
    OrderEvent.objects.create(
        order_id=item.order_id,
        item=item,
        kind=OrderEvent.Kind.STATUS,
        from_status=item.status,
        to_status=status,
        message=reason,
    )
    item.status, item.status_reason = status, reason
    item.save(update_fields=["status", "status_reason"])


def _unlink(item):
    item.store_variant = item.catalog_variant = None
    item.product_uid = ""
    item.design_file = ""
    item.file_check, item.file_problem, item.file_info, item.file_checked_at = FileCheck.NONE, "", {}, None


LINK_FIELDS = [
    "store_variant",
    "catalog_variant",
    "product_uid",
    "design_file",
    "design_file_url",
    "file_check",
    "file_problem",
    "file_info",
    "file_checked_at",
]


def link_items(order, refresh=False, items=None):
    """Link the order's live items to what the printer makes, through the store's product
    mappings (the variant's UID and print file: print_file_of), queue their print files for
    checking, and settle the order's status and hold. Items with no mapping stay unlinked: the
    order needs mapping. Linked items not started yet follow their mapping again where they
    have no print file, or all of them with `refresh` (the mapping's file was replaced).
    `items`: the order's items, when the caller has them all in hand."""
    items = list(order.items.all()) if items is None else items
    linkable = _linkable(items, refresh)
    linked = _link(order, linkable, _mappings_of(order, linkable))
    for item in linked:
        # One UPDATE of these fields an item: cheaper than bulk_update's CASE for the few an
        # order has.
        item.save(update_fields=LINK_FIELDS)
    _check_files_soon(order, linked)
    settle(order, items=items)


def _linkable(items, refresh=False):
    """The items a mapping could link (again): live, of a shop variant, and unlinked or, not
    started yet, without a print file (or any, with `refresh`)."""
    return [
        item
        for item in items
        if item.status != ItemStatus.CANCELED
        and item.external_variant_id
        and (
            not item.mapped or (item.status in NOT_STARTED and (refresh or item.file_check == FileCheck.NONE))
        )
    ]


def _mappings_of(order, items):
    """The order's store's mappings of these items' variants, by variant external id."""
    if not items:
        return {}
    return mappings_by_variant(order.store_id, {item.external_variant_id for item in items})


def mappings_by_variant(store_id, variant_ids):
    """A store's ProductMappings of these shop variants, by the variant's external id."""
    return {
        mapping.variant.external_id: mapping
        for mapping in ProductMapping.objects.filter(
            store_id=store_id, variant__external_id__in=variant_ids
        ).select_related("variant", "catalog_variant")
    }


def _link(order, items, mappings):
    """Link each item to its variant's mapping, in memory. Returns the items that changed."""
    linked = []
    for item in items:
        mapping = mappings.get(item.external_variant_id)
        if mapping is None:
            continue
        file_name, url = print_file_of(order, item, mapping)
        if item.mapped and (item.catalog_variant_id, item.design_file.name or "", item.design_file_url) == (
            mapping.catalog_variant_id,
            file_name,
            url,
        ):
            continue  # as linked already
        item.store_variant = mapping.variant
        item.catalog_variant = mapping.catalog_variant
        item.product_uid = mapping.catalog_variant.uid
        item.design_file, item.design_file_url = file_name, url
        item.file_check = FileCheck.PENDING if (file_name or url) else FileCheck.NONE
        item.file_problem, item.file_info, item.file_checked_at = "", {}, None
        linked.append(item)
    return linked


def _check_files_soon(order, items):
    if any(item.file_check == FileCheck.PENDING for item in items):
        from .tasks import check_print_files  # tasks import this module

        enqueue_on_commit(check_print_files, order.pk)


def print_file_of(order, item, mapping):
    """(upload name, URL) of the file to print for a linked item: the mapping's, unless the
    line named one and either the merchant entered the order or the mapping has none (a
    personalised product). A file the merchant uploaded for the item (manual.py keeps those
    under print-files/, mappings keep theirs under design-files/) stays."""
    own = (mapping.design_file.name or "", mapping.design_file_url)
    merchant = order.source in MERCHANT_SOURCES
    if merchant and (item.design_file.name or "").startswith(MERCHANT_UPLOADS + "/"):
        return item.design_file.name, ""
    if item.line_file_url and (merchant or not any(own)):
        return "", item.line_file_url
    return own


def hold_of(order, items):
    """Why the order may not go into production yet (a Hold), from itself and its live items."""
    live = [item for item in items if item.status != ItemStatus.CANCELED]
    if order.test:
        return Hold.TEST
    if not order.paid:
        return Hold.UNPAID
    if any(not item.mapped for item in live):
        return Hold.NEEDS_MAPPING
    checks = {item.file_check for item in live if item.status in NOT_STARTED}
    if FileCheck.PROBLEM in checks or FileCheck.NONE in checks:
        return Hold.FILE_PROBLEM
    if FileCheck.PENDING in checks:
        return Hold.FILE_PENDING
    if order.under_review:  # a workflow rule's (orders.rules)
        return Hold.REVIEW
    return Hold.NONE


def settle(order, actor=None, items=None):
    """Recompute the order's status (from its items: all of them, if given) and hold; note a
    changed hold in its history."""
    items = list(order.items.all()) if items is None else items
    status, hold = order_status([item.status for item in items]), hold_of(order, items)
    held_before = order.hold  # postbacks
    if hold != order.hold:
        _hold_event(order, hold, actor).save()
    if (status, hold) != (order.status, order.hold):
        order.status, order.hold = status, hold
        order.save(update_fields=["status", "hold", "updated_at"])
    postback_events.order_settled(order, held_before)  # postbacks


def _hold_event(order, hold, actor=None):
    """The history entry of the order's new hold (unsaved)."""
    return OrderEvent(
        order=order,
        kind=OrderEvent.Kind.HOLD,
        actor=actor,
        # A hold's label, or these words, translated when read (core.read_later).
        message=Hold(hold).label if hold else later(gettext_noop("No longer held: ready for production.")),
    )


def stores_to_relink(limit=100):
    """Stores with orders waiting on something their mappings now have: an unlinked item whose
    variant is mapped, or a linked item with no print file whose mapping has one. A relink
    queued after the mapping was saved may have been lost, or run before the order committed."""
    mapped = ProductMapping.objects.filter(
        store_id=OuterRef("order__store_id"), variant__external_id=OuterRef("external_variant_id")
    )
    unlinked = OrderItem.objects.filter(
        Exists(mapped), order__hold=Hold.NEEDS_MAPPING, catalog_variant__isnull=True
    )
    fileless = OrderItem.objects.filter(
        Exists(mapped.exclude(design_file="", design_file_url="")),
        order__hold=Hold.FILE_PROBLEM,
        file_check=FileCheck.NONE,
    )
    stores = set()
    for items in (unlinked, fileless):
        stores |= set(
            items.exclude(status=ItemStatus.CANCELED).values_list("order__store_id", flat=True)[:limit]
        )
    return sorted(stores)


def relink_store(store_id):
    """Link the waiting items of a store's orders after its mappings changed: orders that
    needed mapping, or a print file, continue. Returns how many orders were looked at."""
    waiting = (
        Order.objects.filter(store_id=store_id, hold__in=(Hold.NEEDS_MAPPING, Hold.FILE_PROBLEM))
        .filter(items__external_variant_id__gt="")  # some item a mapping can link
        .distinct()
        .values_list("id", flat=True)
    )
    count = 0
    for order_id in list(waiting):
        with transaction.atomic():
            order = Order.objects.select_for_update().filter(id=order_id).first()
            if order is not None:
                link_items(order, refresh=True)
                count += 1
    return count
