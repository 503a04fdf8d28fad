"""Shopify's webhook deliveries: the base64 HMAC of the raw body, keyed with the app's secret,
and the shop's domain are checked; the delivery is stored, then handled in the background."""

from django.conf import settings
from django.db.models import F
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

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


PRIVACY_TOPICS = ("customers/data_request", "customers/redact", "shop/redact")


@csrf_exempt
@require_POST
def receive_privacy(request):
    """Shopify's mandatory privacy topics, at the app's one compliance URL (set in the app's
    configuration, not per shop). The shop is found by its domain, connected or not: shop/redact
    comes 48 hours after an uninstall, which disconnected the store."""
    declared = webhooks.declared_size(request)
    if declared > settings.WEBHOOK_MAX_BODY_BYTES:
        return HttpResponse("Payload too large.", status=413, content_type="text/plain; charset=utf-8")
    body = request.read(declared)
    topic = request.headers.get("X-Shopify-Topic", "")
    # Signed by the app's secret before anything else: this URL names no store, so an unsigned
    # request must learn nothing (which shops use Printfront) and leave nothing in any log.
    if not (
        webhook_is_signed(body, request.headers.get("X-Shopify-Hmac-Sha256")) and topic in PRIVACY_TOPICS
    ):
        return HttpResponse("Invalid signature.", status=401, content_type="text/plain; charset=utf-8")
    domain = request.headers.get("X-Shopify-Shop-Domain", "")
    store = (
        Store.objects.filter(platform=Store.Platform.SHOPIFY, shop_identity=domain)
        .order_by(F("connected_at").desc(nulls_last=True), "-id")
        .first()
    )
    if store is None or not domain:
        return HttpResponse("No such shop.", status=404, content_type="text/plain; charset=utf-8")
    webhook_id = request.headers.get("X-Shopify-Webhook-Id", "")
    return webhooks.take(store, request, body, topic=topic, signature_valid=True, delivery_key=webhook_id)
