"""Connect > Orders (the staff's production queue) with 100,000 orders of two clients: server
time and SQL queries of page 1 and page 1000 (100 a page), as a signed-in staff member."""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse

from bench.products_list import queries
from bench.timing import timed
from core.testing import make_client, make_user
from orders.models import Order, OrderItem

ORDERS = 100_000
BATCH = 5000
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def build_orders():
    stores = [make_client(name, f"BENCH-{name.upper()}").store for name in ("Bench A", "Bench B")]
    for start in range(0, ORDERS, BATCH):
        Order.objects.bulk_create(
            Order(
                client_id=stores[n % 2].client_id,
                store=stores[n % 2],
                external_id=str(10**15 + n),
                number=f"#{100000 + n}",
                source=Order.Source.WEBHOOK,
                customer_name=f"Customer {n}",
                customer_email=f"buyer{n}@example.com",
                placed_at=T0 + timedelta(minutes=n // 2),  # pairs placed together: the id decides
            )
            for n in range(start, min(start + BATCH, ORDERS))
        )
    ids = Order.objects.values_list("id", flat=True).iterator(chunk_size=BATCH)
    OrderItem.objects.bulk_create(
        (
            OrderItem(order_id=order_id, external_id="1", title="Poster", quantity=1, sku="P-A4")
            for order_id in ids
        ),
        batch_size=BATCH,
    )
    with connection.cursor() as cursor:
        # As autovacuum leaves a table that has settled: planner statistics and the visibility map
        # (index-only scans for the page of ids and the count).
        cursor.execute("VACUUM ANALYZE") if connection.vendor == "postgresql" else None
    return make_user("bench-staff@printer.example", is_staff=True)


def run():
    settings.STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    http = HttpClient()
    http.force_login(build_orders())
    url = reverse("orders:connect_orders")

    def page_1():
        return http.get(url, {"tab": "all"})

    def page_1000():
        return http.get(url, {"tab": "all", "page": 1000})

    print(f"BENCH orders_list_ms_page1 {timed(page_1):.1f} ms")
    print(f"BENCH orders_list_ms_page1000 {timed(page_1000):.1f} ms")
    print(f"BENCH orders_list_queries_page1 {queries(page_1)} queries")
    print(f"BENCH orders_list_queries_page1000 {queries(page_1000)} queries")
