"""A WooCommerce store with mapped variants, and its signed order deliveries as WooCommerce
sends them (the REST order as body, base64 HMAC-SHA256 of the raw body with the store's
webhook secret): what the fault runs and the order benchmarks feed through real HTTP."""

import base64
import hashlib
import hmac
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import requests

CREATED = "2026-11-30T10:00:00"
UPDATED = "2026-11-30T10:05:00"
VARIANTS = ("7001", "7002", "7003")
LINES = 2


def seed_store(name):
    """A client's connected WooCommerce store whose VARIANTS are mapped to catalog variants."""
    from catalog.models import CatalogVariant, ProductMapping, StoreProduct, StoreVariant
    from catalog.seed import seed_catalog
    from connect.models import Client
    from storefronts.models import Store

    if not CatalogVariant.objects.exists():
        seed_catalog()
    client, _ = Client.objects.get_or_create(name="Load Test Ltd", defaults={"storefronts_enabled": True})
    store = Store.objects.create(
        client=client,
        platform=Store.Platform.WOOCOMMERCE,
        name=name,
        shop_identity=f"https://{name}.example",
        state=Store.State.CONNECTED,
        webhook_secret=f"{name}0secret0alphanumeric",
    )
    catalog_variants = list(CatalogVariant.objects.order_by("id")[: len(VARIANTS)])
    for external_id, catalog_variant in zip(VARIANTS, catalog_variants, strict=True):
        product = StoreProduct.objects.create(store=store, external_id=f"P{external_id}", title="Poster")
        variant = StoreVariant.objects.create(
            store=store, product=product, external_id=external_id, sku="P-A4"
        )
        ProductMapping.objects.create(store=store, variant=variant, catalog_variant=catalog_variant)
    return store


def order_body(number, *, modified=CREATED, customer="Ann Lee", quantities=(1, 2)):
    """WooCommerce's REST order (the body of its order.* webhooks), of LINES mapped lines."""
    first, _, last = customer.partition(" ")
    address = {"first_name": first, "last_name": last, "address_1": "5 Oak Rd", "city": "Austin"}
    lines = [
        {
            "id": number * 10 + index,
            "name": "Poster",
            "product_id": int(f"9{VARIANTS[index]}"),
            "variation_id": int(VARIANTS[index]),
            "quantity": quantity,
            "sku": "P-A4",
            "price": 12.5,
        }
        for index, quantity in enumerate(quantities[:LINES])
    ]
    total = sum(line["quantity"] * line["price"] for line in lines)
    order = {
        "id": number,
        "number": str(number),
        "status": "processing",
        "currency": "EUR",
        "total": f"{total:.2f}",
        "date_created_gmt": CREATED,
        "date_modified_gmt": modified,
        "billing": {**address, "postcode": "78701", "country": "US", "email": "ann@example.com"},
        "shipping": {**address, "postcode": "78701", "country": "US"},
        "line_items": lines,
    }
    return json.dumps(order).encode()


class Sender:
    """Signed WooCommerce deliveries to one store over HTTP, from a pool of threads each with
    its own keep-alive connection. Records which deliveries were answered 2xx."""

    def __init__(self, base_url, store, threads=16):
        from django.urls import reverse

        self.url = base_url + reverse("hooks:woocommerce", args=[store.code])
        self.secret = store.webhook_secret.encode()
        self.pool = ThreadPoolExecutor(threads)
        self.local = threading.local()
        self.lock = threading.Lock()
        self.answers = {}  # order number -> list of statuses (None: no answer)

    def headers(self, body, topic):
        signature = base64.b64encode(hmac.new(self.secret, body, hashlib.sha256).digest()).decode()
        return {
            "Content-Type": "application/json",
            "X-WC-Webhook-Topic": topic,
            "X-WC-Webhook-Signature": signature,
        }

    def send(self, number, body, topic="order.created"):
        session = getattr(self.local, "session", None) or requests.Session()
        self.local.session = session
        try:
            status = session.post(
                self.url, data=body, headers=self.headers(body, topic), timeout=10
            ).status_code
        except requests.RequestException:
            status = None
        with self.lock:
            self.answers.setdefault(number, []).append(status)
        return status

    def submit(self, function, *args):
        return self.pool.submit(function, *args)

    def acknowledged(self):
        """Orders every delivery of which was answered 2xx."""
        return {
            number for number, statuses in self.answers.items() if all(s and 200 <= s < 300 for s in statuses)
        }

    def close(self):
        self.pool.shutdown(wait=True)
