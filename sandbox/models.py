"""The sandbox's own state: demo shops on each platform, their catalogues, API keys and the
webhooks they sent. Nothing here is Printfront's."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Shop(models.Model):
    class Platform(models.TextChoices):
        SHOPIFY = "shopify", "Shopify"
        ETSY = "etsy", "Etsy"
        WOOCOMMERCE = "woocommerce", "WooCommerce"
        PRESSERO = "pressero", "Pressero"

    class Fault(models.TextChoices):
        NONE = "", _("Working normally")
        RATE_LIMITED = "429", _("Rate limited (429 with Retry-After)")
        SERVER_ERROR = "5xx", _("Server errors (503)")
        SLOW = "slow", _("Slow (answers after a delay)")
        REVOKED = "revoked", _("Credentials revoked (401)")

    platform = models.CharField(max_length=16, choices=Platform.choices)
    handle = models.SlugField(max_length=64)
    name = models.CharField(max_length=200)
    fault = models.CharField(max_length=16, choices=Fault.choices, blank=True)
    fault_limit = models.PositiveSmallIntegerField(
        default=0, help_text=_("Fail only this many requests, then work again (0: until switched off).")
    )
    retry_after = models.PositiveSmallIntegerField(default=2)
    slow_seconds = models.FloatField(default=3)
    webhooks_off = models.BooleanField(default=False)
    fast_webhook_retries = models.BooleanField(
        default=False,
        help_text=_("Shopify: retry failed webhooks on a schedule of seconds instead of hours (for tests)."),
    )
    token_lifetime = models.PositiveIntegerField(default=3600, help_text=_("Seconds an access token lasts."))
    # Etsy's rate limits, per access token: a new app's defaults (QPS, then QPD over a rolling day).
    limit_per_second = models.PositiveSmallIntegerField(
        default=10, help_text=_("Etsy: calls one access token may make per second.")
    )
    limit_per_day = models.PositiveIntegerField(
        default=10000, help_text=_("Etsy: calls one access token may make in any 24 hours.")
    )
    rate_limits_off = models.BooleanField(
        default=False,
        help_text=_(
            "Shopify's cost bucket and Etsy's calls per second and per day are not counted (benchmarks)."
        ),
    )
    # Shopify's GraphQL cost bucket: points left, and when it was last topped up.
    bucket_available = models.FloatField(default=1000)
    bucket_checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["platform", "handle"]
        constraints = [models.UniqueConstraint(fields=["platform", "handle"], name="sandbox_shop_unique")]

    def __str__(self):
        return f"{self.get_platform_display()} {self.handle}"


class Product(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        DRAFT = "draft", _("Draft")
        ARCHIVED = "archived", _("Archived")

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="products")
    title = models.CharField(max_length=255)
    product_type = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    option_names = models.JSONField(default=list, blank=True)  # e.g. ["Size", "Colour"]
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.title


class Variant(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField(max_length=100)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    options = models.JSONField(default=list, blank=True)  # values in the order of option_names

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.sku


class ApiKey(models.Model):
    """A WooCommerce REST API key pair with its permissions, as WooCommerce stores it."""

    class Permissions(models.TextChoices):
        READ = "read", _("Read")
        WRITE = "write", _("Write")
        READ_WRITE = "read_write", _("Read/Write")

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="api_keys")
    description = models.CharField(max_length=200)
    consumer_key = models.CharField(max_length=64, unique=True)
    consumer_secret = models.CharField(max_length=64)
    permissions = models.CharField(max_length=16, choices=Permissions.choices)

    def __str__(self):
        return self.description


class UsedNonce(models.Model):
    """OAuth 1.0a nonces seen per key in the last 15 minutes (WooCommerce refuses reuse)."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE)
    nonce = models.CharField(max_length=128)
    timestamp = models.PositiveBigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["api_key", "nonce"], name="sandbox_nonce_unique")]

    def __str__(self):
        return self.nonce


class Webhook(models.Model):
    """A webhook subscription registered by an app (WooCommerce and Shopify shapes)."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="webhooks")
    topic = models.CharField(max_length=100)
    delivery_url = models.URLField(max_length=500)
    secret = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=16, default="active")
    name = models.CharField(max_length=200, blank=True)
    # Consecutive failed deliveries (WooCommerce disables the webhook past 5).
    failure_count = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.topic} -> {self.delivery_url}"


class SentWebhook(models.Model):
    """What the sandbox delivered, and how the receiver answered: shown on the shop's page."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="sent_webhooks")
    topic = models.CharField(max_length=100)
    delivery_url = models.URLField(max_length=500)
    body = models.TextField()
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.TextField(blank=True)
    error = models.TextField(blank=True)
    attempt = models.PositiveSmallIntegerField(default=1)  # 2 and up: retries of one delivery
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "-id"]

    def __str__(self):
        return f"{self.topic} -> {self.delivery_url} ({self.response_status or self.error})"

    @property
    def delivered(self):
        return self.response_status is not None and 200 <= self.response_status < 300


class AuthorizationCode(models.Model):
    """An OAuth code handed out on the consent screen, exchanged once for tokens."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE)
    code = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    redirect_uri = models.URLField(max_length=500)
    code_challenge = models.CharField(max_length=128, blank=True)  # Etsy's PKCE
    created_at = models.DateTimeField(auto_now_add=True)
    used = models.BooleanField(default=False)

    def __str__(self):
        return self.code


class AccessToken(models.Model):
    """An access token (and its rotating refresh token) issued to the app for one shop."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="tokens")
    access_token = models.CharField(max_length=128, unique=True)
    refresh_token = models.CharField(max_length=128, blank=True)
    scopes = models.JSONField(default=list)
    expires_at = models.DateTimeField(null=True, blank=True)
    refresh_expires_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Etsy's rate limiting: when the calls of the last second came (unix times), and how many
    # calls each hour of the last day had ({"<unix hour>": count}).
    recent_calls = models.JSONField(default=list)
    calls_per_hour = models.JSONField(default=dict)

    def __str__(self):
        return self.access_token[:12]


class Order(models.Model):
    """An order placed in a demo shop, from its page, as a buyer would."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="orders")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=32, default="paid")  # "pending" awaits payment; "cancelled"
    test = models.BooleanField(default=False)  # placed with Shopify's Bogus Gateway: nothing was paid
    customer = models.JSONField(default=dict)  # name, email
    address = models.JSONField(default=dict)  # first_line, city, zip, country
    currency = models.CharField(max_length=3, default="EUR")
    lines = models.JSONField(default=list)  # [{line_id, product_id, variant_id, sku, title, quantity, price}]
    shipments = models.JSONField(default=list)  # [{carrier, tracking_code, at}]
    notes = models.JSONField(
        default=list
    )  # WooCommerce order notes: [{id, author, date, note, customer_note}]
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["shop", "number"], name="sandbox_order_number_unique")]

    def __str__(self):
        return f"#{self.number}"

    @property
    def total(self):
        return sum(Decimal(line["price"]) * line["quantity"] for line in self.lines)


class PostbackReceiver(models.Model):
    """A place to send postbacks to (Printfront's signed order events): it keeps what it
    receives, and answers as it is told, one scripted answer a postback, then 200."""

    handle = models.SlugField(max_length=64, unique=True)
    # Answers still to give, in order: "500", "410", "hang" (no answer for hang_seconds)...
    script = models.JSONField(default=list, blank=True)
    hang_seconds = models.FloatField(default=3)

    def __str__(self):
        return self.handle


class ReceivedPostback(models.Model):
    receiver = models.ForeignKey(PostbackReceiver, on_delete=models.CASCADE, related_name="received")
    received_at = models.DateTimeField(auto_now_add=True)
    headers = models.JSONField(default=dict)
    body = models.TextField()
    answer = models.CharField(max_length=8)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.message_id} to {self.receiver}"

    @property
    def message_id(self):
        return self.headers.get("webhook-id", "")
