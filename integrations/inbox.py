"""The inbox as the unit of work, for the kinds of delivery that come in volume (orders).

A request only stores the delivery and, at most, sends a wake-up; a drain claims the waiting
rows in batches (FOR UPDATE SKIP LOCKED), acts on each in a savepoint of its own, and goes on
until none are left. The row, not the broker message, is the work: a lost, repeated or late
message can neither lose nor double anything, and several workers share the load. At most one
wake-up is outstanding (a cache key taken with "add"), and a process that just found one
outstanding does not ask again for WAKE_GRACE; the sweep (`sweep`, every few seconds
from beat) drains whatever waits with nobody taking it, e.g. what was stored while the broker
was away or what a killed worker had claimed.
"""

import logging
from datetime import timedelta
from time import monotonic, sleep

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string
from kombu.exceptions import KombuError

from . import services
from .models import WebhookDelivery

logger = logging.getLogger(__name__)

# Rows claimed, and committed, together: one commit per batch rather than per delivery, short
# enough that a killed worker leaves little to do again.
BATCH = 50
# Tries before a delivery whose handler keeps failing is given up (failed, with the error).
MAX_ATTEMPTS = 5
WAKE_KEY = "integrations:inbox-wake"
# A wake-up whose drain never ran (the broker lost it) stops blocking others after this long.
WAKE_SECONDS = 60
# A process that found a wake-up outstanding sends none for this long (seconds): a drain waits as
# long between letting its wake-up go and its last look, so what is stored meanwhile is seen.
# Under load this spares most deliveries their round trip to Redis.
WAKE_GRACE = 0.05
# Waiting this long with no drain taking it, a delivery makes the sweep wake one regardless.
UNTAKEN_AFTER = timedelta(seconds=15)

# kind -> the dotted name of `handler(delivery)`, run on each claimed delivery of that kind (the
# rules of services.handle_delivery). Filled by the apps that act on them (AppConfig.ready), by
# name, since this app may not import them: register("order", "orders.pipeline.apply_order_delivery").
handlers = {}
# kind -> the dotted name of `batch_handler(deliveries)`, which a kind may add: it processes at
# once, in the drain's batch, those of the claimed deliveries it can (for orders: new ones,
# three INSERTs for all), and returns their ids; the handler takes the rest one by one.
batch_handlers = {}


def register(kind, handler_name, batch_handler_name=None):
    """Have the drain run `handler_name(delivery)` on every signed delivery of this kind, after
    `batch_handler_name(deliveries)` where given."""
    if handlers.get(kind, handler_name) != handler_name:
        raise ValueError(f"Deliveries of kind {kind!r} already go to {handlers[kind]}.")
    if kind in services.topic_handlers:
        raise ValueError(f"Deliveries of kind {kind!r} already go to a task of their own.")
    handlers[kind] = handler_name
    if batch_handler_name:
        batch_handlers[kind] = batch_handler_name


def drains(delivery):
    """Whether this delivery is the drain's to process (else its kind's own task's)."""
    return services.delivery_kind(delivery) in handlers


def waiting(now=None):
    """Signed deliveries of drained kinds still to process, oldest first."""
    now = now or timezone.now()
    return WebhookDelivery.objects.filter(
        services.topics_of(handlers),
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        state=WebhookDelivery.State.RECEIVED,
        signature_valid=True,
    ).order_by("created_at", "id")


def retry_wait(attempts):
    """How long a delivery waits before another try: 1, 2, 4, 8 minutes."""
    return timedelta(minutes=2 ** (attempts - 1))


def drain_batch(size=BATCH):
    """Claim up to `size` waiting deliveries (skipping those another drain holds), process each
    in a savepoint of its own, and commit them together. Returns how many were claimed."""
    with transaction.atomic():
        batch = list(
            waiting().select_for_update(of=("self",), skip_locked=True).select_related("store")[:size]
        )
        now = timezone.now()
        done = apply_in_bulk(batch)
        for delivery in batch:
            if delivery.pk in done:
                continue
            services.apply_handler(
                delivery,
                import_string(handlers[services.delivery_kind(delivery)]),
                final_attempt=delivery.attempts + 1 >= MAX_ATTEMPTS,
                # One delivery's unforeseen fault must not hold up the rest of the inbox.
                unexpected=(Exception,),
                retry_at=now + retry_wait(delivery.attempts + 1),
            )
    return len(batch)


def apply_in_bulk(batch):
    """Run each kind's batch handler on its claimed deliveries, and mark those it processed.
    Returns their ids. A batch handler that fails leaves nothing done (its savepoint) and its
    deliveries to the one-by-one handler: above all when another drain created one of the same
    orders meanwhile (an IntegrityError), which the one-by-one upsert then updates."""
    done = set()
    for kind, handler_name in batch_handlers.items():
        deliveries = [delivery for delivery in batch if services.delivery_kind(delivery) == kind]
        if not deliveries:
            continue
        try:
            with transaction.atomic():
                processed = set(import_string(handler_name)(deliveries))
        except IntegrityError:
            logger.info("A %s delivery's object was made meanwhile; processing the batch one by one", kind)
            continue
        except Exception:
            # Whatever it was, each delivery gets its own try, and its own error if it has one.
            logger.exception("The %s batch handler failed; processing the batch one by one", kind)
            continue
        WebhookDelivery.objects.filter(pk__in=processed).update(
            state=WebhookDelivery.State.PROCESSED, error="", attempts=F("attempts") + 1, next_attempt_at=None
        )
        done |= processed
    return done


def drain():
    """Process waiting deliveries until none are left. Returns how many were claimed."""
    claimed = 0
    while True:
        taken = drain_batch()
        if not taken:
            # Let the next delivery wake a drain *before* the last look: one stored after that
            # look finds the key gone and sends its own wake-up, so nothing is left behind.
            cache.delete(WAKE_KEY)
            # A delivery whose process found the wake-up outstanding up to WAKE_GRACE ago, and
            # so sent none, was stored before this look.
            sleep(WAKE_GRACE)
            taken = drain_batch()
            if not taken:
                return claimed
        claimed += taken


# monotonic() just before this process last asked and found a wake-up outstanding.
_outstanding_at = float("-inf")


def forget_outstanding():
    global _outstanding_at
    _outstanding_at = float("-inf")


def wake():
    """Send a drain a wake-up unless one is outstanding. Never raises: what waits is stored, and
    while the broker is away the sweep drains it on its return."""
    from .tasks import drain_inbox  # tasks import this module

    global _outstanding_at
    # Taken before asking: the wake-up was outstanding at some moment after this.
    asked_at = monotonic()
    if asked_at - _outstanding_at < WAKE_GRACE:
        return
    try:
        if not cache.add(WAKE_KEY, 1, timeout=WAKE_SECONDS):
            _outstanding_at = asked_at
            return
        drain_inbox.delay()
    except (KombuError, OSError) as error:
        # The key stays: while the broker is away, requests stop paying for publishes that fail.
        logger.error("Could not wake the inbox drain (%s: %s); the sweep will", type(error).__name__, error)
    except Exception:
        # Whatever else the cache or broker raises: the delivery is stored, and its answer stays 2xx.
        logger.exception("Could not wake the inbox drain; the sweep will")


def wake_on_commit():
    transaction.on_commit(wake)


def process_soon(delivery):
    """Have a stored signed delivery processed after commit: by a woken drain for the kinds it
    drains, by its kind's own task otherwise."""
    if drains(delivery):
        wake_on_commit()
    else:
        services.enqueue_processing(delivery)


def sweep():
    """Drain, here, if a delivery has waited UNTAKEN_AFTER with no drain taking it (its wake-up
    was lost with the broker's queue, or its drain's worker died). Draining here rather than
    sending a wake-up: a worker whose connection to the broker is broken still recovers them."""
    now = timezone.now()
    if waiting(now).filter(created_at__lte=now - UNTAKEN_AFTER).exists():
        drain()
