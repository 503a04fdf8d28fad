"""Pressero's webhook deliveries: the MessageHash header (SHA-1 of the security key and the
raw body) is checked, the delivery stored, deduplicated on its MessageID."""

import json

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.signing import verify_pressero
from integrations import services
from integrations.models import WebhookDelivery
from storefronts.models import Store


def envelope(body):
    try:
        payload = json.loads(body)
        return str(payload.get("TypeName", "")), str(payload.get("MessageID", ""))
    except (ValueError, AttributeError):
        return "", ""


@csrf_exempt
@require_POST
def receive(request, code):
    store = get_object_or_404(
        Store.objects.exclude(state=Store.State.DISCONNECTED), code=code, platform=Store.Platform.PRESSERO
    )
    body, headers = request.body, services.kept_headers(request)
    topic, message_id = envelope(body)
    valid = verify_pressero(body, request.headers.get("MessageHash"), store.webhook_secret)
    state = WebhookDelivery.State.RECEIVED if valid else WebhookDelivery.State.REJECTED
    services.record_delivery(
        store,
        topic=topic,
        headers=headers,
        body=body,
        signature_valid=valid,
        state=state,
        delivery_key=message_id if valid else "",
    )
    if not valid:
        return HttpResponse("Invalid MessageHash.", status=401)
    return HttpResponse(status=200)
