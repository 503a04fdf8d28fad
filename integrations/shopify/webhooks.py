"""Shopify's webhook deliveries: the base64 HMAC of the raw body, keyed with the app's secret,
and the shop's domain are checked; the delivery is stored, then handled in the background."""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.signing import verify_shopify_webhook
from integrations import services
from integrations.models import WebhookDelivery
from storefronts.models import Store


@csrf_exempt
@require_POST
def receive(request, code):
    store = get_object_or_404(
        Store.objects.exclude(state=Store.State.DISCONNECTED), code=code, platform=Store.Platform.SHOPIFY
    )
    body, headers = request.body, services.kept_headers(request)
    topic = request.headers.get("X-Shopify-Topic", "")
    valid = (
        verify_shopify_webhook(
            body, request.headers.get("X-Shopify-Hmac-Sha256"), settings.SHOPIFY_API_SECRET
        )
        and request.headers.get("X-Shopify-Shop-Domain") == store.shop_identity
    )
    if not valid:
        services.record_delivery(
            store,
            topic=topic,
            headers=headers,
            body=body,
            signature_valid=False,
            state=WebhookDelivery.State.REJECTED,
        )
        return HttpResponse("Invalid signature.", status=401)
    # Shopify's own advice on deduplication moved from Event-Id to Webhook-Id; either will do.
    key = request.headers.get("X-Shopify-Event-Id") or request.headers.get("X-Shopify-Webhook-Id", "")
    delivery, created = services.record_delivery(
        store,
        topic=topic,
        headers=headers,
        body=body,
        signature_valid=True,
        state=WebhookDelivery.State.RECEIVED,
        delivery_key=f"{topic}:{key}" if key else "",
    )
    if created:
        services.enqueue_processing(delivery)
    return HttpResponse(status=200)
