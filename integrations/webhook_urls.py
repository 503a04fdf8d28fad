"""Where platforms deliver webhooks. The only views without CSRF protection: each proves the
sender with the platform's signature instead."""

from django.urls import path

from .woocommerce import webhooks as woocommerce_webhooks

app_name = "hooks"

urlpatterns = [
    path("woocommerce/<uuid:code>/", woocommerce_webhooks.receive, name="woocommerce"),
]
