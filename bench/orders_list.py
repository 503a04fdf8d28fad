"""Storefronts > Orders of a client with 100,000 orders (two items each, in two stores): server
time and SQL queries of page 1 and page 1000, as a signed-in Admin. (Connect's production list,
the staff view of the same figures, is measured by its own benchmark.)"""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.timing import timed
from core.tenancy import Role
from core.testing import make_client
from orders.models import Hold, ItemStatus, Order, OrderItem
from storefronts.models import Store

ORDERS = 100_000
BATCH = 5000
T0 = datetime(2026, 1, 1, tzinfo=UTC)
STATUSES = [ItemStatus.RECEIVED, ItemStatus.IN_PRODUCTION, ItemStatus.SHIPPED, ItemStatus.DELIVERED]


def queries(fetch):
    with CaptureQueriesContext(connection) as captured:
        assert fetch().status_code == 200
    return len(captured)


def build_orders():
    world = make_client("Bench orders", "BENCH-ORDERS")
    stores = [world.store, Store.objects.create(client=world.client, platform="shopify", name="Bench shop")]
    for start in range(0, ORDERS, BATCH):
        orders = Order.objects.bulk_create(
            Order(
                client=world.client,
                store=stores[n % 2],
                external_id=str(10**15 + n),
                number=f"#{1000 + n}",
                source=Order.Source.WEBHOOK,
                status=STATUSES[n % len(STATUSES)],
                hold=Hold.NEEDS_MAPPING if n % 50 == 0 else Hold.NONE,
                customer_name=f"Buyer {n}",
                # Every 10th order shares its moment with the one before: the order must hold.
                placed_at=T0 + timedelta(minutes=n - n % 10 // 9),
            )
            for n in range(start, min(start + BATCH, ORDERS))
        )
        OrderItem.objects.bulk_create(
            OrderItem(order=order, external_id=str(line), title="Poster", sku=f"P-{line}", quantity=1)
            for order in orders
            for line in (1, 2)
        )
    if connection.vendor == "postgresql":
        # What autovacuum does after such an import: statistics, and the visibility map that
        # lets counting and paging read the index alone.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE orders_order, orders_orderitem")
    return world.user(Role.ADMIN)


def run():
    settings.STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    admin = build_orders()
    http = HttpClient()
    http.force_login(admin)
    url = reverse("orders:orders")

    def page_1():
        return http.get(url)

    def page_1000():
        return http.get(url, {"page": 1000})

    print(f"BENCH orders_list_ms_page1 {timed(page_1):.1f} ms")
    print(f"BENCH orders_list_ms_page1000 {timed(page_1000):.1f} ms")
    print(f"BENCH orders_list_queries_page1 {queries(page_1)} queries")
    print(f"BENCH orders_list_queries_page1000 {queries(page_1000)} queries")
