"""The demo catalog: what a small print shop sells, and a few design templates per product type.

`seed_catalog()` is idempotent: a product whose UID prefix exists, or a template whose name
exists, is left as it is (staff may have changed it since).
"""

import io
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image, ImageDraw, ImageFont

from .catalog import create_product_unaudited, parse_attributes
from .models import CatalogProduct, DesignTemplate, ProductType

FLAT_FINISH = (
    "ct Coating: none=No coating\nprt Protection: none=None\nsft Soft touch: none=None\nset Set: none=Single"
)

# name, type, prefix, description, attributes (text form), width mm, height mm, dpi, bleed, formats
PRODUCTS = [
    (
        "Poster",
        ProductType.POSTER,
        "flat_product",
        "Art and photo posters, printed in full colour on one side.",
        "pf Size: a4=A4 (210x297), a3=A3 (297x420), a2=A2 (420x594), 500x700-mm=50 x 70 cm (500x700)\n"
        "pt Paper: 170-gsm-uncoated=170 gsm uncoated, 200-gsm-uncoated=200 gsm uncoated, "
        "250-gsm-coated-silk=250 gsm coated silk\n"
        "cl Colour: 4-0=Full colour (front only)\n"
        + FLAT_FINISH
        + "\nor Orientation: ver=Portrait, hor=Landscape",
        "297",
        "420",
        300,
        "3",
        ["pdf", "png", "jpg", "tiff"],
    ),
    (
        "Flyer",
        ProductType.FLYER_CARD,
        "flyers",
        "Flyers and leaflets, one or both sides.",
        "pf Size: a6=A6 (105x148), a5=A5 (148x210), a4=A4 (210x297)\n"
        "pt Paper: 135-gsm-coated-silk=135 gsm coated silk, 170-gsm-coated-silk=170 gsm coated silk, "
        "250-gsm-uncoated=250 gsm uncoated\n"
        "cl Colour: 4-0=Front only, 4-4=Both sides\n"
        "ct Coating: none=No coating, matt-protection=Matt protection\n"
        "or Orientation: ver=Portrait, hor=Landscape",
        "148",
        "210",
        300,
        "3",
        ["pdf", "png", "jpg"],
    ),
    (
        "Business card",
        ProductType.FLYER_CARD,
        "cards",
        "Business cards, 85 x 55 mm.",
        "pf Size: bb=Business card (85x55)\n"
        "pt Paper: 350-gsm-coated-silk=350 gsm coated silk, 400-gsm-uncoated=400 gsm uncoated\n"
        "cl Colour: 4-0=Front only, 4-4=Both sides\n"
        "ct Coating: none=No coating, matt-protection=Matt protection, gloss-protection=Gloss protection\n"
        "or Orientation: hor=Landscape, ver=Portrait",
        "85",
        "55",
        300,
        "2",
        ["pdf", "png"],
    ),
    (
        "Classic T-shirt",
        ProductType.APPAREL,
        "apparel_product_gca_t-shirt_gsc_crewneck_gcu_unisex",
        "Unisex crew-neck cotton T-shirt, printed front (DTG).",
        "gsi Size: s=S, m=M, l=L, xl=XL, xxl=XXL\n"
        "gco Colour: white=White, black=Black, navy=Navy, heather-grey=Heather grey\n"
        "gpr Print: 4-0=Front print",
        "300",
        "400",
        150,
        "0",
        ["png"],
    ),
    (
        "Hoodie",
        ProductType.APPAREL,
        "apparel_product_gca_hoodie_gsc_pullover_gcu_unisex",
        "Unisex pullover hoodie, printed front (DTG).",
        "gsi Size: s=S, m=M, l=L, xl=XL, xxl=XXL\n"
        "gco Colour: black=Black, white=White, sport-grey=Sport grey\n"
        "gpr Print: 4-0=Front print",
        "300",
        "350",
        150,
        "0",
        ["png"],
    ),
    (
        "Mug",
        ProductType.MUG,
        "mug_product",
        "Ceramic mug, printed all around (sublimation).",
        "msz Size: 11-oz=11 oz (200x85), 15-oz=15 oz (220x95)\nmmat Colour: ceramic-white=White, ceramic-black=Black\n"
        "cl Colour: 4-0=Full colour",
        "200",
        "85",
        200,
        "2",
        ["png", "jpg", "pdf"],
    ),
    (
        "Canvas",
        ProductType.CANVAS,
        "canvas_product",
        "Gallery-wrapped canvas on a wooden frame.",
        "pf Size: 300x400-mm=30 x 40 cm (300x400), 400x600-mm=40 x 60 cm (400x600), "
        "500x700-mm=50 x 70 cm (500x700), 600x900-mm=60 x 90 cm (600x900)\n"
        "fd Frame depth: 20-mm=2 cm, 40-mm=4 cm\n"
        "or Orientation: ver=Portrait, hor=Landscape",
        "400",
        "600",
        150,
        "20",
        ["pdf", "png", "jpg", "tiff"],
    ),
]

# Templates: name, product type, background, accent, shape ("circles", "stripes", "frame"), words
TEMPLATES = [
    ("Sunset poster", ProductType.POSTER, "#f4a259", "#5b8e7d", "circles", "Summer Nights"),
    ("Minimal poster", ProductType.POSTER, "#f5f1e8", "#264653", "stripes", "Less is more"),
    ("Event flyer", ProductType.FLYER_CARD, "#1d3557", "#e63946", "stripes", "Grand Opening"),
    ("Classic business card", ProductType.FLYER_CARD, "#ffffff", "#2a9d8f", "frame", "Jane Doe · Design"),
    ("Bold T-shirt print", ProductType.APPAREL, "#222222", "#ffb703", "circles", "Good Vibes"),
    ("Morning mug", ProductType.MUG, "#fffbf0", "#bc6c25", "stripes", "But first, coffee"),
    ("Canvas landscape", ProductType.CANVAS, "#a8dadc", "#457b9d", "frame", "Wander"),
]


def _font(size):
    for name in ("DejaVuSans-Bold.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def template_image(background, accent, shape, words, size=(1200, 1600)):
    """A simple design as PNG bytes: a coloured ground, shapes and a line of text."""
    width, height = size
    image = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(image)
    if shape == "circles":
        for index in range(5):
            radius = width // 4 - index * 30
            centre = (width // 2, height // 3)
            draw.ellipse(
                [centre[0] - radius, centre[1] - radius, centre[0] + radius, centre[1] + radius],
                outline=accent,
                width=max(1, width // 100),
            )
    elif shape == "stripes":
        for index in range(0, height, 160):
            draw.rectangle([0, index, width, index + 60], fill=accent)
    else:
        margin = width // 20
        draw.rectangle(
            [margin, margin, width - margin, height - margin], outline=accent, width=max(1, width // 50)
        )
    font = _font(width // 12)
    box = draw.textbbox((0, 0), words, font=font)
    text_width = box[2] - box[0]
    x, y = (width - text_width) // 2, int(height * 0.7)
    draw.rectangle([x - 30, y - 20, x + text_width + 30, y + (box[3] - box[1]) + 40], fill=background)
    draw.text((x, y), words, fill=accent, font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(150, 150))
    return buffer.getvalue()


@transaction.atomic
def seed_catalog():
    """Create the demo catalog products and design templates that are not there yet.
    Returns {"products": created count, "templates": created count}."""
    created = {"products": 0, "templates": 0}
    for name, kind, prefix, description, attributes, width, height, dpi, bleed, formats in PRODUCTS:
        if CatalogProduct.objects.filter(uid_prefix=prefix).exists():
            continue
        create_product_unaudited(
            name=name,
            product_type=kind,
            uid_prefix=prefix,
            description=description,
            attributes=parse_attributes(attributes),
            print_width_mm=Decimal(width),
            print_height_mm=Decimal(height),
            min_dpi=dpi,
            bleed_mm=Decimal(bleed),
            file_formats=formats,
            active=True,
        )
        created["products"] += 1
    for name, kind, background, accent, shape, words in TEMPLATES:
        if DesignTemplate.objects.filter(name=name).exists():
            continue
        # A fixed file name, written afresh: seeding a new database (tests do) leaves no copies.
        path = f"design-templates/{name.lower().replace(' ', '-')}.png"
        if default_storage.exists(path):
            default_storage.delete(path)
        saved = default_storage.save(path, ContentFile(template_image(background, accent, shape, words)))
        DesignTemplate.objects.create(name=name, product_type=kind, image=saved)
        created["templates"] += 1
    return created
