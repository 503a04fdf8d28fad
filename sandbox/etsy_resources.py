"""The Etsy emulator's resources in the shapes of Etsy's OpenAPI document: every field of Shop,
User, ShopListing (with its associations), ListingImage, ListingInventory and ShopReceipt with
its transactions. Etsy sends every field, null where it has no value; associations a client did
not ask for with `includes` are null (etsy/open-api issue #559)."""

import zlib
from datetime import timedelta
from decimal import Decimal

from django.conf import settings

STATES = {"active": "active", "draft": "draft", "archived": "inactive"}
RECEIPT_ID_BASE = 3000000000  # Etsy's receipt ids are large; ours are order ids above this
TRANSACTION_ID_BASE = 4000000000
BUYER_USER_ID_BASE = 80000000
CUSTOM_PROPERTY_ID = 513  # Etsy's first custom variation property (514 the second)
PROCESSING_DAYS = (1, 3)
LISTING_LIFETIME = timedelta(days=120)  # a listing is renewed every four months
SWATCH = "2E6F95"  # the colour of the demo images


def user_id(shop):
    return 70000000 + shop.id


def shop_id(shop):
    return 30000000 + shop.id


def shipping_profile_id(shop):
    return 90000000 + shop.id


def stamp(moment):
    return int(moment.timestamp())


def money(amount, currency="EUR"):
    return {"amount": int(Decimal(amount) * 100), "divisor": 100, "currency_code": currency}


def value_id(value):
    """A stable id for a variation value (Etsy's value_ids are positive integers)."""
    return zlib.crc32(value.encode()) or 1


def shop_json(shop):
    created = stamp(shop.products.order_by("id").values_list("created_at", flat=True).first())
    active = shop.products.filter(status="active").count()
    return {
        "shop_id": shop_id(shop),
        "user_id": user_id(shop),
        "shop_name": shop.name.replace(" ", "").replace("&", "And"),
        "create_date": created,
        "created_timestamp": created,
        "title": shop.name,
        "announcement": None,
        "currency_code": "EUR",
        "is_vacation": False,
        "vacation_message": None,
        "sale_message": None,
        "digital_sale_message": None,
        "update_date": created,
        "updated_timestamp": created,
        "listing_active_count": active,
        "digital_listing_count": 0,
        "login_name": shop.handle,
        "accepts_custom_requests": False,
        "policy_welcome": None,
        "policy_payment": None,
        "policy_shipping": None,
        "policy_refunds": None,
        "policy_additional": None,
        "policy_seller_info": None,
        "policy_update_date": created,
        "policy_has_private_receipt_info": False,
        "has_unstructured_policies": False,
        "policy_privacy": None,
        "vacation_autoreply": None,
        "url": f"{settings.SANDBOX_URL}/shops/etsy/{shop.handle}/",
        "image_url_760x100": None,
        "num_favorers": 0,
        "languages": ["en-US"],
        "icon_url_fullxfull": None,
        "is_using_structured_policies": True,
        "has_onboarded_structured_policies": True,
        "include_dispute_form_link": False,
        "is_direct_checkout_onboarded": True,
        "is_etsy_payments_onboarded": True,
        "is_calculated_eligible": False,
        "is_opted_in_to_buyer_promise": False,
        "is_shop_us_based": False,
        "transaction_sold_count": shop.orders.count(),
        "shipping_from_country_iso": "NL",
        "shop_location_country_iso": "NL",
        "review_count": 0,
        "review_average": None,
    }


def owner_json(shop):
    first, _, last = shop.name.partition(" ")
    return {
        "user_id": user_id(shop),
        "primary_email": None,
        "first_name": first,
        "last_name": last,
        "image_url_75x75": None,
    }


def shipping_profile_json(shop):
    profile_id = shipping_profile_id(shop)
    return {
        "shipping_profile_id": profile_id,
        "title": "Standard shipping",
        "user_id": user_id(shop),
        "min_processing_days": PROCESSING_DAYS[0],
        "max_processing_days": PROCESSING_DAYS[1],
        "processing_days_display_label": f"{PROCESSING_DAYS[0]}-{PROCESSING_DAYS[1]} business days",
        "origin_country_iso": "NL",
        "is_deleted": False,
        "shipping_profile_destinations": [
            {
                "shipping_profile_destination_id": profile_id * 10 + 1,
                "shipping_profile_id": profile_id,
                "origin_country_iso": "NL",
                "destination_country_iso": "",
                "destination_region": "eu",
                "primary_cost": money("4.95"),
                "secondary_cost": money("1.00"),
                "shipping_carrier_id": None,
                "mail_class": None,
                "min_delivery_days": 2,
                "max_delivery_days": 5,
            }
        ],
        "shipping_profile_upgrades": [],
        "origin_postal_code": "3511 AB",
        "profile_type": "manual",
        "domestic_handling_fee": 0.0,
        "international_handling_fee": 0.0,
    }


def image_id(listing_id):
    return listing_id * 10 + 1  # one image per listing


def image_url(product, size):
    return f"{settings.SANDBOX_URL}/etsy/images/{image_id(product.id)}/il_{size}.svg"


def images_json(product):
    created = stamp(product.created_at)
    return [
        {
            "listing_id": product.id,
            "listing_image_id": image_id(product.id),
            "hex_code": SWATCH,
            "red": int(SWATCH[0:2], 16),
            "green": int(SWATCH[2:4], 16),
            "blue": int(SWATCH[4:6], 16),
            "hue": 203,
            "saturation": 52,
            "brightness": 58,
            "is_black_and_white": False,
            "creation_tsz": created,
            "created_timestamp": created,
            "rank": 1,
            "url_75x75": image_url(product, "75x75"),
            "url_170x135": image_url(product, "170x135"),
            "url_570xN": image_url(product, "570xN"),
            "url_fullxfull": image_url(product, "fullxfull"),
            "full_height": 1000,
            "full_width": 1000,
            "alt_text": product.title,
        }
    ]


def property_values(names, values):
    return [
        {
            "property_id": CUSTOM_PROPERTY_ID + i,
            "property_name": name,
            "scale_id": None,
            "scale_name": None,
            "value_ids": [value_id(value)],
            "values": [value],
        }
        for i, (name, value) in enumerate(zip(names, values, strict=False))
    ]


def inventory_json(product):
    variants = list(product.variants.all())
    return {
        "products": [
            {
                "product_id": variant.id,
                "sku": variant.sku,
                "is_deleted": False,
                "offerings": [
                    {
                        "offering_id": variant.id * 10,
                        "quantity": 999,
                        "is_enabled": True,
                        "is_deleted": False,
                        "price": money(variant.price),
                    }
                ],
                "property_values": property_values(product.option_names, variant.options),
            }
            for variant in variants
        ],
        "price_on_property": [],
        "quantity_on_property": [],
        "sku_on_property": [CUSTOM_PROPERTY_ID + i for i in range(len(product.option_names))],
    }


# What each listing `includes` value adds, under which field.
ASSOCIATIONS = {
    "Shipping": ("shipping_profile", lambda shop, product: shipping_profile_json(shop)),
    "Images": ("images", lambda shop, product: images_json(product)),
    "Shop": ("shop", lambda shop, product: shop_json(shop)),
    "User": ("user", lambda shop, product: owner_json(shop)),
    "Translations": ("translations", lambda shop, product: []),
    "Inventory": ("inventory", lambda shop, product: inventory_json(product)),
    "Videos": ("videos", lambda shop, product: []),
}


# ShopListing is ShopListingWithAssociations without these; getListingInventory's includes=Listing
# gives the plain one.
NOT_IN_PLAIN_LISTING = (
    "production_partners",
    "skus",
    "views",
    *(field for field, _ in ASSOCIATIONS.values()),
)


def plain_listing_json(shop, product):
    listing = listing_json(shop, product)
    for field in NOT_IN_PLAIN_LISTING:
        del listing[field]
    return listing


def listing_json(shop, product, includes=()):
    variants = list(product.variants.all())
    created, updated = stamp(product.created_at), stamp(product.updated_at)
    listing = {
        "listing_id": product.id,
        "user_id": user_id(shop),
        "shop_id": shop_id(shop),
        "title": product.title,
        "description": f"{product.title}, printed to order by {shop.name}.",
        "state": STATES[product.status],
        "creation_timestamp": created,
        "created_timestamp": created,
        "ending_timestamp": stamp(product.updated_at + LISTING_LIFETIME),
        "original_creation_timestamp": created,
        "last_modified_timestamp": updated,
        "updated_timestamp": updated,
        "state_timestamp": updated,
        "quantity": 999 * len(variants),
        "shop_section_id": None,
        "featured_rank": -1,
        "url": f"{settings.SANDBOX_URL}/shops/etsy/{shop.handle}/#listing-{product.id}",
        "num_favorers": 0,
        "non_taxable": False,
        "is_taxable": True,
        "is_customizable": False,
        "is_personalizable": False,
        "personalization_is_required": False,
        "personalization_char_count_max": None,
        "personalization_instructions": None,
        "listing_type": "physical",
        "tags": [product.product_type.lower()] if product.product_type else [],
        "materials": [],
        "shipping_profile_id": shipping_profile_id(shop),
        "return_policy_id": None,
        "processing_min": PROCESSING_DAYS[0],
        "processing_max": PROCESSING_DAYS[1],
        "who_made": "i_did",
        "when_made": "made_to_order",
        "is_supply": False,
        "item_weight": None,
        "item_weight_unit": None,
        "item_length": None,
        "item_width": None,
        "item_height": None,
        "item_dimensions_unit": None,
        "is_private": False,
        "style": [],
        "file_data": "",
        "has_variations": bool(product.option_names),
        "should_auto_renew": True,
        "language": "en-US",
        "price": money(min(v.price for v in variants)),
        "taxonomy_id": None,
        "production_partners": [],
        "skus": [v.sku for v in variants],
        "views": 0,
    }
    for name, (field, build) in ASSOCIATIONS.items():
        listing[field] = build(shop, product) if name in includes else None
    return listing


def transaction_json(shop, order, line, option_names):
    created = stamp(order.created_at)
    shipped = order.shipments[0]["shipment_notification_timestamp"] if order.shipments else None
    chosen = property_values(option_names, line["options"])
    return {
        "transaction_id": TRANSACTION_ID_BASE + order.id * 100 + line["line_id"],
        "title": line["title"],
        "description": None,
        "seller_user_id": user_id(shop),
        "buyer_user_id": BUYER_USER_ID_BASE + order.id,
        "create_timestamp": created,
        "created_timestamp": created,
        "paid_timestamp": created,
        "shipped_timestamp": shipped,
        "quantity": line["quantity"],
        "listing_image_id": image_id(line["product_id"]),
        "receipt_id": RECEIPT_ID_BASE + order.id,
        "is_digital": False,
        "file_data": "",
        "listing_id": line["product_id"],
        "transaction_type": "listing",
        "product_id": line["variant_id"],
        "sku": line["sku"],
        "price": money(line["price"]),
        "shipping_cost": money(0),
        "variations": [
            {
                "property_id": value["property_id"],
                "value_id": value["value_ids"][0],
                "formatted_name": value["property_name"],
                "formatted_value": value["values"][0],
            }
            for value in chosen
        ],
        "product_data": chosen,
        "shipping_profile_id": shipping_profile_id(shop),
        "min_processing_days": PROCESSING_DAYS[0],
        "max_processing_days": PROCESSING_DAYS[1],
        "shipping_method": None,
        "shipping_upgrade": None,
        "expected_ship_date": stamp(order.created_at + timedelta(days=PROCESSING_DAYS[1])),
        "buyer_coupon": 0.0,
        "shop_coupon": 0.0,
    }


def receipt_status(order):
    if order.status in ("canceled", "cancelled"):
        return "canceled"
    return "completed" if order.shipments else "paid"


def receipt_json(shop, order):
    created, updated = stamp(order.created_at), stamp(order.updated_at)
    address = order.address
    name = order.customer.get("name") or ""
    option_names = dict(
        shop.products.filter(id__in=[line["product_id"] for line in order.lines]).values_list(
            "id", "option_names"
        )
    )
    total = money(order.total, order.currency)
    nothing = money(0, order.currency)
    return {
        "receipt_id": RECEIPT_ID_BASE + order.id,
        "receipt_type": 0,
        "seller_user_id": user_id(shop),
        "seller_email": None,
        "buyer_user_id": BUYER_USER_ID_BASE + order.id,
        "buyer_email": None,  # only with the email_r scope and the buyer's consent
        "name": name,
        "first_line": address["first_line"],
        "second_line": None,
        "city": address["city"],
        "state": None,
        "zip": address["zip"],
        "status": receipt_status(order),
        "formatted_address": "\n".join(
            [name, address["first_line"], f"{address['zip']} {address['city']}", address["country"]]
        ),
        "country_iso": address["country"],
        "payment_method": "cc",
        "payment_email": "",
        "message_from_seller": None,
        "message_from_buyer": None,
        "message_from_payment": None,
        "is_paid": order.status not in ("canceled", "cancelled", "pending"),
        "is_shipped": bool(order.shipments),
        "create_timestamp": created,
        "created_timestamp": created,
        "update_timestamp": updated,
        "updated_timestamp": updated,
        "is_gift": False,
        "gift_message": "",
        "grandtotal": total,
        "subtotal": total,
        "total_price": total,
        "total_shipping_cost": nothing,
        "total_tax_cost": nothing,
        "total_vat_cost": nothing,
        "discount_amt": nothing,
        "gift_wrap_price": nothing,
        "shipments": order.shipments,
        "transactions": [
            transaction_json(shop, order, line, option_names.get(line["product_id"], []))
            for line in order.lines
        ],
        "refunds": [],
    }
