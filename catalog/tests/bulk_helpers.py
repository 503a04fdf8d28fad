"""Builders for the bulk CSV tests: a small catalog, a store's products and variants, CSV files."""

import csv
import io

from catalog.mapping_csv import export
from catalog.models import CatalogProduct, CatalogVariant, ProductType, StoreProduct, StoreVariant

UIDS = [
    "apparel_product_gca_t-shirt_gsi_s_gco_black",
    "apparel_product_gca_t-shirt_gsi_m_gco_black",
    "apparel_product_gca_t-shirt_gsi_l_gco_black",
]
RETIRED_UID = "apparel_product_gca_t-shirt_gsi_xs_gco_black"


def make_catalog():
    product = CatalogProduct.objects.create(
        name="T-shirt",
        product_type=ProductType.APPAREL,
        uid_prefix="apparel_product",
        print_width_mm=300,
        print_height_mm=400,
        file_formats=["png", "pdf"],
    )
    variants = {
        uid: CatalogVariant.objects.create(product=product, uid=uid, label=uid.split("_")[-3].upper())
        for uid in UIDS
    }
    CatalogVariant.objects.create(product=product, uid=RETIRED_UID, label="XS", active=False)
    return variants


def make_products(store, count=2, sizes=("S", "M", "L"), prefix="10"):
    """`count` products with one variant per size; ids like 1001 / 100101."""
    variants = []
    for p in range(1, count + 1):
        product = StoreProduct.objects.create(
            store=store, external_id=f"{prefix}{p:02}", title=f"Shirt {p}", option_names=["Size", "Colour"]
        )
        for position, size in enumerate(sizes):
            variants.append(
                StoreVariant.objects.create(
                    store=store,
                    product=product,
                    external_id=f"{prefix}{p:02}{position:02}",
                    sku=f"SHIRT-{p}-{size}",
                    title=f"{size} / Black",
                    options={"Size": size, "Colour": "Black"},
                    position=position,
                )
            )
    return variants


def rows_of(content):
    """The rows of a CSV (bytes or text), as lists of cells."""
    if isinstance(content, bytes):
        content = content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content, newline="")))


def csv_bytes(rows, bom=False, encoding="utf-8"):
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


HEADER = export.COLUMNS


def row_for(variant, uid="", url=""):
    return [variant.product.external_id, variant.external_id, variant.sku, "", "", "", uid, url]
