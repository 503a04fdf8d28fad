"""Where platforms deliver webhooks. The only views without CSRF protection: each proves the
sender with the platform's signature instead."""

from django.urls import path

from .pressero import webhooks as pressero_webhooks
from .shopify import webhooks as shopify_webhooks
from .woocommerce import webhooks as woocommerce_webhooks

app_name = "hooks"

urlpatterns = [
    path("woocommerce/<uuid:code>/", woocommerce_webhooks.receive, name="woocommerce"),
    path("shopify/<uuid:code>/", shopify_webhooks.receive, name="shopify"),
    # Shopify's privacy topics go to one URL for the whole app (its compliance_topics setting).
    path("shopify/privacy/", shopify_webhooks.receive_privacy, name="shopify_privacy"),
    path("pressero/<uuid:code>/", pressero_webhooks.receive, name="pressero"),
]
