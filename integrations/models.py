from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import CodedModel
from storefronts.models import Store


class WebhookDelivery(CodedModel):
    """Every delivery a platform sent us, stored before anything is done with it: the inbox,
    and the log a store's page shows (what arrived, did its signature hold, what became of it)."""

    class State(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSED = "processed", _("Processed")
        FAILED = "failed", _("Failed")
        IGNORED = "ignored", _("Ignored")
        REJECTED = "rejected", _("Rejected: bad signature")
        TOO_LARGE = "too_large", _("Refused: too large")
        MALFORMED = "malformed", _("Refused: not JSON")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="deliveries")
    platform = models.CharField(max_length=32)
    topic = models.CharField(max_length=100)
    # The platform's identity of what was delivered, for deduplication (empty when unknown).
    delivery_key = models.CharField(max_length=255, blank=True)
    # SHA-256 of the topic and the signed body: an exact repeat is the same delivery whatever
    # unsigned headers came with it (empty for deliveries whose signature did not hold).
    body_digest = models.CharField(max_length=64, blank=True)
    headers = models.JSONField(default=dict)
    body = models.BinaryField()
    # Bytes the sender sent (or declared, for a body refused unread as too large).
    size = models.PositiveBigIntegerField(default=0)
    signature_valid = models.BooleanField()
    state = models.CharField(max_length=16, choices=State.choices)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When a delivery drained from the inbox (integrations.inbox) whose last try failed in a way
    # that trying again can help may be tried again; empty: as soon as a drain comes by.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    tenant_path = "store__client"
    store_path = "store"

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "delivery_key"],
                condition=~models.Q(delivery_key=""),
                name="webhook_delivery_unique_per_store",
            ),
            models.UniqueConstraint(
                fields=["store", "body_digest"],
                condition=~models.Q(body_digest=""),
                name="webhook_delivery_digest_unique_per_store",
            ),
        ]
        indexes = [
            models.Index(fields=["store", "-created_at"]),
            # Finds a store's unsigned deliveries beyond the kept number without walking its signed ones.
            models.Index(
                fields=["store", "-created_at", "-id"],
                condition=models.Q(signature_valid=False),
                name="webhook_delivery_unsigned",
            ),
            # What a drain claims, oldest first, without walking the deliveries already done.
            models.Index(
                fields=["created_at", "id"],
                condition=models.Q(state="received", signature_valid=True),
                name="webhook_delivery_waiting",
            ),
        ]

    def __str__(self):
        return f"{self.platform} {self.topic} ({self.state})"


class DroppedDeliveries(models.Model):
    """How many of a store's unsigned deliveries (refused, too large, pings) were let go to keep
    only the newest: anyone who knows a store's address can send them, so they are bounded."""

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="dropped_deliveries")
    count = models.PositiveBigIntegerField(default=0)

    tenant_path = "store__client"
    store_path = "store"

    def __str__(self):
        return f"{self.count} dropped deliveries of {self.store}"
