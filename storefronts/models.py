from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from connect.models import Client
from core.models import CodedModel
from core.tenancy import Role


class Store(CodedModel):
    """A client's online shop. Connecting real platforms arrives with the stores issue; the
    model exists now so Store Managers can be assigned stores."""

    class Platform(models.TextChoices):
        SHOPIFY = "shopify", "Shopify"
        ETSY = "etsy", "Etsy"
        WOOCOMMERCE = "woocommerce", "WooCommerce"
        PRESSERO = "pressero", "Pressero"
        MANUAL = "manual", _("Manual")

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="stores")
    platform = models.CharField(max_length=32, choices=Platform.choices)
    name = models.CharField(_("name"), max_length=200)

    tenant_path = "client"
    store_path = "pk"

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


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
