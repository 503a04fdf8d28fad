from django.http import JsonResponse
from django.urls import path

from . import pages, shopify, woocommerce

WC = "woocommerce/<slug:handle>/wp-json"
SHOPIFY = "shopify/<str:hostname>/admin"

urlpatterns = [
    path("", pages.index, name="index"),
    path("healthz/", lambda request: JsonResponse({"status": "ok"}), name="health"),
    path("shops/<str:platform>/<slug:handle>/", pages.shop, name="shop"),
    path(f"{SHOPIFY}/oauth/authorize", shopify.authorize, name="shopify_authorize"),
    path(f"{SHOPIFY}/oauth/access_token", shopify.access_token),
    path(f"{SHOPIFY}/api/<str:version>/graphql.json", shopify.graphql),
    path(f"{WC}/", woocommerce.index),
    path(f"{WC}/wc/v3/system_status", woocommerce.system_status),
    path(f"{WC}/wc/v3/products", woocommerce.products),
    path(f"{WC}/wc/v3/products/<int:product_id>/variations", woocommerce.variations),
    path(f"{WC}/wc/v3/webhooks", woocommerce.webhooks),
    path(f"{WC}/wc/v3/webhooks/batch", woocommerce.webhooks_batch),
    path(f"{WC}/wc/v3/webhooks/<int:webhook_id>", woocommerce.webhook),
]
