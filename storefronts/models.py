from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from connect.models import Client
from core.fields import EncryptedJSONField, EncryptedTextField, is_unreadable
from core.http import unicode_url
from core.models import CodedModel
from core.tenancy import Role


class Store(CodedModel):
    """A client's shop, on a platform or manual, and the state of its connection."""

    NAME_MAX_LENGTH = 200

    class Platform(models.TextChoices):
        SHOPIFY = "shopify", "Shopify"
        ETSY = "etsy", "Etsy"
        WOOCOMMERCE = "woocommerce", "WooCommerce"
        PRESSERO = "pressero", "Pressero"
        MANUAL = "manual", _("Manual")

    class State(models.TextChoices):
        CONNECTED = "connected", _("Connected")
        FAILING = "failing", _("Failing")
        DISCONNECTED = "disconnected", _("Disconnected")

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="stores")
    platform = models.CharField(max_length=32, choices=Platform.choices)
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    state = models.CharField(max_length=16, choices=State.choices, default=State.CONNECTED)
    state_reason = models.TextField(blank=True)
    # Since when the platform has been busy or unreachable (429, 5xx, timeouts) without a
    # refusal: a store turns failing only when that lasts (storefronts.services.TROUBLE_TOLERANCE).
    trouble_since = models.DateTimeField(null=True, blank=True)
    # When someone asked for a connection check that the worker has not answered yet.
    check_requested_at = models.DateTimeField(null=True, blank=True)
    # Who the store is on its platform (a normalised shop URL or domain, or the platform's id).
    shop_identity = models.CharField(max_length=255, blank=True)
    base_url = models.URLField(max_length=500, blank=True)
    credentials = EncryptedJSONField(null=True, blank=True)
    scopes = models.JSONField(default=list, blank=True)
    webhook_secret = EncryptedTextField(blank=True)
    # What the platform says of our webhook subscriptions: [{"id", "topic", "status"}].
    webhooks = models.JSONField(default=list, blank=True)
    webhooks_error = models.TextField(blank=True)
    connected_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    tenant_path = "client"
    store_path = "pk"

    class Meta:
        ordering = ["name"]
        constraints = [
            # One shop feeds one Printfront store at a time; a disconnected one can be taken over.
            models.UniqueConstraint(
                fields=["platform", "shop_identity"],
                condition=~models.Q(state="disconnected") & ~models.Q(shop_identity=""),
                name="store_unique_connected_shop",
            ),
            # Names tell a client's stores apart in every list and menu.
            models.UniqueConstraint("client", Lower("name"), name="store_unique_name_per_client"),
        ]

    def __str__(self):
        return self.name

    @property
    def needs_reconnect(self):
        """A live store whose saved secrets no configured key can decrypt (a key rotated away):
        nothing can talk to its platform or check its deliveries until it is connected again."""
        return self.state != self.State.DISCONNECTED and (
            is_unreadable(self.credentials) or is_unreadable(self.webhook_secret)
        )

    @property
    def address(self):
        """The shop's URL as people write it: a Unicode host name, not its xn-- form."""
        return unicode_url(self.base_url)


class Membership(CodedModel):
    """A person's place in a client: their role, and for Store Managers their stores."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    stores = models.ManyToManyField(Store, blank=True, related_name="managers")

    tenant_path = "client"

    class Meta:
        ordering = ["user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "client"], name="membership_unique_user_client")
        ]

    def __str__(self):
        return f"{self.user} in {self.client} as {self.get_role_display()}"
