"""Builders for the manual order tests: the catalog's business card (a small print area, so test
images stay small), a mapped store variant with an uploaded design, the Place order form's data."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import CatalogVariant
from catalog.seed import seed_catalog
from catalog.tests.publishing_helpers import png

from .helpers import map_variant

# The business card's print area is 85 x 55 mm at 300 DPI: 1004 x 650 px.
SHARP = (1100, 720)
BLURRY = (300, 200)  # 89 DPI


def card_variant():
    if not CatalogVariant.objects.filter(product__uid_prefix="cards").exists():
        seed_catalog()
    return CatalogVariant.objects.filter(product__uid_prefix="cards", active=True).order_by("id").first()


def mapped_card(store, external_id="V1", sku="CARD-1"):
    """A store variant mapped to the business card, with a sharp uploaded design file."""
    mapping = map_variant(store, external_id, design_url="", uid=card_variant().uid)
    mapping.design_file = default_storage.save("design-files/test/card.png", ContentFile(png(*SHARP)))
    mapping.save()
    mapping.variant.sku = sku
    mapping.variant.save()
    return mapping.variant


def upload(size=SHARP, name="card.png"):
    return SimpleUploadedFile(name, png(*size), content_type="image/png")


ADDRESS = {
    "ship_name": "Ana García",
    "ship_line1": "Calle Mayor 1",
    "ship_city": "Madrid",
    "ship_postcode": "28013",
    "ship_country": "ES",
}


def order_form(items, **fields):
    """The Place order form's POST data: the order's fields and one row per item (a dict of the
    item's fields without the prefix)."""
    data = {
        **ADDRESS,
        "customer_email": "ana@example.com",
        **fields,
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "1",
        "items-MAX_NUM_FORMS": "100",
    }
    for index, item in enumerate(items):
        data.update({f"items-{index}-{name}": value for name, value in item.items()})
    return data
