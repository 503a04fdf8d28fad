"""The dispatcher: sends the outbox's messages to the shops (tracking, when items ship).

A message is claimed before it is sent (core.outbox: a second worker, or a redelivered task,
never sends it again while it is on its way). A worker that dies mid-send leaves a claim that
runs out, and the sweeper tries the message again; the adapters check the shop before they
write, so that retry finds the tracking already there rather than adding it twice.

Each outcome is written on the order's history: sent, trying again later (with the reason), or
given up (with the reason, and an error in the log) after MAX_ATTEMPTS or a refusal that trying
again cannot change.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from core import outbox as claims
from core.http import retry_after_seconds
from core.read_later import later
from core.tasks import enqueue_on_commit
from integrations.base import AdapterError
from integrations.registry import adapter_for
from integrations.types import Shipment
from storefronts.models import Store

from .models import OrderEvent, OutboxMessage
from .tasks import send_outbox

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=30)  # the first retry waits up to this, the next up to twice...
BACKOFF_CAP = timedelta(hours=2)
# Longer than a send can take (a few platform calls, each with core.http's own retries).
CLAIM_FOR = timedelta(minutes=10)
# Retries due sooner than this are queued with a countdown; later ones wait for the sweeper.
QUEUE_WITHIN = timedelta(minutes=1)
SWEEP_BATCH = 500

State = OutboxMessage.State


def pending():
    return OutboxMessage.objects.filter(state=State.PENDING)


def claim(message_id):
    """Take a due message for this worker, counting the attempt; None if it is not due, already
    sent, or held by another worker."""
    return claims.claim(pending(), message_id, CLAIM_FOR, related=("order__store",))


def send(message_id):
    """Send one message if it is due and free; record what came of it."""
    message = claim(message_id)
    if message is None:
        return None
    store = message.order.store
    if message.attempts > MAX_ATTEMPTS:  # the last attempts never finished (a crash each time)
        return record_failure(
            message, AdapterError(_("The last attempts to send it did not finish."), permanent=True)
        )
    try:
        deliver(message)
    except AdapterError as error:
        return record_failure(message, error)
    except Exception:
        # A bug of ours: keep the message (the claim runs out and it is tried again, until the
        # attempts run out: see above), and let the task's error show the traceback.
        logger.exception("Sending outbox message %s to %s failed unexpectedly", message.pk, store)
        raise
    return record(
        message,
        State.SENT,
        later(gettext_noop("Tracking sent to %(platform)s."), platform=platform_of(message)),
    )


def deliver(message):
    store = message.order.store
    if store.state == store.State.DISCONNECTED:
        raise AdapterError(
            _("The store is disconnected from Printfront: connect it again, then send again."),
            permanent=True,
        )
    adapter = adapter_for(store)
    if adapter is None or not hasattr(adapter, "push_shipment"):
        raise AdapterError(
            _("Printfront cannot send tracking to a %(platform)s store.")
            % {"platform": platform_of(message)},
            permanent=True,
        )
    payload = dict(message.payload)
    payload["line_ids"] = tuple(payload.get("line_ids") or ())
    adapter.push_shipment(Shipment(**payload))


def record_failure(message, error):
    reason = str(error)
    if error.permanent or message.attempts >= MAX_ATTEMPTS:
        logger.error(
            "Gave up sending outbox message %s (order %s) after %s attempt(s): %s",
            message.pk,
            message.order.number,
            message.attempts,
            reason,
        )
        words = _(
            "Could not send the tracking to %(platform)s, gave up after %(count)s attempt(s): %(reason)s"
        )
        return record(
            message,
            State.GAVE_UP,
            words % {"platform": platform_of(message), "count": message.attempts, "reason": reason},
            error=reason,
        )
    delay = retry_delay(message.attempts, error.retry_after)
    words = _("Tracking not sent to %(platform)s yet: %(reason)s Trying again in %(wait)s.")
    return record(
        message,
        State.PENDING,
        words % {"platform": platform_of(message), "reason": reason, "wait": in_words(delay)},
        error=reason,
        retry_in=delay,
    )


def retry_delay(attempts, retry_after=None):
    """Exponential backoff with full jitter; a Retry-After from the platform wins."""
    asked = retry_after if isinstance(retry_after, int | float) else retry_after_seconds(retry_after)
    if asked is not None:
        return timedelta(seconds=asked)
    return claims.jittered(claims.backoff_ceiling(attempts, BACKOFF_BASE, BACKOFF_CAP))


def record(message, state, words, *, error="", retry_in=None):
    """Write the outcome, if this worker still holds the message (a claim that ran out may have
    passed to another worker, whose outcome counts)."""
    now = timezone.now()
    fields = {"state": state, "last_error": error}
    if state == State.SENT:
        fields["sent_at"] = now
    if retry_in is not None:
        fields["next_attempt_at"] = now + retry_in
    with transaction.atomic():
        if not claims.release(message, **fields):
            return None
        OrderEvent.objects.create(order=message.order, kind=OrderEvent.Kind.SHOP, message=words)
        if retry_in is not None and retry_in <= QUEUE_WITHIN:
            claims.enqueue_on_commit_later(send_outbox, message.pk, retry_in)
    return message


def send_due(limit=SWEEP_BATCH):
    """The sweeper: queue every due message nobody holds. Returns how many were queued."""
    return claims.queue_due(pending(), send_outbox, limit)


def retry_now(actor, message):
    """Staff's "Send again" on a message that was given up: a fresh round of attempts."""
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().select_related("order").get(pk=message.pk)
        if message.state != State.GAVE_UP:
            return message
        message.state = State.PENDING
        message.attempts = 0
        message.next_attempt_at = timezone.now()
        message.claim = message.claimed_until = None
        message.save(update_fields=["state", "attempts", "next_attempt_at", "claim", "claimed_until"])
        OrderEvent.objects.create(
            order=message.order,
            kind=OrderEvent.Kind.SHOP,
            actor=actor,
            message=later(
                gettext_noop("Sending the tracking to %(platform)s again."), platform=platform_of(message)
            ),
        )
        enqueue_on_commit(send_outbox, message.pk)
    return message


def platform_of(message):
    """The platform's name, lazily translated: in the reader's language where kept for later
    (core.read_later), in the active one where formatted now."""
    return Store.Platform(message.order.store.platform).label


def in_words(delay):
    seconds = max(round(delay.total_seconds()), 1)
    if seconds < 90:
        return ngettext("%(n)s second", "%(n)s seconds", seconds) % {"n": seconds}
    minutes = round(seconds / 60)
    return ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes}
