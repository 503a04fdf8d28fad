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
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from integrations import services as integrations
from integrations.base import AdapterError
from integrations.models import WebhookDelivery
from integrations.registry import adapter_for

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
        mark_gone(store, [source.external_id])
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

# How far before the last sync began an incremental sync looks: the platform's clock and ours
# may differ a little, and looking again at a product costs nothing (unchanged rows are not
# written).
INCREMENTAL_MARGIN = timedelta(minutes=5)


def stores_to_poll():
    """Stores to ask for changed products: those of platforms without product webhooks that
    have been synced at least once (a store never synced is the person's to sync first)."""
    synced = SyncRun.objects.filter(state=RunState.DONE).values("store_id")
    return list(integrations.product_polled_stores().filter(id__in=synced).values_list("id", flat=True))


def changes_since(store):
    """When the last finished sync of the store began, less the margin; None if none finished."""
    last = (
        SyncRun.objects.filter(store=store, state=RunState.DONE, started_at__isnull=False)
        .order_by("-started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    return last - INCREMENTAL_MARGIN if last else None


def sync_changes(store):
    """An incremental sync: the products changed since the last finished sync began, through
    the adapter's iter_product_pages(since=...). Returns the SyncRun, or None when there is
    nothing to go from or a sync of the store is already queued or running (one at a time).

    FOLD NOTE for the lead: branch `sync` runs incremental SyncRuns itself
    (catalog.products_sync.start(None, store, kind=SyncRun.Kind.INCREMENTAL)); once it lands,
    this function can become that one call."""
    since = changes_since(store)
    if since is None:
        return None
    try:
        with transaction.atomic():
            run = SyncRun.objects.create(
                store=store, kind=SyncRun.Kind.INCREMENTAL, state=RunState.RUNNING, started_at=timezone.now()
            )
    except IntegrityError:
        return None  # one live sync per store: the other one covers these changes
    try:
        for page in adapter_for(store).iter_product_pages(since=since):
            result = apply_page(store, page, seen_at=timezone.now())
            SyncRun.objects.filter(pk=run.pk).update(
                products_seen=F("products_seen") + len(page),
                variants_seen=F("variants_seen") + result.variants,
                created=F("created") + result.created,
                updated=F("updated") + result.updated,
            )
    except AdapterError as error:
        # The next run starts from the last finished one, so nothing is skipped.
        SyncRun.objects.filter(pk=run.pk).update(
            state=RunState.FAILED, message=str(error), finished_at=timezone.now()
        )
    else:
        SyncRun.objects.filter(pk=run.pk).update(state=RunState.DONE, finished_at=timezone.now())
    run.refresh_from_db()
    return run
