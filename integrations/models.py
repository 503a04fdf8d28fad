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

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="deliveries")
    platform = models.CharField(max_length=32)
    topic = models.CharField(max_length=100)
    # The platform's identity of what was delivered, for deduplication (empty when unknown).
    delivery_key = models.CharField(max_length=255, blank=True)
    headers = models.JSONField(default=dict)
    body = models.BinaryField()
    signature_valid = models.BooleanField()
    state = models.CharField(max_length=16, choices=State.choices)
    attempts = models.PositiveSmallIntegerField(default=0)
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
            )
        ]
        indexes = [models.Index(fields=["store", "-created_at"])]

    def __str__(self):
        return f"{self.platform} {self.topic} ({self.state})"
