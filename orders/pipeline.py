"""Turning a stored order delivery into an order (the worker's side of the inbox)."""

from integrations import services as integrations

from .intake import Upserted, upsert_order
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
