"""The orders lists with 100,000 orders (two items each, in two stores of one client, plus a
second client's few): server time and SQL queries of page 1 and page 1000, for staff (Connect >
Orders, every client) and for the client (Storefronts > Orders, as an Admin). Each figure under
the issue's name is the worse of the two views; the lines ending _staff and _client give each.
`python -m bench` runs it after bench.client_list, so Connect also has 5,000 clients with a store
each: what the staff list's filters offer must not grow with them."""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse

from bench.products_list import queries
from bench.timing import timed
from core.tenancy import Role
from core.testing import make_client, make_user
from orders.models import Hold, ItemStatus, Order, OrderItem
from storefronts.models import Store

ORDERS = 100_000
OTHER_CLIENT_ORDERS = 1_000
BATCH = 5000
T0 = datetime(2026, 1, 1, tzinfo=UTC)
STATUSES = [ItemStatus.RECEIVED, ItemStatus.IN_PRODUCTION, ItemStatus.SHIPPED, ItemStatus.DELIVERED]


def add_orders(stores, count, prefix):
    for start in range(0, count, BATCH):
        orders = Order.objects.bulk_create(
            Order(
                client_id=stores[n % len(stores)].client_id,
                store=stores[n % len(stores)],
                external_id=f"{prefix}{10**15 + n}",
                number=f"#{1000 + n}",
                source=Order.Source.WEBHOOK,
                status=STATUSES[n % len(STATUSES)],
                hold=Hold.NEEDS_MAPPING if n % 50 == 0 else Hold.NONE,
                customer_name=f"Buyer {n}",
                customer_email=f"buyer{n}@example.com",
                # Pairs placed at the same moment: the id must settle the order.
                placed_at=T0 + timedelta(minutes=n // 2),
            )
            for n in range(start, min(start + BATCH, count))
        )
        OrderItem.objects.bulk_create(
            OrderItem(order=order, external_id=str(line), title="Poster", sku=f"P-{line}", quantity=1)
            for order in orders
            for line in (1, 2)
        )


def build_orders():
    """The orders; returns (staff user, client Admin)."""
    world = make_client("Bench orders", "BENCH-ORDERS")
    shop = Store.objects.create(client=world.client, platform="shopify", name="Bench shop")
    add_orders([world.store, shop], ORDERS, "a")
    add_orders([make_client("Bench other", "BENCH-OTHER").store], OTHER_CLIENT_ORDERS, "b")
    if connection.vendor == "postgresql":
        # What autovacuum does after such an import: statistics, and the visibility map that
        # lets counting and paging read the index alone.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE orders_order, orders_orderitem")
    return make_user("bench-staff@printer.example", is_staff=True), world.user(Role.ADMIN)


def measure(user, url, params):
    """(ms page 1, ms page 1000, queries page 1, queries page 1000) of one list for one user."""
    http = HttpClient()
    http.force_login(user)

    def page_1():
        return http.get(url, params)

    def page_1000():
        return http.get(url, {**params, "page": 1000})

    return timed(page_1), timed(page_1000), queries(page_1), queries(page_1000)


def run():
    settings.STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    staff, admin = build_orders()
    views = {
        "staff": measure(staff, reverse("orders:connect_orders"), {"tab": "all"}),
        "client": measure(admin, reverse("orders:orders"), {}),
    }
    names = [
        ("orders_list_ms_page1", "ms"),
        ("orders_list_ms_page1000", "ms"),
        ("orders_list_queries_page1", "queries"),
        ("orders_list_queries_page1000", "queries"),
    ]
    for index, (name, unit) in enumerate(names):
        worst = max(figures[index] for figures in views.values())
        print(f"BENCH {name} {worst:.1f} {unit}" if unit == "ms" else f"BENCH {name} {worst} {unit}")
        for view, figures in views.items():
            value = figures[index]
            print(
                f"BENCH {name}_{view} {value:.1f} {unit}"
                if unit == "ms"
                else f"BENCH {name}_{view} {value} {unit}"
            )
