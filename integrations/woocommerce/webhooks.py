"""WooCommerce's webhook deliveries: verify the signature on the raw body, store, answer."""

import re

from django.http import HttpResponse

from core.signing import verify_woocommerce_webhook
from integrations import services, webhooks
from integrations.models import WebhookDelivery
from storefronts.models import Store

PING = re.compile(rb"^webhook_id=\d+$")


@webhooks.receiver(Store.Platform.WOOCOMMERCE, topic_header="X-WC-Webhook-Topic")
def receive(request, store, body):
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
    valid = verify_woocommerce_webhook(body, signature, store.webhook_secret)
    # No delivery key: WooCommerce's delivery id is not unique, and its order id with
    # date_modified_gmt would merge two edits made in one second. A repeat is the same bytes,
    # which the body digest finds.
    return webhooks.take(store, request, body, topic=topic, signature_valid=valid)
