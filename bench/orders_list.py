"""The order lists with 100,000 orders (two items each, over ten stores of one client): server
time and SQL queries of page 1 and page 1000, in Connect as staff and in Storefronts as the
client's Admin. Each figure is the slower of the two views; both are printed below it.

The lists are found by their paths (connect/orders/, storefronts/orders/): until a view exists,
its figures are skipped with a note."""

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.test import Client as HttpClient
from django.urls import Resolver404, resolve
from django.utils import timezone

from bench.products_list import queries
from bench.timing import timed
from core.tenancy import Role
from core.testing import make_client, make_user
from orders.models import Hold, Order, OrderItem
from storefronts.models import Store

ORDERS = 100_000
STORES = 10
BATCH = 5000
VIEWS = {"staff": "/connect/orders/", "client": "/storefronts/orders/"}


def build_orders():
    world = make_client("Bench orders", "BENCH-ORDERS")
    stores = [
        Store.objects.create(client=world.client, platform=Store.Platform.MANUAL, name=f"Shop {n}")
        for n in range(STORES)
    ]
    start = timezone.now() - timedelta(days=365)
    holds = [Hold.NONE, Hold.NONE, Hold.NEEDS_MAPPING, Hold.FILE_PENDING]
    for first in range(0, ORDERS, BATCH):
        orders = Order.objects.bulk_create(
            Order(
                client=world.client,
                store=stores[n % STORES],
                external_id=str(10**9 + n),
                number=f"#{10000 + n}",
                source=Order.Source.WEBHOOK,
                hold=holds[n % len(holds)],
                customer_name=f"Customer {n:06}",
                customer_email=f"c{n}@example.com",
                total=25,
                currency="EUR",
                placed_at=start + timedelta(minutes=5 * n),
            )
            for n in range(first, min(first + BATCH, ORDERS))
        )
        OrderItem.objects.bulk_create(
            OrderItem(
                order=order,
                external_id=f"{order.external_id}-{line}",
                position=line,
                title="Poster",
                quantity=1,
            )
            for order in orders
            for line in range(2)
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE") if connection.vendor == "postgresql" else None
    return {
        "staff": make_user("bench-orders@printer.example", is_staff=True),
        "client": world.user(Role.ADMIN),
    }


def run():
    settings.STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    present = {}
    for view, path in VIEWS.items():
        try:
            resolve(path)
            present[view] = path
        except Resolver404:
            print(f"  orders_list: skipped the {view} view, {path} does not exist yet")
    if not present:
        return
    users = build_orders()
    figures = {}
    for view, path in present.items():
        http = HttpClient()
        http.force_login(users[view])
        for page in (1, 1000):

            def fetch(http=http, path=path, page=page):
                return http.get(path, {"page": page})

            figures[view, page] = (timed(fetch), queries(fetch))
    for page in (1, 1000):
        shown = {view: figures[view, page] for view in present}
        print(f"BENCH orders_list_ms_page{page} {max(ms for ms, _ in shown.values()):.1f} ms")
        print(f"BENCH orders_list_queries_page{page} {max(n for _, n in shown.values())} queries")
        print("  " + ", ".join(f"{view}: {ms:.1f} ms, {n} queries" for view, (ms, n) in shown.items()))
