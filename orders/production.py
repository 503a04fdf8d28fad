"""Moving orders and items through production (Connect), with the history and the messages to
the shop written in the same transaction as the move."""

from dataclasses import asdict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core import audit
from core.read_later import later
from core.tasks import enqueue_on_commit
from integrations.types import Shipment

from . import postback_events
from .intake import NOT_STARTED, settle
from .models import Hold, ItemStatus, Order, OrderEvent, OutboxMessage
from .statuses import NEEDS_REASON, NEEDS_TRACKING, move_problem


class MoveRefused(ValueError):
    """The move cannot be made; the message says why, in words for the person who asked."""


# Holds that keep an order's items out of production until they are solved; staff may still
# fail or cancel them, and items already in production (the shop added a line since) go on.
BLOCKING = {Hold.TEST, Hold.UNPAID, Hold.NEEDS_MAPPING, Hold.FILE_PROBLEM, Hold.FILE_PENDING, Hold.REVIEW}
ALWAYS_ALLOWED = {ItemStatus.FAILED, ItemStatus.CANCELED}


def move_items(actor, order, item_codes, target, *, reason="", carrier="", tracking_code="", tracking_url=""):
    """Move the order's items (all of them when `item_codes` is empty) to `target`. Refuses the
    whole move, changing nothing, if any item cannot make it. Shipping needs carrier and
    tracking code, and sends them back to the shop through the outbox. Returns the order."""
    target = ItemStatus(target)
    reason, carrier, tracking_code = reason.strip(), carrier.strip(), tracking_code.strip()
    if target in NEEDS_REASON and not reason:
        raise MoveRefused(_("Say why (the reason is kept in the order's history)."))
    if target in NEEDS_TRACKING and not (carrier and tracking_code):
        raise MoveRefused(_("Shipping needs the carrier and the tracking code."))
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        items = list(order.items.all())
        if item_codes:
            wanted = {str(code) for code in item_codes}
            items = [item for item in items if str(item.code) in wanted]
            if len(items) != len(wanted):
                raise MoveRefused(_("Some of the chosen items are not in this order."))
        else:
            items = [item for item in items if item.status != ItemStatus.CANCELED]
        if not items:
            raise MoveRefused(_("Choose at least one item."))
        starting = any(item.status in NOT_STARTED for item in items)
        if order.hold in BLOCKING and target not in ALWAYS_ALLOWED and starting:
            raise MoveRefused(
                _("This order is held (%(hold)s): solve that first, or fail or cancel its items.")
                % {"hold": Hold(order.hold).label}
            )
        for item in items:
            problem = move_problem(item.status, target)
            if problem:
                raise MoveRefused(f"{item.title}: {problem}")
        now = timezone.now()
        for item in items:
            OrderEvent.objects.create(
                order=order,
                item=item,
                kind=OrderEvent.Kind.STATUS,
                from_status=item.status,
                to_status=target,
                message=_shipping_note(carrier, tracking_code) if target == ItemStatus.SHIPPED else reason,
                actor=actor,
            )
            item.status = target
            item.status_reason = reason if target in NEEDS_REASON else ""
            if target == ItemStatus.SHIPPED:
                item.carrier, item.tracking_code, item.tracking_url, item.shipped_at = (
                    carrier[:100],
                    tracking_code[:255],
                    tracking_url,
                    now,
                )
            item.save()
        if target == ItemStatus.SHIPPED:
            queue_tracking(order, items, carrier, tracking_code, tracking_url)
        settle(order, actor)
        postback_events.items_moved(order, items, target)
        audit.record(
            actor,
            "order.moved",
            client=order.client,
            target=order.number,
            data={"order": str(order.code), "to": target, "items": len(items)},
        )
    return order


def _shipping_note(carrier, tracking_code):
    return later(
        gettext_noop("Shipped with %(carrier)s, tracking %(code)s."), carrier=carrier, code=tracking_code
    )


def queue_tracking(order, items, carrier, tracking_code, tracking_url):
    """Write the tracking for the shop into the outbox (in the caller's transaction) and have
    the dispatcher send it after commit. Manual stores have no shop to tell."""
    from .tasks import send_outbox  # tasks import this module

    if order.store.platform == order.store.Platform.MANUAL:
        return
    shipment = Shipment(
        order_external_id=order.external_id,
        carrier=carrier,
        tracking_code=tracking_code,
        tracking_url=tracking_url,
        line_ids=tuple(item.external_id for item in items),
    )
    message = OutboxMessage.objects.create(
        order=order,
        kind=OutboxMessage.Kind.TRACKING,
        payload=asdict(shipment),
        next_attempt_at=timezone.now(),
    )
    enqueue_on_commit(send_outbox, message.pk)
