"""A mapping CSV of 50,000 rows, validated and applied through the functions the worker runs
(catalog.mapping_csv.runs.validate_run and apply_run): a store with 10,000 products x 5 variants, a fifth of
them mapped already, and a file filling in a product UID and a design file URL on every row."""

import csv
import io
import shutil
import tempfile
import time

from django.conf import settings
from django.core.files.base import ContentFile

from catalog.mapping_csv import export, reading, runs
from catalog.models import (
    CatalogProduct,
    CatalogVariant,
    ImportRun,
    ProductMapping,
    ProductType,
    StoreProduct,
    StoreVariant,
)
from core.testing import make_client

PRODUCTS = 10_000
SIZES = ["XS", "S", "M", "L", "XL"]
COLOURS = ["black", "white", "navy", "red", "grey", "green", "sand", "pink"]


def build():
    world = make_client("Bench Mapping", "BENCH-MAP")
    store = world.store
    catalog_product = CatalogProduct.objects.create(
        name="T-shirt",
        product_type=ProductType.APPAREL,
        uid_prefix="apparel_product",
        print_width_mm=300,
        print_height_mm=400,
    )
    CatalogVariant.objects.bulk_create(
        CatalogVariant(
            product=catalog_product,
            uid=f"apparel_product_gca_t-shirt_gsi_{size.lower()}_gco_{colour}",
            label=f"{size} {colour}",
        )
        for size in SIZES
        for colour in COLOURS
    )
    uids = list(CatalogVariant.objects.values_list("uid", flat=True))
    products = StoreProduct.objects.bulk_create(
        StoreProduct(
            store=store, external_id=str(7_000_000 + p), title=f"Shirt {p:05}", option_names=["Size"]
        )
        for p in range(PRODUCTS)
    )
    StoreVariant.objects.bulk_create(
        (
            StoreVariant(
                store=store,
                product=product,
                external_id=str(9_000_000 + p * len(SIZES) + i),
                sku=f"SHIRT-{p:05}-{size}",
                title=size,
                options={"Size": size},
                position=i,
            )
            for p, product in enumerate(products)
            for i, size in enumerate(SIZES)
        ),
        batch_size=5000,
    )
    first = CatalogVariant.objects.order_by("id").first()
    ProductMapping.objects.bulk_create(
        (
            ProductMapping(store=store, variant_id=pk, catalog_variant=first)
            for pk in StoreVariant.objects.filter(store=store).values_list("id", flat=True)[:PRODUCTS]
        ),
        batch_size=5000,
    )
    return world, uids


def filled_csv(store, uids):
    """The store's export with every row filled in, as a person would after exporting."""
    rows = list(csv.reader(io.StringIO("".join(export.export_csv(store)), newline="")))
    for n, row in enumerate(rows[1:]):
        row[6] = uids[n % len(uids)]
        row[7] = f"https://files.example.com/designs/{n}.png"
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(), len(rows) - 1


def run():
    media = tempfile.mkdtemp(prefix="bench-media-")
    settings.MEDIA_ROOT = media
    try:
        measure()
    finally:
        shutil.rmtree(media, ignore_errors=True)


def measure():
    world, uids = build()
    store = world.store
    data, count = filled_csv(store, uids)
    user = world.user("admin")
    start = time.perf_counter()
    rows = reading.read_rows(data)  # what the upload view does before handing the file to the worker
    import_run = ImportRun(store=store, file_name="bench.csv", created_by=user, rows_total=len(rows))
    import_run.file.save("bench.csv", ContentFile(data), save=True)
    runs.validate_run(import_run.pk)
    import_run.refresh_from_db()
    assert import_run.state == ImportRun.State.READY, import_run.errors[:3]
    assert runs.claim_for_apply(import_run)
    runs.apply_run(import_run.pk, user.pk)
    seconds = time.perf_counter() - start
    import_run.refresh_from_db()
    assert import_run.state == ImportRun.State.DONE, import_run.summary
    assert ProductMapping.objects.filter(store=store).count() == count == 50_000
    print(f"BENCH mapping_csv_50k_seconds {seconds:.1f} s")
