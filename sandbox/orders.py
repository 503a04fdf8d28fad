"""Placing an order in a demo shop, and telling the app about it as each platform would:
Shopify and WooCommerce deliver signed webhooks, Pressero posts its OrderPlaced envelope with a
MessageHash, Etsy sends nothing and waits to be polled."""

import hashlib
import json
import uuid

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from . import delivery, shopify, woocommerce
from .demo_keys import PRESSERO_SUBSCRIBER_ID
from .models import Order, Shop, Variant

DEMO_ADDRESS = {"first_line": "9 Elm Street", "city": "Utrecht", "zip": "3511 AB", "country": "NL"}


@transaction.atomic
def place_order(shop, items, customer, *, paid=True, test=False):
    """`items`: [(variant, quantity)]. Returns the order, after notifying the app. An unpaid
    order awaits payment ("pending"); a test order is one paid with Shopify's Bogus Gateway."""
    last = shop.orders.aggregate(last=Max("number"))["last"] or 1000
    lines = [
        {
            "line_id": index + 1,
            "product_id": variant.product_id,
            "variant_id": variant.id,
            "sku": variant.sku,
            "title": variant.product.title,
            "options": variant.options,
            "option_names": variant.product.option_names,
            "quantity": quantity,
            "price": str(variant.price),
        }
        for index, (variant, quantity) in enumerate(items)
    ]
    order = Order.objects.create(
        shop=shop,
        number=last + 1,
        customer=customer,
        address=DEMO_ADDRESS,
        lines=lines,
        status="paid" if paid else "pending",
        test=test,
    )
    transaction.on_commit(lambda: NOTIFY[shop.platform](shop, order))
    return order


@transaction.atomic
def change_order(order, status):
    """The merchant marks the order paid ("paid") or cancels it ("cancelled"); the shop tells
    the app as its platform does (Etsy: nothing, the receipt's update time moves)."""
    order.status = status
    order.save(update_fields=["status", "updated_at"])
    transaction.on_commit(lambda: NOTIFY_CHANGE[order.shop.platform](order.shop, order))
    return order


def demo_variant(shop, sku=None):
    variants = Variant.objects.filter(product__shop=shop, product__status="active").select_related("product")
    return (variants.filter(sku=sku) if sku else variants).order_by("id").first()


# --- Shopify: REST-shaped order JSON, as webhooks still carry ----------------------------------


def shopify_order(order):
    shop = order.shop
    return {
        "id": shopify.legacy_id("Order", order.id),
        "admin_graphql_api_id": shopify.gid("Order", order.id),
        "name": f"#{order.number}",
        "order_number": order.number,
        "email": order.customer.get("email"),
        "created_at": order.created_at.isoformat(),
        "updated_at": order.updated_at.isoformat(),
        "currency": order.currency,
        "financial_status": "pending" if order.status == "pending" else "paid",
        "cancelled_at": order.updated_at.isoformat() if order.status == "cancelled" else None,
        "cancel_reason": "customer" if order.status == "cancelled" else None,
        "fulfillment_status": None,
        "total_price": str(order.total),
        "shipping_address": {
            "name": order.customer.get("name"),
            "address1": order.address["first_line"],
            "city": order.address["city"],
            "zip": order.address["zip"],
            "country_code": order.address["country"],
        },
        "line_items": [
            {
                "id": shopify.legacy_id("LineItem", shopify.line_pk(order, line)),
                "admin_graphql_api_id": shopify.gid("LineItem", shopify.line_pk(order, line)),
                "product_id": shopify.legacy_id("Product", line["product_id"]),
                "variant_id": shopify.legacy_id("ProductVariant", line["variant_id"]),
                "sku": line["sku"],
                "title": line["title"],
                "variant_title": " / ".join(line["options"]),
                "quantity": line["quantity"],
                "price": line["price"],
                "properties": line.get("properties", []),
            }
            for line in order.lines
        ],
        "source_name": "web",
        "tags": "",
        "note": None,
        "test": order.test,
        "shop_domain": shop.handle + shopify.DOMAIN,
    }


def notify_shopify(shop, order, topics=("orders/create",)):
    body = json.dumps(shopify_order(order)).encode()
    for topic in topics:
        for hook in shop.webhooks.filter(topic=topic.upper().replace("/", "_")):
            shopify.send_webhook(shop, hook, topic, body)


def notify_shopify_change(shop, order):
    """Shopify sends orders/cancelled for a cancellation, and orders/updated for any change."""
    topics = ("orders/cancelled", "orders/updated") if order.status == "cancelled" else ("orders/updated",)
    notify_shopify(shop, order, topics)


# --- Pressero: the OrderPlaced envelope and its MessageHash ---------------------------------------


def pressero_envelope(order):
    site_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"pressero:{order.shop.handle}"))
    return {
        "Type": 10,
        "TypeName": "OrderPlaced",
        "Timestamp": timezone.now().isoformat(),
        "SubscriberId": PRESSERO_SUBSCRIBER_ID,
        "SiteId": site_id,
        "MessageID": str(uuid.uuid4()),
        "Data": {
            "OrderId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"pressero-order:{order.id}")),
            "OrderNumber": order.number,
            "OrderItemSeq": 0,
            "SiteId": site_id,
            "OrderDate": order.created_at.isoformat(),
        },
    }


def notify_pressero(shop, order):
    body = json.dumps(pressero_envelope(order)).encode()
    for hook in shop.webhooks.filter(topic="OrderPlaced"):
        message_hash = hashlib.sha1(hook.secret.encode() + body).hexdigest()  # noqa: S324 (Pressero's rule)
        headers = {"Content-Type": "application/json", "MessageHash": message_hash}
        delivery.send(shop, "OrderPlaced", hook.delivery_url, body, headers)


NOTIFY = {
    Shop.Platform.SHOPIFY: notify_shopify,
    Shop.Platform.WOOCOMMERCE: woocommerce.notify_order,
    Shop.Platform.PRESSERO: notify_pressero,
    Shop.Platform.ETSY: lambda shop, order: None,  # Etsy is polled for receipts
}
NOTIFY_CHANGE = {
    Shop.Platform.SHOPIFY: notify_shopify_change,
    Shop.Platform.WOOCOMMERCE: lambda shop, order: woocommerce.notify_order(shop, order, "order.updated"),
    Shop.Platform.PRESSERO: lambda shop, order: None,  # the sandbox sends only OrderPlaced
    Shop.Platform.ETSY: lambda shop, order: None,
}
