"""Pressero's webhook deliveries: the MessageHash header (SHA-1 of the security key and the
raw body) is checked, the delivery stored, deduplicated on its MessageID."""

from core.signing import verify_pressero
from integrations import webhooks
from storefronts.models import Store


@webhooks.receiver(Store.Platform.PRESSERO)
def receive(request, store, body):
    if store.needs_reconnect:
        return webhooks.secret_unreadable(store)
    envelope = webhooks.json_object(body)
    valid = verify_pressero(body, request.headers.get("MessageHash"), store.webhook_secret)
    return webhooks.take(
        store,
        request,
        body,
        topic=str(envelope.get("TypeName", "")),
        signature_valid=valid,
        delivery_key=str(envelope.get("MessageID", "")),
    )
