"""What orders tell clients' postback endpoints (docs/postbacks.md): the events, and the
payload of each, queued through postbacks.services in the transaction of the change."""

from postbacks.models import Event
from postbacks.services import clients_with_endpoints, queue_event

from .models import Hold, ItemStatus

# The item moves that are events; Passed and Packaged are steps inside the printer.
MOVE_EVENTS = {
    ItemStatus.FAILED: Event.FAILED,
    ItemStatus.IN_PRODUCTION: Event.IN_PRODUCTION,
    ItemStatus.PRINTED: Event.PRINTED,
    ItemStatus.SHIPPED: Event.SHIPPED,
    ItemStatus.IN_TRANSIT: Event.IN_TRANSIT,
    ItemStatus.DELIVERED: Event.DELIVERED,
    ItemStatus.RETURNED: Event.RETURNED,
    ItemStatus.CANCELED: Event.CANCELED,
}


def orders_created(orders):
    """New orders: received, and some needing mapping already. One look for which of their
    clients have endpoints at all, since a drain creates many orders together."""
    listening = clients_with_endpoints({order.client_id for order in orders})
    for order in orders:
        if order.client_id in listening:
            _queue(order, Event.RECEIVED, ItemStatus.RECEIVED)
            order_settled(order, held_before=Hold.NONE)


def order_settled(order, held_before):
    """After settle(): an order that has just come to need mapping."""
    if order.hold == Hold.NEEDS_MAPPING and held_before != Hold.NEEDS_MAPPING:
        _queue(order, Event.NEEDS_MAPPING, order.status)


def items_moved(order, items, target):
    event = MOVE_EVENTS.get(ItemStatus(target))
    if event is not None:
        _queue(order, event, target, changed=items)


def _queue(order, event, status, changed=None):
    queue_event(order.client_id, event, order.number, lambda: payload(order, status, changed))


def payload(order, status, changed=None):
    """The event's data: who, which order, its items (those the event is about marked
    `changed`: all of them unless named) and their tracking. The buyer's name and address are
    left out: the client has them in its shop, and a postback need not carry them again."""
    store, client = order.store, order.client
    items = list(order.items.all())
    changed_ids = {item.pk for item in (changed if changed is not None else items)}
    return {
        "client": {"code": str(client.code), "name": client.name, "reference_id": client.reference_id or ""},
        "store": {"code": str(store.code), "name": store.name, "platform": store.platform},
        "order": {
            "code": str(order.code),
            "number": order.number,
            "external_id": order.external_id,
            "status": order.status,
            "hold": order.hold,
            "test": order.test,
            "placed_at": order.placed_at.isoformat(),
            "currency": order.currency,
            "total": None if order.total is None else str(order.total),
        },
        "status": str(status),
        "items": [_item(item, item.pk in changed_ids) for item in items],
        "tracking": [_tracking(item) for item in items if item.pk in changed_ids and item.tracking_code],
    }


def _item(item, changed):
    return {
        "code": str(item.code),
        "external_id": item.external_id,
        "title": item.title,
        "variant_title": item.variant_title,
        "sku": item.sku,
        "quantity": item.quantity,
        "product_uid": item.product_uid,
        "status": item.status,
        "status_reason": item.status_reason,
        "changed": changed,
    }


def _tracking(item):
    return {
        "item": str(item.code),
        "carrier": item.carrier,
        "tracking_code": item.tracking_code,
        "tracking_url": item.tracking_url,
        "shipped_at": item.shipped_at.isoformat() if item.shipped_at else None,
    }
