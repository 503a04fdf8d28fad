"""Shopify's webhook deliveries: the base64 HMAC of the raw body, keyed with the app's secret,
and the shop's domain are checked; the delivery is stored, then handled in the background."""

from integrations import webhooks
from storefronts.models import Store

from .signatures import webhook_is_signed


@webhooks.receiver(Store.Platform.SHOPIFY, topic_header="X-Shopify-Topic")
def receive(request, store, body):
    topic = request.headers.get("X-Shopify-Topic", "")
    valid = (
        webhook_is_signed(body, request.headers.get("X-Shopify-Hmac-Sha256"))
        and request.headers.get("X-Shopify-Shop-Domain") == store.shop_identity
    )
    # Webhook-Id names one delivery and its retries (Event-Id is shared by every delivery of one
    # merchant action). It is not signed, so the inbox also knows a repeat by its signed body.
    webhook_id = request.headers.get("X-Shopify-Webhook-Id", "")
    return webhooks.take(store, request, body, topic=topic, signature_valid=valid, delivery_key=webhook_id)
