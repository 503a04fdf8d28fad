"""Storefronts > Products of a store with 50,000 variants (10,000 products of 5 variants): server
time and SQL queries of page 1 and page 100, as a signed-in Admin."""

from django.conf import settings
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.timing import timed
from catalog.models import (
    CatalogProduct,
    CatalogVariant,
    FileCheck,
    ProductMapping,
    StoreProduct,
    StoreVariant,
)
from core.tenancy import Role
from core.testing import make_client

PRODUCTS = 10_000
VARIANTS_PER_PRODUCT = 5
BATCH = 5000


def queries(fetch):
    with CaptureQueriesContext(connection) as captured:
        assert fetch().status_code == 200
    return len(captured)


def build_store():
    world = make_client("Bench", "BENCH-PRODUCTS")
    store = world.store
    catalog = CatalogProduct.objects.create(
        name="Bench poster",
        product_type="poster",
        uid_prefix="bench_poster",
        print_width_mm=210,
        print_height_mm=297,
    )
    catalog_variants = CatalogVariant.objects.bulk_create(
        CatalogVariant(product=catalog, uid=f"bench_poster_pf_{size}", label=size)
        for size in range(VARIANTS_PER_PRODUCT)
    )
    StoreProduct.objects.bulk_create(
        (
            StoreProduct(
                store=store,
                external_id=str(10**12 + i),
                title=f"Poster {i:05}",
                source_state="active" if i % 10 else "archived",
            )
            for i in range(PRODUCTS)
        ),
        batch_size=BATCH,
    )
    products = list(StoreProduct.objects.filter(store=store).values_list("id", flat=True))
    StoreVariant.objects.bulk_create(
        (
            StoreVariant(
                store=store,
                product_id=product_id,
                external_id=f"{product_id}-{n}",
                sku=f"P{product_id}-{n}",
                options={"Size": f"S{n}"},
                position=n,
            )
            for product_id in products
            for n in range(VARIANTS_PER_PRODUCT)
        ),
        batch_size=BATCH,
    )
    # Two products in five fully mapped, one in five partly; some files with problems.
    variants = StoreVariant.objects.filter(store=store).values_list("id", "product_id", "position")
    mappings = []
    for variant_id, product_id, position in variants.iterator(chunk_size=BATCH):
        share = product_id % 5
        if share < 2 or (share == 2 and position < 2):
            mappings.append(
                ProductMapping(
                    store=store,
                    variant_id=variant_id,
                    catalog_variant=catalog_variants[position],
                    design_file_url="https://files.example/poster.png",
                    file_check=FileCheck.PROBLEM if product_id % 7 == 0 else FileCheck.OK,
                )
            )
    ProductMapping.objects.bulk_create(mappings, batch_size=BATCH)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE") if connection.vendor == "postgresql" else None
    return world.user(Role.ADMIN)


def run():
    settings.STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    admin = build_store()
    http = HttpClient()
    http.force_login(admin)
    url = reverse("catalog:products")

    def page_1():
        return http.get(url)

    def page_100():
        return http.get(url, {"page": 100})

    print(f"BENCH products_list_ms_page1 {timed(page_1):.1f} ms")
    print(f"BENCH products_list_ms_page100 {timed(page_100):.1f} ms")
    print(f"BENCH products_list_queries_page1 {queries(page_1)} queries")
    print(f"BENCH products_list_queries_page100 {queries(page_100)} queries")
