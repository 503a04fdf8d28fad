"""WooCommerce's webhook deliveries: verify the signature on the raw body, store, answer."""

import json
import re

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.signing import verify_woocommerce_webhook
from integrations import services, webhooks
from integrations.models import WebhookDelivery
from storefronts.models import Store

PING = re.compile(rb"^webhook_id=\d+$")
TOPICS = ("order.created", "order.updated")


def delivery_key(topic, body):
    """WooCommerce's delivery id is not unique; what identifies a delivery is the resource
    and its modification time."""
    try:
        payload = json.loads(body)
        return f"{topic}:{payload['id']}:{payload['date_modified_gmt']}"
    except (ValueError, KeyError, TypeError):
        return ""


@csrf_exempt
@require_POST
@webhooks.answers_plainly
def receive(request, code):
    store = webhooks.receiving_store(code, Store.Platform.WOOCOMMERCE)
    body = request.body
    signature = request.headers.get("X-WC-Webhook-Signature")
    if signature is None and PING.match(body):
        # Sent, unsigned, when a webhook is created; WooCommerce wants exactly 200.
        services.record_delivery(
            store,
            topic="ping",
            headers=services.kept_headers(request),
            body=body,
            signature_valid=False,
            state=WebhookDelivery.State.IGNORED,
        )
        return HttpResponse(status=200)
    if store.needs_reconnect:
        return webhooks.secret_unreadable(store)
    topic = request.headers.get("X-WC-Webhook-Topic", "")
    return webhooks.take(
        store,
        request,
        topic=topic,
        signature_valid=verify_woocommerce_webhook(body, signature, store.webhook_secret),
        delivery_key=delivery_key(topic, body),
    )
