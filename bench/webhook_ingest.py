"""Receiving webhook deliveries: verify the signature, store, answer. WooCommerce-shaped
orders of about 2 KB, through the whole Django stack (test client, no network)."""

import base64
import hashlib
import hmac
import json
import statistics
import time

from django.test import Client as HttpClient
from django.urls import reverse

from connect.models import Client
from integrations.models import WebhookDelivery
from storefronts.models import Store

DELIVERIES = 500


def order(number):
    line = {"id": number * 10, "name": "Classic Tee", "sku": "APP-CT-M-BLACK", "quantity": 2, "price": 24.0}
    return {
        "id": number,
        "status": "processing",
        "date_modified_gmt": "2026-11-27T18:05:13",
        "billing": {"first_name": "Ann", "last_name": "Lee", "address_1": "5 Oak Rd", "city": "Austin"},
        "line_items": [line] * 8,
    }


def run():
    client = Client.objects.create(name="Bench", storefronts_enabled=True)
    store = Store.objects.create(
        client=client,
        platform="woocommerce",
        name="Bench shop",
        shop_identity="https://bench.example",
        webhook_secret="bench0secret0alphanumeric",  # noqa: S106 (a benchmark value)
    )
    url = reverse("hooks:woocommerce", args=[store.code])
    http = HttpClient()
    samples = []
    for number in range(DELIVERIES):
        body = json.dumps(order(number)).encode()
        signature = base64.b64encode(hmac.new(store.webhook_secret.encode(), body, hashlib.sha256).digest())
        start = time.perf_counter()
        response = http.post(
            url,
            body,
            content_type="application/json",
            HTTP_X_WC_WEBHOOK_TOPIC="order.created",
            HTTP_X_WC_WEBHOOK_SIGNATURE=signature.decode(),
        )
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    assert WebhookDelivery.objects.filter(store=store).count() == DELIVERIES
    print(f"BENCH webhook_ingest_rate {DELIVERIES / (sum(samples) / 1000):.0f} deliveries/s")
    print(f"BENCH webhook_ingest_p50 {statistics.median(samples):.2f} ms")
    print(f"BENCH webhook_ingest_p95 {statistics.quantiles(samples, n=20)[18]:.2f} ms")
