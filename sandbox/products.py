"""A merchant changing or deleting a product in a demo shop, and the shop telling the app as
each platform does: Shopify delivers products/update (the REST product JSON) and
products/delete ({"id"}), WooCommerce product.updated (the product's wc/v3 JSON) and
product.deleted ({"id"}), each signed as the platform signs; Etsy sends nothing, the listing's
updated_timestamp moves and an app finds it when it asks."""

import json

from django.db import transaction

from . import shopify, woocommerce
from .models import Product, Shop, Variant

SHOPIFY_STATUS = {"active": "active", "draft": "draft", "archived": "archived"}


def rest_time(moment):
    """Shopify's REST timestamps: ISO 8601 with the shop's offset (UTC here), seconds."""
    return moment.replace(microsecond=0).isoformat()


def shopify_product(product):
    """A product as Shopify's REST Admin API (and so its products/* webhooks) writes it."""
    variants = list(product.variants.all())
    product_id = shopify.legacy_id("Product", product.id)
    return {
        "id": product_id,
        "title": product.title,
        "body_html": "",
        "vendor": product.shop.name,
        "product_type": product.product_type,
        "created_at": rest_time(product.created_at),
        "handle": product.title.lower().replace(" ", "-"),
        "updated_at": rest_time(product.updated_at),
        "published_at": rest_time(product.created_at) if product.status == "active" else None,
        "template_suffix": None,
        "published_scope": "global",
        "tags": "",
        "status": SHOPIFY_STATUS[product.status],
        "admin_graphql_api_id": shopify.gid("Product", product.id),
        "variants": [
            {
                "id": shopify.legacy_id("ProductVariant", variant.id),
                "product_id": product_id,
                "title": " / ".join(variant.options) or "Default Title",
                "price": str(variant.price),
                "sku": variant.sku,
                "position": position,
                "inventory_policy": "deny",
                "compare_at_price": None,
                "option1": (variant.options or ["Default Title"])[0],
                "option2": variant.options[1] if len(variant.options) > 1 else None,
                "option3": variant.options[2] if len(variant.options) > 2 else None,
                "created_at": rest_time(product.created_at),
                "updated_at": rest_time(product.updated_at),
                "taxable": True,
                "barcode": None,
                "inventory_quantity": 999,
                "admin_graphql_api_id": shopify.gid("ProductVariant", variant.id),
            }
            for position, variant in enumerate(variants, start=1)
        ],
        "options": [
            {
                "id": shopify.legacy_id("ProductOption", product.id * 100 + index),
                "product_id": product_id,
                "name": name,
                "position": index + 1,
                "values": list(dict.fromkeys(v.options[index] for v in variants)),
            }
            for index, name in enumerate(product.option_names or [])
        ]
        or [
            {
                "id": shopify.legacy_id("ProductOption", product.id * 100),
                "product_id": product_id,
                "name": "Title",
                "position": 1,
                "values": ["Default Title"],
            }
        ],
        "images": [],
        "image": None,
    }


def notify_updated(shop, product):
    if shop.platform == Shop.Platform.SHOPIFY:
        body = json.dumps(shopify_product(product)).encode()
        for hook in shop.webhooks.filter(topic="PRODUCTS_UPDATE"):
            shopify.send_webhook(shop, hook, "products/update", body)
    elif shop.platform == Shop.Platform.WOOCOMMERCE:
        woocommerce.notify(shop, "product.updated", woocommerce.product_json(shop, product))


def notify_deleted(shop, product_id):
    if shop.platform == Shop.Platform.SHOPIFY:
        body = json.dumps({"id": shopify.legacy_id("Product", product_id)}).encode()
        for hook in shop.webhooks.filter(topic="PRODUCTS_DELETE"):
            shopify.send_webhook(shop, hook, "products/delete", body)
    elif shop.platform == Shop.Platform.WOOCOMMERCE:
        woocommerce.notify(shop, "product.deleted", {"id": product_id})


@transaction.atomic
def add_product(shop, title, sizes, price):
    """A new product with one variant per size (none: a product without options). Shops that
    send products/create would: Printfront does not subscribe to it, so nothing is sent."""
    product = Product.objects.create(
        shop=shop, title=title, product_type="Poster", option_names=["Size"] if sizes else []
    )
    Variant.objects.bulk_create(
        Variant(
            product=product,
            sku=f"NEW-{product.id}-{size or 'ONE'}",
            price=price,
            options=[size] if size else [],
        )
        for size in sizes or [""]
    )
    return product


@transaction.atomic
def change_product(product, *, title, status):
    product.title, product.status = title, status
    product.save()  # updated_at moves, as the platforms' do
    transaction.on_commit(lambda: notify_updated(product.shop, product))
    return product


@transaction.atomic
def delete_product(product):
    shop, product_id = product.shop, product.id
    product.delete()
    transaction.on_commit(lambda: notify_deleted(shop, product_id))
