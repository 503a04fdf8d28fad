"""Builders for the publishing tests: a catalog product with variants, design images made with
Pillow, design templates, and Add product drafts."""

import io
from decimal import Decimal

from django.core.files.base import ContentFile
from PIL import Image

from catalog import print_files
from catalog.models import CatalogProduct, DesignTemplate, Publication


def png(width=1200, height=1600, colour=(200, 40, 60), image_format="PNG"):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format=image_format)
    return buffer.getvalue()


def make_catalog_product(name="Art print", sizes=(("a4", "A4", "210", "297"), ("a3", "A3", "297", "420"))):
    """A poster with one size attribute and a paper that does not vary; its print area is A4,
    each size's its own (so A3 has a larger area than its product's)."""
    product = CatalogProduct.objects.create(
        name=name,
        product_type="poster",
        uid_prefix="flat_product",
        attributes=[
            {
                "code": "pf",
                "name": "Size",
                "values": [{"code": code, "name": label} for code, label, *_ in sizes],
            },
            {"code": "pt", "name": "Paper", "values": [{"code": "200-gsm-matte", "name": "200 gsm matte"}]},
        ],
        print_width_mm=Decimal("210"),
        print_height_mm=Decimal("297"),
        min_dpi=150,
        file_formats=["png", "jpg"],
    )
    for code, label, width, height in sizes:
        product.variants.create(
            uid=f"flat_product_pf_{code}_pt_200-gsm-matte_{product.code.hex[:6]}",
            label=f"{label} · 200 gsm matte",
            values={"pf": code, "pt": "200-gsm-matte"},
            print_width_mm=Decimal(width),
            print_height_mm=Decimal(height),
        )
    return product


def make_template(name="Sunset", product_type="poster"):
    template = DesignTemplate(name=name, product_type=product_type)
    template.image.save(f"{name.lower()}.png", ContentFile(png(1240, 1754, (250, 160, 40))), save=False)
    template.save()
    return template


def make_publication(store, design=False, catalog_product=None, title="Sunset poster"):
    catalog_product = catalog_product or make_catalog_product()
    publication = Publication.objects.create(
        store=store, catalog_product=catalog_product, title=title, price=Decimal("19.90")
    )
    publication.catalog_variants.set(catalog_product.variants.all())
    if design:
        publication.design_file.save("design.png", ContentFile(png()), save=False)
        publication.placement = print_files.fitted_placement(
            (1200, 1600), print_files.print_area(publication)
        )
        publication.save()
    return publication
