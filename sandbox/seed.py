"""The demo shops: one per platform, with a realistic print catalogue. Safe to run again."""

from decimal import Decimal

from django.db import transaction

from .demo_keys import WOOCOMMERCE_KEYS, woocommerce_key
from .models import ApiKey, Product, Shop, Variant

SHOPS = [
    ("shopify", "demo-apparel", "Demo Apparel Co."),
    ("woocommerce", "demo-posters", "Demo Posters"),
    ("etsy", "demo-mugs", "Demo Mugs & Gifts"),
    ("pressero", "demo-b2b", "Demo B2B Print Portal"),
]
SIZES = ["S", "M", "L", "XL"]

# title, product type, status, option names, option values per option, price
CATALOGUE = [
    (
        "Classic Tee",
        "T-Shirt",
        "active",
        ["Size", "Colour"],
        [SIZES, ["Black", "White", "Heather Grey"]],
        "24.00",
    ),
    ("Pullover Hoodie", "Hoodie", "active", ["Size", "Colour"], [SIZES, ["Black", "Navy"]], "49.00"),
    ("Kids Tee", "T-Shirt", "active", ["Size", "Colour"], [["XS", "S", "M"], ["Red", "Royal Blue"]], "18.00"),
    ("Art Print Poster", "Poster", "active", ["Size"], [["A4", "A3", "A2"]], "15.00"),
    (
        "Framed Poster",
        "Poster",
        "active",
        ["Size", "Frame"],
        [["30x40 cm", "50x70 cm"], ["Black", "Oak"]],
        "59.00",
    ),
    ("Ceramic Mug 11oz", "Mug", "active", ["Colour"], [["White", "Black"]], "14.00"),
    ("Travel Mug", "Mug", "active", [], [], "22.00"),
    ("Tote Bag", "Bag", "active", ["Colour"], [["Natural", "Black"]], "16.00"),
    ("Canvas Print", "Canvas", "active", ["Size"], [["20x20 cm", "40x40 cm", "60x60 cm"]], "35.00"),
    (
        "Business Cards",
        "Cards",
        "active",
        ["Quantity", "Paper", "Finish"],
        [
            ["100", "250", "500", "1000", "2500"],
            ["Matte 350g", "Gloss 350g", "Linen 300g"],
            ["None", "Rounded", "Spot UV"],
        ],
        "19.00",
    ),
    ("Holiday Sweater", "Sweater", "draft", ["Size"], [SIZES], "45.00"),
    ("Summer 2025 Tee", "T-Shirt", "archived", ["Size"], [SIZES], "20.00"),
]
# Enough single-design posters that a full listing takes more than one page of 100.
POSTER_SERIES = 110


def combinations(values):
    if not values:
        return [[]]
    return [[first, *rest] for first in values[0] for rest in combinations(values[1:])]


def sku(handle, title, options):
    code = "".join(word[0] for word in title.split()).upper()
    return "-".join(
        [handle.split("-")[1][:3].upper(), code, *(o.replace(" ", "")[:6].upper() for o in options)]
    )


@transaction.atomic
def seed():
    for platform, handle, name in SHOPS:
        shop, created = Shop.objects.get_or_create(platform=platform, handle=handle, defaults={"name": name})
        if created:
            add_catalogue(shop)
        if platform == "woocommerce":
            add_woocommerce_keys(shop)


def add_woocommerce_keys(shop):
    """The demo REST API keys of a WooCommerce shop (read, write, read/write), once."""
    for label, permissions in WOOCOMMERCE_KEYS:
        key, secret = woocommerce_key(shop.handle, label)
        ApiKey.objects.get_or_create(
            consumer_key=key,
            defaults={
                "shop": shop,
                "description": label,
                "consumer_secret": secret,
                "permissions": permissions,
            },
        )


def add_catalogue(shop):
    for title, product_type, status, option_names, option_values, price in CATALOGUE:
        product = Product.objects.create(
            shop=shop, title=title, product_type=product_type, status=status, option_names=option_names
        )
        Variant.objects.bulk_create(
            Variant(
                product=product, sku=sku(shop.handle, title, options), price=Decimal(price), options=options
            )
            for options in combinations(option_values)
        )
    if shop.platform == "woocommerce":
        for number in range(1, POSTER_SERIES + 1):
            product = Product.objects.create(
                shop=shop, title=f"Poster design #{number:03}", product_type="Poster", option_names=["Size"]
            )
            Variant.objects.bulk_create(
                Variant(
                    product=product, sku=f"PST-{number:03}-{size}", price=Decimal("12.00"), options=[size]
                )
                for size in ("A3", "A2")
            )
