"""Orders: what a store's buyers ordered, on its way through production and back."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import CatalogVariant, FileCheck, StoreVariant
from connect.models import Client
from core.models import CodedModel
from core.read_later import ReadLaterCharField, ReadLaterTextField
from storefronts.models import Store
from workflows.models import Action as WorkflowAction
from workflows.models import Priority, ProductionLine, Rule


class ItemStatus(models.TextChoices):
    """Where an item is in production. The order's status is derived from its items' (statuses.py)."""

    RECEIVED = "received", _("Received")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")
    IN_PRODUCTION = "in_production", _("In production")
    PRINTED = "printed", _("Printed")
    PACKAGED = "packaged", _("Packaged")
    SHIPPED = "shipped", _("Shipped")
    IN_TRANSIT = "in_transit", _("In transit")
    DELIVERED = "delivered", _("Delivered")
    RETURNED = "returned", _("Returned")
    CANCELED = "canceled", _("Canceled")


class Hold(models.TextChoices):
    """Why an order may not go into production yet (the first that applies, in this order)."""

    NONE = "", _("Not held")
    TEST = "test", _("Test order")
    UNPAID = "unpaid", _("Not paid yet")
    NEEDS_MAPPING = "needs_mapping", _("Needs mapping")
    FILE_PROBLEM = "file_problem", _("Print file problem")
    FILE_PENDING = "file_pending", _("Checking print files")
    # Last: what a workflow rule adds once nothing else holds the order (orders.rules).
    REVIEW = "review", _("Held for review")


class Order(CodedModel):
    class Source(models.TextChoices):
        WEBHOOK = "webhook", _("Webhook")
        POLLING = "polling", _("Polling")
        RECONCILIATION = "reconciliation", _("Reconciliation")
        MANUAL = "manual", _("Placed by hand")
        CSV = "csv", _("CSV import")

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="orders")
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="orders")
    # The shop's id of the order (text: Shopify's exceed 2**53); a manual order's reference.
    external_id = models.CharField(max_length=64)
    number = models.CharField(_("order number"), max_length=64)  # as the shop shows it: "#1001"
    source = models.CharField(max_length=16, choices=Source.choices)
    status = models.CharField(max_length=16, choices=ItemStatus.choices, default=ItemStatus.RECEIVED)
    hold = models.CharField(max_length=16, choices=Hold.choices, blank=True, default=Hold.NONE)
    paid = models.BooleanField(default=True)
    test = models.BooleanField(default=False)
    # Cancelled in the shop: production must not start; staff see it and cancel what remains.
    cancelled_in_shop = models.BooleanField(default=False)
    currency = models.CharField(max_length=3, blank=True)
    total = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    customer_name = models.CharField(max_length=255, blank=True)
    customer_email = models.EmailField(max_length=254, blank=True)
    shipping_address = models.JSONField(default=dict, blank=True)  # integrations.types.Address's fields
    note = models.TextField(blank=True)
    placed_at = models.DateTimeField()
    # When the shop last changed the order, as it says: an older report changes nothing.
    source_updated_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The shop's tags and the marker words of its note (workflows.matching.markers_of).
    markers = models.JSONField(default=list, blank=True)
    # The workflow rule that applied when the order arrived, as it was then, and why (orders.rules).
    workflow_rule = models.ForeignKey(
        Rule, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    workflow_rule_name = ReadLaterCharField(max_length=100, blank=True)  # Rule.name, as it was
    workflow_action = models.CharField(max_length=16, choices=WorkflowAction.choices, blank=True)
    workflow_why = ReadLaterTextField(blank=True)  # in the reader's language
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    production_line = models.ForeignKey(
        ProductionLine, null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    # Held for review while there is a reason and no release (Hold.REVIEW).
    review_reason = models.CharField(max_length=255, blank=True)
    review_released_at = models.DateTimeField(null=True, blank=True)
    review_released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Whom the rule said to tell, and when the email went (the worker sends it once).
    notify_email = models.EmailField(blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    tenant_path = "client"
    store_path = "store"

    class Meta:
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["store", "external_id"], name="order_unique_per_store"),
        ]
        indexes = [
            models.Index(fields=["client", "-placed_at", "-id"], name="order_client_placed"),
            models.Index(fields=["-placed_at", "-id"], name="order_placed"),
            models.Index(fields=["store", "-created_at"], name="order_store_created"),
            models.Index(fields=["status", "-placed_at"], name="order_status_placed"),
            models.Index(fields=["hold"], condition=~models.Q(hold=""), name="order_held"),
            # The sweep for workflow emails whose queueing was lost (orders.tasks).
            models.Index(
                fields=["created_at"],
                condition=~models.Q(notify_email="") & models.Q(notified_at__isnull=True),
                name="order_notify_due",
            ),
            # Connect's production queue opens on "Ready for production": its page and count
            # from this index alone, however many orders have long been shipped.
            models.Index(
                fields=["-placed_at", "-id"],
                condition=models.Q(hold="", status__in=["received", "passed"]),
                name="order_ready",
            ),
        ]

    @property
    def under_review(self):
        """Held by its workflow rule for review, and not released yet."""
        return bool(self.review_reason) and self.review_released_at is None

    def __str__(self):
        return f"{self.store} {self.number}"

    @property
    def address_lines(self):
        """The shipping address (integrations.types.Address's fields) as the lines of a label."""
        address = self.shipping_address or {}
        town = " ".join(filter(None, (address.get("postcode"), address.get("city"))))
        lines = [address.get(name, "") for name in ("name", "company", "line1", "line2")]
        lines += [town, *(address.get(name, "") for name in ("region", "country", "phone"))]
        return [line for line in lines if line]


class OrderItem(CodedModel):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    external_id = models.CharField(max_length=64)  # the shop's line id
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=500)
    variant_title = models.CharField(max_length=500, blank=True)
    sku = models.CharField(max_length=255, blank=True)
    quantity = models.PositiveIntegerField()
    price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    # The shop's product and variant; both empty for a custom item.
    external_product_id = models.CharField(max_length=64, blank=True)
    external_variant_id = models.CharField(max_length=64, blank=True)
    # What the item is to the printer, copied from the mapping when linked, so production is
    # not changed under its feet by a later edit of the mapping.
    store_variant = models.ForeignKey(
        StoreVariant, null=True, blank=True, on_delete=models.SET_NULL, related_name="order_items"
    )
    catalog_variant = models.ForeignKey(
        CatalogVariant, null=True, blank=True, on_delete=models.PROTECT, related_name="order_items"
    )
    product_uid = models.CharField(max_length=255, blank=True)
    design_file = models.FileField(upload_to="print-files/%Y/%m/", blank=True)
    design_file_url = models.URLField(max_length=2000, blank=True)
    # The print file the shop's line named (a line property), as the shop reported it; used
    # where the mapping has no file of its own (intake.print_file_of).
    line_file_url = models.URLField(max_length=2000, blank=True)
    file_check = models.CharField(max_length=16, choices=FileCheck.choices, blank=True)
    file_problem = models.TextField(blank=True)
    file_info = models.JSONField(default=dict, blank=True)
    file_checked_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=ItemStatus.choices, default=ItemStatus.RECEIVED)
    # Why it failed, was returned or canceled: typed, or Printfront's own words (core.read_later).
    status_reason = ReadLaterTextField(blank=True)
    carrier = models.CharField(max_length=100, blank=True)
    tracking_code = models.CharField(max_length=255, blank=True)
    tracking_url = models.URLField(max_length=2000, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)

    tenant_path = "order__client"
    store_path = "order__store"

    class Meta:
        # By the order's id, not "order" (that would join the order to sort by its own ordering).
        ordering = ["order_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "external_id"], name="order_item_unique_line"),
        ]
        indexes = [
            # The "Needs mapping" queue and re-linking after a mapping is made.
            models.Index(
                fields=["external_variant_id"],
                condition=models.Q(catalog_variant__isnull=True),
                name="order_item_unmapped",
            ),
        ]

    @property
    def mapped(self):
        return self.catalog_variant_id is not None

    def __str__(self):
        return f"{self.quantity} x {self.title}"


class OrderEvent(models.Model):
    """The order's history: every arrival, change, status move and message to the shop."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Received")
        UPDATED = "updated", _("Updated by the shop")
        STATUS = "status", _("Status changed")
        HOLD = "hold", _("Hold changed")
        FILES = "files", _("Print files")
        SHOP = "shop", _("Sent to the shop")
        NOTE = "note", _("Note")
        WORKFLOW = "workflow", _("Workflow rule")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    item = models.ForeignKey(
        OrderItem, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    from_status = models.CharField(max_length=16, choices=ItemStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=ItemStatus.choices, blank=True)
    # What Printfront writes here is shown in the reader's language (core.read_later).
    message = ReadLaterTextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    tenant_path = "order__client"
    store_path = "order__store"

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["order", "created_at"], name="order_event_by_order")]

    def __str__(self):
        return f"{self.order} {self.kind} {self.to_status}"


class OutboxMessage(CodedModel):
    """Something to tell the outside about an order (the shop: tracking), written in the same
    transaction as the change it reports and sent by the dispatcher, with backoff and jitter."""

    class Kind(models.TextChoices):
        TRACKING = "tracking", _("Tracking to the shop")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        GAVE_UP = "gave_up", _("Failed: gave up")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="outbox")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    payload = models.JSONField(default=dict)  # integrations.types.Shipment's fields, for TRACKING
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The dispatcher's claim on a message it is sending (orders.outbox): who holds it and until
    # when. A claim left by a worker that died expires, and the message is tried again.
    claim = models.UUIDField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)

    tenant_path = "order__client"
    store_path = "order__store"

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=models.Q(state="pending"), name="outbox_due"),
        ]

    def __str__(self):
        return f"{self.kind} for {self.order} ({self.state})"


class OrderIntake(models.Model):
    """A store's last reconciliation (or, for Etsy, poll), for the next run and the store's
    health page. (The last order received is read from the store's newest order.)"""

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="order_intake")
    # The shop's changes up to here have been asked for; the next run asks from here on.
    reconciled_until = models.DateTimeField(null=True, blank=True)
    last_reconciled_at = models.DateTimeField(null=True, blank=True)
    last_reconcile_error = models.TextField(blank=True)
    last_reconcile_found = models.PositiveIntegerField(default=0)

    tenant_path = "store__client"
    store_path = "store"

    def __str__(self):
        return f"Order intake of {self.store}"


class OrderImport(CodedModel):
    """A CSV file of a manual store's orders: checked when uploaded (a file with errors is not
    kept), previewed, then imported by the worker, every order in one transaction."""

    class State(models.TextChoices):
        READY = "ready", _("Checked: ready to import")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        INVALID = "invalid", _("Has errors: nothing imported")
        FAILED = "failed", _("Failed: nothing imported")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="order_imports")
    state = models.CharField(max_length=16, choices=State.choices, default=State.READY)
    file_name = models.CharField(max_length=255)
    content = models.TextField()  # the file as uploaded, checked again when it is imported
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # {"totals": {...}, "preview": [...]} once checked; then {"references": [...]} or {"message": ...}
    summary = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)  # [{"row", "column", "message"}]
    # When it last went to the worker: how requeue_lost_imports tells a lost message from work going on.
    queued_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    tenant_path = "store__client"
    store_path = "store"

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.file_name
