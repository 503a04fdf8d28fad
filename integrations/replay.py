"""Replaying a failed webhook delivery from a store's health log: the stored, signed delivery is
processed again as if it had just arrived (what failed may since have been put right: a mapping
made, a bug fixed, the shop back)."""

from django.db import transaction
from django.utils.translation import gettext as _

from core import audit

from . import inbox
from .models import WebhookDelivery


class ReplayRefused(ValueError):
    """The delivery may not be replayed; the message is for people."""


def replay_problem(delivery):
    """Why this delivery cannot be replayed, in words; None if it can. Only signed deliveries
    are trusted to act on (an unsigned or refused one could say anything), and only failed ones
    need it (the others were done with, or are still on their way)."""
    if not delivery.signature_valid:
        return _("This delivery's signature did not hold: it is never processed.")
    if delivery.state != WebhookDelivery.State.FAILED:
        return _("Only a failed delivery can be replayed.")
    return None


def replay(actor, delivery_id):
    """Put a failed signed delivery back to received, attempts reset, and queue its processing
    (after commit). Raises ReplayRefused, changing nothing."""
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().select_related("store").get(pk=delivery_id)
        problem = replay_problem(delivery)
        if problem:
            raise ReplayRefused(problem)
        delivery.state, delivery.attempts, delivery.error = WebhookDelivery.State.RECEIVED, 0, ""
        delivery.next_attempt_at = None
        delivery.save(update_fields=["state", "attempts", "error", "next_attempt_at"])
        audit.record(
            actor,
            "delivery.replayed",
            client=delivery.store.client,
            target=delivery.store.name,
            data={"delivery": str(delivery.code), "topic": delivery.topic},
        )
        inbox.process_soon(delivery)
    return delivery
