"""Demo shops of any size, made on demand: for benchmarks (10,000 products of 5 variants) and
for tests that need a shop of their own. Written with bulk inserts, so a big shop takes seconds."""

from decimal import Decimal

from django.db import transaction

from .models import Product, Shop, Variant
from .seed import add_woocommerce_keys

SIZES = ["XS", "S", "M", "L", "XL", "2XL", "3XL", "4XL"]
TYPES = ["T-Shirt", "Poster", "Mug", "Hoodie", "Canvas"]
BATCH = 2000


def size_values(count):
    return SIZES[:count] if count <= len(SIZES) else [f"Size {n}" for n in range(1, count + 1)]


def status_of(number):
    """Most products are active; every 25th is a draft and every 40th archived, as in a real shop."""
    if number % 40 == 0:
        return Product.Status.ARCHIVED
    if number % 25 == 0:
        return Product.Status.DRAFT
    return Product.Status.ACTIVE


@transaction.atomic
def add_products(shop, count, variants):
    """Add `count` products of `variants` variants each (one variant: a product without options)."""
    start = shop.products.count()
    values = size_values(variants) if variants > 1 else [[]]
    made = 0
    while made < count:
        chunk = range(start + made + 1, start + min(made + BATCH, count) + 1)
        products = Product.objects.bulk_create(
            Product(
                shop=shop,
                title=f"Design {number:05} {TYPES[number % len(TYPES)]}",
                product_type=TYPES[number % len(TYPES)],
                status=status_of(number),
                option_names=["Size"] if variants > 1 else [],
            )
            for number in chunk
        )
        Variant.objects.bulk_create(
            Variant(
                product=product,
                sku=f"{shop.handle[:12].upper()}-{number:05}" + (f"-{value}" if value else ""),
                price=Decimal("10.00") + number % 30,
                options=[value] if value else [],
            )
            for number, product in zip(chunk, products, strict=True)
            for value in (values if variants > 1 else [""])
        )
        made += len(chunk)
    return made


@transaction.atomic
def make_shop(platform, handle, products, variants, *, name="", rate_limits_off=True):
    """A shop with exactly this catalogue (made anew if it exists). Etsy's sandbox plays one
    seller, so for Etsy the products are added to the demo Etsy shop instead."""
    if platform == Shop.Platform.ETSY:
        shop = Shop.objects.filter(platform=platform).order_by("id").first()
        shop.rate_limits_off = rate_limits_off
        shop.save(update_fields=["rate_limits_off"])
        add_products(shop, products, variants)
        return shop
    shop, _ = Shop.objects.update_or_create(
        platform=platform,
        handle=handle,
        defaults={"name": name or f"Big shop {handle}", "rate_limits_off": rate_limits_off},
    )
    Variant.objects.filter(product__shop=shop).delete()
    shop.products.all().delete()
    add_products(shop, products, variants)
    if platform == Shop.Platform.WOOCOMMERCE:
        add_woocommerce_keys(shop)
    return shop
