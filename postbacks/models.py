"""Postbacks: a client's endpoints (a URL or an email address) that hear about its orders, and
the deliveries sent to them, each with the log of its attempts."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from connect.models import Client
from core.fields import EncryptedTextField
from core.models import CodedModel


class Event(models.TextChoices):
    """The events an endpoint may subscribe to; their value is the payload's `type`."""

    RECEIVED = "order.received", _("Order received")
    FAILED = "order.failed", _("Failed")
    NEEDS_MAPPING = "order.needs_mapping", _("Needs mapping")
    IN_PRODUCTION = "order.in_production", _("In production")
    PRINTED = "order.printed", _("Printed")
    SHIPPED = "order.shipped", _("Shipped")
    IN_TRANSIT = "order.in_transit", _("In transit")
    DELIVERED = "order.delivered", _("Delivered")
    RETURNED = "order.returned", _("Returned")
    CANCELED = "order.canceled", _("Canceled")


# "Send test postback": sent whatever the endpoint subscribes to.
TEST_EVENT = "postback.test"


class Endpoint(CodedModel):
    class Kind(models.TextChoices):
        URL = "url", _("URL (signed HTTP POST)")
        EMAIL = "email", _("Email address")

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="postback_endpoints")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.URL)
    url = models.URLField(_("URL"), max_length=2000, blank=True)
    email = models.EmailField(_("email address"), max_length=254, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(default=list)  # Event values
    # Standard Webhooks secrets ("whsec_" and base64). During a rotation the previous one signs
    # too, until previous_secret_until, so receivers can switch without losing a delivery;
    # rotated again meanwhile, the secrets rotated away are kept here space-separated.
    secret = EncryptedTextField(blank=True)
    previous_secret = EncryptedTextField(blank=True)
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    enabled = models.BooleanField(default=True)
    disabled_reason = models.TextField(blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    tenant_path = "client"

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["client", "enabled"], name="postback_endpoint_client")]

    def __str__(self):
        return self.target

    @property
    def target(self):
        return self.url if self.kind == self.Kind.URL else self.email

    def event_labels(self):
        return [Event(value).label for value in Event.values if value in self.events]


class Delivery(CodedModel):
    """One event for one endpoint: the outbox row, written in the same transaction as the change
    it reports, and sent by the worker (postbacks.sender)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Delivered")
        FAILED = "failed", _("Failed: gave up")

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40)
    # What the delivery is about, for the log ("#1001").
    subject = models.CharField(max_length=200, blank=True)
    payload = models.JSONField()
    # Standard Webhooks' webhook-id: the same on every attempt, so receivers can drop repeats.
    message_id = models.CharField(max_length=64, unique=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # The sender's claim on a delivery on its way (core.outbox).
    claim = models.UUIDField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)

    tenant_path = "endpoint__client"

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], condition=models.Q(state="pending"), name="postback_delivery_due"
            ),
            models.Index(fields=["endpoint", "-created_at", "-id"], name="postback_delivery_log"),
        ]

    def __str__(self):
        return f"{self.event} to {self.endpoint} ({self.state})"


class Attempt(models.Model):
    """One try of a delivery: what was sent and what came back."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    request_headers = models.JSONField(default=dict)
    request_body = models.TextField(blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    # When the next attempt was planned after this one, if any (shows the growing waits).
    retry_at = models.DateTimeField(null=True, blank=True)

    tenant_path = "delivery__endpoint__client"

    class Meta:
        ordering = ["started_at", "id"]

    def __str__(self):
        return f"Attempt {self.number} of {self.delivery}"

    @property
    def succeeded(self):
        """Delivered: no error, and a 2xx answer where there is an answer (emails have none)."""
        return not self.error and (self.response_status is None or 200 <= self.response_status < 300)
