"""Shopify's webhook deliveries: the base64 HMAC of the raw body, keyed with the app's secret,
and the shop's domain are checked; the delivery is stored, then handled in the background."""

from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from integrations import webhooks
from storefronts.models import Store

from .signatures import webhook_is_signed


@csrf_exempt
@require_POST
@webhooks.answers_plainly
def receive(request, code):
    store = webhooks.receiving_store(code, Store.Platform.SHOPIFY)
    topic = request.headers.get("X-Shopify-Topic", "")
    valid = (
        webhook_is_signed(request.body, request.headers.get("X-Shopify-Hmac-Sha256"))
        and request.headers.get("X-Shopify-Shop-Domain") == store.shop_identity
    )
    # Shopify's own advice on deduplication moved from Event-Id to Webhook-Id; either will do.
    key = request.headers.get("X-Shopify-Event-Id") or request.headers.get("X-Shopify-Webhook-Id", "")
    return webhooks.take(
        store, request, topic=topic, signature_valid=valid, delivery_key=f"{topic}:{key}" if key else ""
    )
