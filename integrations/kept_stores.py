"""The stores that take deliveries, as this process last read them.

Deliveries come in bursts to a few stores, and reading the store cost a delivery more CPU than
storing it (docs/benchmarks.md, "Webhook ingest"). So each process keeps what it read of a store
for KEEP_SECONDS. What a kept store can hide is bounded:
- a new webhook secret: a delivery that fails its check against a kept store is checked again
  against a fresh read (webhooks.receiver), so it is never refused for being early;
- a change this process makes (a Store saved or deleted): forgotten at once;
- a disconnection another process makes: deliveries are still taken for up to KEEP_SECONDS, as
  they would have been had they come a moment sooner.
An unknown code is never kept: whoever tries addresses fills nothing."""

import copy
from time import monotonic

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from storefronts.models import Store

KEEP_SECONDS = 2.0

# What the receivers read of a store (any other field is loaded when first read).
STORE_BY_CODE = (
    "SELECT id, code, client_id, platform, state, shop_identity, credentials, webhook_secret"
    " FROM storefronts_store WHERE code = %s AND platform = %s"
)

# (code, platform) -> (monotonic() when read, the store as read)
_kept = {}


def read(code, platform, *, fresh=False):
    """(the store with this code on this platform or None, whether it is a kept copy)."""
    key = (str(code), platform)
    now = monotonic()
    entry = None if fresh else _kept.get(key)
    if entry is not None and now - entry[0] < KEEP_SECONDS:
        # A copy: a request may set attributes on its store, and another must not see them.
        return copy.copy(entry[1]), True
    # Raw SQL: building this query costs the ORM more than PostgreSQL takes to answer it.
    store = next(iter(Store.objects.raw(STORE_BY_CODE, [code, platform])), None)
    # Nothing is kept longer than it may be used (a store's secrets among it).
    for old, (read_at, _store) in list(_kept.items()):
        if now - read_at >= KEEP_SECONDS:
            _kept.pop(old, None)
    if store is None:
        _kept.pop(key, None)
        return None, False
    _kept[key] = (now, copy.copy(store))
    return store, False


def forget_all():
    _kept.clear()


@receiver(post_save, sender=Store)
@receiver(post_delete, sender=Store)
def forget(sender, instance, **kwargs):
    key = (str(instance.code), instance.platform)
    _kept.pop(key, None)
    # Again once committed: a read that began before the change may have kept the old row.
    transaction.on_commit(lambda: _kept.pop(key, None))
