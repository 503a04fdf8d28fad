"""Asking each shop for the orders that changed since the last time, and feeding them through
the one upsert: an order whose webhook was lost (or, on Etsy, which sends none) arrives anyway.
Etsy's stores are polled every few minutes, the others reconciled hourly (config/settings.py)."""

import secrets
from contextlib import contextmanager
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from integrations import services as integrations
from integrations.base import AdapterError
from storefronts.models import Store

from .intake import Upserted, upsert_order
from .models import Order, OrderIntake

# Asked again on each run, so a change the platform recorded a little late (clocks, a slow
# commit on its side) is not skipped; reading an order twice changes nothing.
OVERLAP = timedelta(minutes=5)
# How far back a store's first run looks: the orders of the days before it was connected
# that may still want making.
FIRST_LOOK_BACK = timedelta(days=7)
POLLED_PLATFORMS = (Store.Platform.ETSY,)  # no order webhooks: polling is how orders arrive
RECONCILED_PLATFORMS = (Store.Platform.SHOPIFY, Store.Platform.WOOCOMMERCE, Store.Platform.PRESSERO)
# Longer than a run over a big shop takes; a worker that died holding it lets go by then.
LOCK_SECONDS = 30 * 60


def stores_to_ask(platforms):
    """Ids of the stores on these platforms whose orders can be asked for now."""
    stores = Store.objects.filter(platform__in=platforms).exclude(state=Store.State.DISCONNECTED)
    return [store.id for store in stores if not store.needs_reconnect]


@contextmanager
def store_lock(store_id):
    """Whether this run may reconcile the store now: one run a store at a time, since two
    side by side would ask the same pages and record each other's progress out of order."""
    key, token = f"orders:reconcile:{store_id}", secrets.token_hex(8)
    held = cache.add(key, token, timeout=LOCK_SECONDS)
    try:
        yield held
    finally:
        if held and cache.get(key) == token:  # not another run's, taken after ours expired
            cache.delete(key)


def asking_from(intake, now):
    """The moment a run asks for changes since: where the last run got to, less OVERLAP; a
    store's first run looks FIRST_LOOK_BACK back."""
    return intake.reconciled_until - OVERLAP if intake.reconciled_until else now - FIRST_LOOK_BACK


def reconcile_store(store):
    """Upsert every order of the store's shop changed since the last run (less OVERLAP; the
    first run looks FIRST_LOOK_BACK back), each in its own transaction, and record the run on
    the store's OrderIntake. When the platform fails midway, `reconciled_until` stays where it
    was, so the next run asks for the same changes again and nothing is skipped. Returns how
    many orders were created or changed (what the webhooks had not brought)."""
    intake, _ = OrderIntake.objects.get_or_create(store=store)
    started = timezone.now()
    since = asking_from(intake, started)
    via = Order.Source.POLLING if store.platform in POLLED_PLATFORMS else Order.Source.RECONCILIATION
    found, error = 0, ""
    try:
        for source in integrations.orders_changed(store, since):
            with transaction.atomic():
                outcome = upsert_order(store, source, via=via).outcome
            found += outcome in (Upserted.CREATED, Upserted.UPDATED)
    except (AdapterError, ValueError) as failure:  # ValueError: an order the platform sent unreadable
        error = str(failure)
    fields = {
        "last_reconciled_at": timezone.now(),
        "last_reconcile_error": error,
        "last_reconcile_found": found,
    }
    if not error:
        fields["reconciled_until"] = started
    OrderIntake.objects.filter(pk=intake.pk).update(**fields)
    return found
