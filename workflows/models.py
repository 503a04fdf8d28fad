"""Workflows: the staff's ordered rules for how orders are handled on their way into
production, and the production lines a rule may route orders to. Rules are matched by
matching.py; orders apply them when they arrive (orders.rules)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from catalog.models import ProductType
from connect.models import Client
from core.models import CodedModel
from core.read_later import ReadLaterCharField, later
from storefronts.models import Store


class Priority(models.TextChoices):
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    RUSH = "rush", _("Rush")


class ProductionLine(CodedModel):
    """Where in the print shop an order is made (a press, a room, a partner). Lines are switched
    off rather than deleted: orders keep the line they were routed to."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Action(models.TextChoices):
    STANDARD = "standard", _("Standard: ready for production once nothing holds it")
    PRODUCTION = "production", _("Send straight to production")
    REVIEW = "review", _("Hold for review")
    ROUTE = "route", _("Route to a production line")
    PRIORITY = "priority", _("Set the priority")
    NOTIFY = "notify", _("Notify someone by email")


class Unmapped(models.TextChoices):
    ANY = "", _("Either")
    YES = "yes", _("Has items not mapped yet")
    NO = "no", _("Every item is mapped")


class Rule(CodedModel):
    """One rule: every condition set must hold for it to match (an empty one is not asked),
    and the first matching rule's action applies. The default rule (one, always last) has no
    conditions: it matches every order no other rule took."""

    position = models.PositiveIntegerField(default=0)
    # The default rule's is a core.read_later message: it reads in each reader's language.
    name = ReadLaterCharField(_("name"), max_length=100)
    active = models.BooleanField(_("active"), default=True)
    is_default = models.BooleanField(default=False, editable=False)

    # Conditions
    client = models.ForeignKey(
        Client, verbose_name=_("client"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    store = models.ForeignKey(
        Store, verbose_name=_("store"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    platform = models.CharField(_("platform"), max_length=16, choices=Store.Platform.choices, blank=True)
    product_type = models.CharField(_("product type"), max_length=32, choices=ProductType.choices, blank=True)
    product_uid = models.CharField(_("product UID starts with"), max_length=255, blank=True)
    countries = models.JSONField(_("destination countries"), default=list, blank=True)  # ISO codes
    min_items = models.PositiveIntegerField(_("at least this many items"), null=True, blank=True)
    max_items = models.PositiveIntegerField(_("at most this many items"), null=True, blank=True)
    min_value = models.DecimalField(
        _("order value at least"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("order value at most"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    unmapped = models.CharField(
        _("unmapped items"), max_length=3, choices=Unmapped.choices, blank=True, default=Unmapped.ANY
    )
    marker = models.CharField(_("marker"), max_length=50, blank=True)

    # Action and its parameter
    action = models.CharField(_("action"), max_length=16, choices=Action.choices, default=Action.STANDARD)
    review_reason = models.CharField(_("reason for the review"), max_length=255, blank=True)
    production_line = models.ForeignKey(
        ProductionLine,
        verbose_name=_("production line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rules",
    )
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, blank=True)
    notify_email = models.EmailField(_("email to notify"), blank=True)

    class Meta:
        ordering = ["is_default", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="workflow_one_default_rule"
            ),
        ]

    def __str__(self):
        return self.name

    def condition_words(self):
        """The rule's conditions in words, for the list of rules (empty: it matches everything)."""
        words = []
        if self.client_id:
            words.append(_("Client: %(name)s") % {"name": self.client.name})
        if self.store_id:
            words.append(_("Store: %(name)s") % {"name": self.store.name})
        if self.platform:
            words.append(_("Platform: %(name)s") % {"name": self.get_platform_display()})
        if self.product_type:
            words.append(_("Product type: %(name)s") % {"name": self.get_product_type_display()})
        if self.product_uid:
            words.append(_("Product UID starts with %(uid)s") % {"uid": self.product_uid})
        if self.countries:
            words.append(_("Ships to %(countries)s") % {"countries": ", ".join(self.countries)})
        if self.min_items is not None or self.max_items is not None:
            words.append(_("Items: %(low)s to %(high)s") % _bounds(self.min_items, self.max_items))
        if self.min_value is not None or self.max_value is not None:
            words.append(_("Order value: %(low)s to %(high)s") % _bounds(self.min_value, self.max_value))
        if self.unmapped:
            words.append(self.get_unmapped_display())
        if self.marker:
            words.append(_("Marked “%(marker)s”") % {"marker": self.marker})
        return words

    def action_words(self):
        """What the rule does, with its parameter (in the reader's language: core.read_later)."""
        if self.action == Action.REVIEW:
            return later(gettext_noop("Hold for review: %(reason)s"), reason=self.review_reason)
        if self.action == Action.ROUTE:
            return later(gettext_noop("Route to %(line)s"), line=self.production_line)
        if self.action == Action.PRIORITY:
            return later(
                gettext_noop("Set the priority to %(priority)s"), priority=Priority(self.priority).label
            )
        if self.action == Action.NOTIFY:
            return later(gettext_noop("Notify %(email)s"), email=self.notify_email)
        return Action(self.action).label


def _bounds(low, high):
    return {"low": "…" if low is None else low, "high": "…" if high is None else high}
