"""Staying in sync without a manual sync: a product changed or deleted in the shop shows in
Printfront as the platform tells us (Shopify's and WooCommerce's product webhooks, processed
here as they arrive), or, where the platform tells nothing (Etsy), when a scheduled incremental
sync asks for what changed since the last sync began.

A product delivery is applied from the shop's own answer when it can be had: the product is
fetched again, so deliveries arriving late or out of order cannot bring back an older state, and
a WooCommerce variable product, whose delivery lists its variations by id only, comes with them.
When the platform is busy, the signed body is used where it carries the whole state (a Shopify
product, a WooCommerce simple product, a deletion), but never over a newer state already here
(the body's updated_at against StoreProduct.source_updated_at), and never to bring back a
product already marked deleted: only the shop's own answer does that. A body that does not
carry the whole state waits for the platform (the delivery is retried).
"""

import logging

from django.utils import timezone

from integrations import services as integrations
from integrations.base import AdapterError
from integrations.models import WebhookDelivery

from . import products_sync
from .models import RunState, SourceState, StoreProduct, SyncRun
from .sync import apply_page, mark_gone

logger = logging.getLogger(__name__)


def process_product_delivery(delivery_id, *, final_attempt=True):
    """Claim a product delivery and apply it once (integrations.services.handle_delivery).
    Returns its Outcome; RETRY when the platform was busy and the body alone cannot say."""
    return integrations.handle_delivery(delivery_id, apply_product_delivery, final_attempt=final_attempt)


def apply_product_delivery(delivery):
    """What a product delivery changes; WebhookDelivery.State.IGNORED when nothing (an older
    state than the one here, a deletion of a product never synced)."""
    said = integrations.product_delivery(delivery)  # ValueError: not a product delivery
    try:
        current = integrations.fetch_product(delivery.store, said.external_id)
    except AdapterError as error:
        if said.product is None:
            raise  # nothing else to go by: the shop is asked again later
        logger.info(
            "Delivery %s applied from its body: %s could not be asked (%s).",
            delivery.pk,
            delivery.platform,
            error,
        )
        return apply_state(delivery.store, said.product, from_body=True)
    return apply_state(delivery.store, current, from_body=False)


def apply_state(store, source, *, from_body):
    """Write one product's state, unless it is older than what is here. The row is locked, so
    two deliveries of one product are applied one after the other."""
    product = (
        StoreProduct.objects.select_for_update().filter(store=store, external_id=source.external_id).first()
    )
    if source.state == SourceState.DELETED:
        if product is None:
            return WebhookDelivery.State.IGNORED
        mark_gone(store, [source.external_id], at=source.updated_at)  # None: now
        return None
    if product is not None:
        if from_body and product.source_state == SourceState.DELETED:
            return WebhookDelivery.State.IGNORED
        if is_older(source.updated_at, product.source_updated_at):
            return WebhookDelivery.State.IGNORED
    apply_page(store, [source], seen_at=timezone.now())
    return None


def is_older(incoming, known):
    return incoming is not None and known is not None and incoming < known


# --- Scheduled incremental sync (platforms without product webhooks) ----------------------------


def stores_to_poll():
    """Stores to ask for changed products: those of platforms without product webhooks that
    have been synced at least once (a store never synced is the person's to sync first)."""
    synced = SyncRun.objects.filter(state=RunState.DONE).values("store_id")
    return list(integrations.product_polled_stores().filter(id__in=synced).values_list("id", flat=True))


def sync_changes(store):
    """Queue an incremental sync of the products changed since the last finished sync began
    (catalog.products_sync runs it). Returns the new SyncRun, or None when the store was never
    synced or a sync of it is already queued or running (that one covers these changes)."""
    if products_sync.incremental_since(store) is None:
        return None
    run, started = products_sync.start(None, store, kind=SyncRun.Kind.INCREMENTAL)
    return run if started else None
