"""Builders for the Products list and Connect product tests: a catalog poster in two sizes, and
a synced shop product whose variants' options name those sizes."""

import pytest

from catalog.models import CatalogProduct, CatalogVariant, StoreProduct, StoreVariant

SIZE = {
    "code": "pf",
    "name": "Size",
    "values": [{"code": "a4", "name": "A4"}, {"code": "a3", "name": "A3"}],
}
PAPER = {"code": "pt", "name": "Paper", "values": [{"code": "200-gsm-matt", "name": "200 gsm matt"}]}


def make_poster():
    poster = CatalogProduct.objects.create(
        name="Art poster",
        product_type="poster",
        uid_prefix="flat_product",
        attributes=[SIZE, PAPER],
        print_width_mm=210,
        print_height_mm=297,
        min_dpi=300,
        bleed_mm=3,
        file_formats=["pdf", "png", "jpg"],
    )
    for code, width, height in (("a4", 210, 297), ("a3", 297, 420)):
        CatalogVariant.objects.create(
            product=poster,
            uid=f"flat_product_pf_{code}_pt_200-gsm-matt",
            label=f"{code.upper()} · 200 gsm matt",
            values={"pf": code, "pt": "200-gsm-matt"},
            print_width_mm=width,
            print_height_mm=height,
        )
    return poster


def make_store_product(store, title="Sunset poster", sizes=("A4", "A3"), state="active", external_id="p-1"):
    product = StoreProduct.objects.create(
        store=store, external_id=external_id, title=title, source_state=state, option_names=["Size"]
    )
    for position, size in enumerate(sizes):
        StoreVariant.objects.create(
            store=store,
            product=product,
            external_id=f"{external_id}-{position}",
            sku=f"{external_id.upper()}-{size}",
            title=size,
            options={"Size": size},
            position=position,
        )
    return product


@pytest.fixture(name="poster")
def poster_fixture(db):
    return make_poster()


@pytest.fixture(name="sunset")
def sunset_fixture(acme):
    return make_store_product(acme.store)
