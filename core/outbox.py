"""What every outbox of the project shares: rows written in the same transaction as the change
they report, then sent by the worker, each claimed before it is sent.

A claim (a random token and a time it runs out) is taken in its own short transaction: it stops
a second worker, or a redelivered task (acks_late), from sending the row again while it is on
its way. A worker that dies mid-send leaves a claim that runs out, and the app's sweeper tries
the row again. The outcome is written only by the worker that still holds the claim.

An outbox model has `attempts`, `next_attempt_at`, `claim` and `claimed_until` fields; its
app filters the rows still waiting (its own pending state) before calling these.
"""

import logging
import random
import uuid

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

logger = logging.getLogger(__name__)


def due(waiting, now=None):
    """The rows of `waiting` whose time has come and that no worker holds."""
    now = now or timezone.now()
    return waiting.filter(next_attempt_at__lte=now).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def queue_due(waiting, task, limit):
    """The sweeper's part: queue `task(pk)` for each due row of `waiting` nobody holds, the
    longest due first (retries, and rows whose first queueing was lost while the broker was
    away). Returns how many were queued."""
    ids = list(due(waiting).order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    for pk in ids:
        task.delay(pk)
    return len(ids)


def claim(waiting, pk, hold_for, *, related=()):
    """Take the due row `pk` of `waiting` for this worker, counting the attempt; None if it is
    not due, or another worker holds it. `related`: select_related paths, loaded with it."""
    now = timezone.now()
    with transaction.atomic():
        row = (
            due(waiting, now)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related(*related)
            .filter(pk=pk)
            .first()
        )
        if row is None:
            return None
        row.claim = uuid.uuid4()
        row.claimed_until = now + hold_for
        row.attempts += 1
        row.save(update_fields=["claim", "claimed_until", "attempts"])
    return row


def release(row, **fields):
    """Write the outcome `fields` and drop the claim, if this worker still holds the row (a
    claim that ran out may have passed to another worker, whose outcome counts). Call inside a
    transaction; returns whether it was written."""
    fields.update(claim=None, claimed_until=None)
    held = type(row)._default_manager.filter(pk=row.pk, claim=row.claim).update(**fields)
    if held:
        for name, value in fields.items():
            setattr(row, name, value)
    return bool(held)


def backoff_ceiling(attempts, base, cap):
    """The longest wait after `attempts` failed attempts: `base`, then twice as long each time,
    at most `cap` (timedeltas)."""
    return min(cap, base * 2 ** (attempts - 1))


def jittered(ceiling, low=0.0):
    """A wait between `low` (a fraction) and all of `ceiling`, so rows that failed together are
    not retried together."""
    return ceiling * random.uniform(low, 1.0)  # noqa: S311 - jitter, not a secret


def enqueue_on_commit_later(task, row_id, delay):
    """Queue `task(row_id)` with a countdown once the transaction commits; if the broker is
    away the app's sweeper finds the row when its time comes."""

    def send_later():
        try:
            task.apply_async((row_id,), countdown=delay.total_seconds())
        except Exception as error:
            logger.error("Could not queue %s(%s) for a retry (%s)", task.name, row_id, error)

    transaction.on_commit(send_later)
