"""Pressero's webhook deliveries: the MessageHash header (SHA-1 of the security key and the
raw body) is checked, the delivery stored, deduplicated on its MessageID."""

import json

from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.signing import verify_pressero
from integrations import webhooks
from storefronts.models import Store


def envelope(body):
    try:
        payload = json.loads(body)
        return str(payload.get("TypeName", "")), str(payload.get("MessageID", ""))
    except (ValueError, AttributeError):
        return "", ""


@csrf_exempt
@require_POST
@webhooks.answers_plainly
def receive(request, code):
    store = webhooks.receiving_store(code, Store.Platform.PRESSERO)
    if store.needs_reconnect:
        return webhooks.secret_unreadable(store)
    topic, message_id = envelope(request.body)
    valid = verify_pressero(request.body, request.headers.get("MessageHash"), store.webhook_secret)
    return webhooks.take(store, request, topic=topic, signature_valid=valid, delivery_key=message_id)
