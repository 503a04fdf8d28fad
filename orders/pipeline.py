"""Turning stored order deliveries into orders (the worker's side of the inbox)."""

from django.db.models import Q

from integrations import services as integrations

from .intake import Upserted, mappings_by_variant, new_order, save_new_orders, upsert_order
from .models import Order


def apply_order_delivery(delivery):
    """Upsert the order a signed order delivery speaks of. Runs inside handle_delivery's
    transaction; returns WebhookDelivery.State.IGNORED for a report older than what is applied."""
    said = integrations.order_delivery(delivery)
    source = said.order or integrations.fetch_order(delivery.store, said.external_id)
    first_report = delivery.topic in integrations.ORDER_CREATION_TOPICS
    result = upsert_order(delivery.store, source, via=Order.Source.WEBHOOK, first_report=first_report)
    if result.outcome == Upserted.STALE:
        return delivery.State.IGNORED
    return None


def create_new_orders(deliveries):
    """The drain's batch side of apply_order_delivery: the orders these deliveries are the first
    to report, bodies carrying them whole, are created together (intake.save_new_orders, a few
    statements for the lot instead of a dozen an order). Returns the ids of the deliveries so
    processed. The rest are apply_order_delivery's, one by one: orders that exist already, a
    second report of one in the same batch, Pressero's (fetched from the shop), cancelled ones
    and bodies that are not orders (it records their errors)."""
    firsts = {}
    for delivery in deliveries:
        try:
            source = integrations.order_delivery(delivery).order
        except ValueError:
            continue
        if source is not None and not source.cancelled:
            firsts.setdefault((delivery.store_id, source.external_id), (delivery, source))
    known = _existing(firsts)
    made = []
    for key, (delivery, source) in firsts.items():
        if key in known:
            continue
        try:
            made.append((delivery, new_order(delivery.store, source, via=Order.Source.WEBHOOK)))
        except ValueError:
            continue
    if not made:
        return set()
    save_new_orders([new for _, new in made], _mappings([new for _, new in made]))
    return {delivery.pk for delivery, _ in made}


def _existing(keys):
    """Which of these (store id, external id) pairs are orders already."""
    by_store = {}
    for store_id, external_id in keys:
        by_store.setdefault(store_id, []).append(external_id)
    if not by_store:
        return set()
    matching = Q(pk__in=[])
    for store_id, external_ids in by_store.items():
        matching |= Q(store_id=store_id, external_id__in=external_ids)
    return set(Order.objects.filter(matching).values_list("store_id", "external_id"))


def _mappings(new_orders):
    """Each store's mappings of the variants these new orders have, by variant external id."""
    variants = {}
    for new in new_orders:
        variants.setdefault(new.order.store_id, set()).update(
            item.external_variant_id for item in new.items if item.external_variant_id
        )
    return {store_id: mappings_by_variant(store_id, ids) for store_id, ids in variants.items()}
