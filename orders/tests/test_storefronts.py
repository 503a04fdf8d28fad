"""Storefronts > Orders, as the client's people see it: only their own orders, filtered,
searched and paged in a fixed number of queries; the order page with its hold in words; the
Needs mapping queue."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import FileCheck, StoreProduct, StoreVariant
from core.listing import PER_PAGE
from core.tenancy import Role
from integrations.types import SourceOrderLine
from orders.intake import settle
from orders.models import Hold, ItemStatus, Order, OrderIntake
from orders.production import move_items

from .helpers import make_order, map_variant, store_of

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def signed_in(client, world, role=Role.ADMIN):
    client.force_login(world.user(role))
    return client


def line(external_id="L1", title="Poster", sku="P-A4", variant_id="V1", **fields):
    return SourceOrderLine(
        external_id, title, 1, sku=sku, product_id=f"P-{variant_id}", variant_id=variant_id, **fields
    )


def files_ok(order):
    """The order's print files passed their check (as the worker would say): it may go on."""
    order.items.update(file_check=FileCheck.OK)
    settle(order)
    return order


def listed(response):
    return [order.number for order in response.context["page"].object_list]


# --- The list -----------------------------------------------------------------------------------


def test_the_list_is_the_clients_own_newest_first(client, acme, globex):
    shop = store_of(acme)
    for day in range(3):
        make_order(shop, number=f"#100{day}", placed_at=T0 + timedelta(days=day))
    make_order(store_of(globex), number="#9999", customer_name="Globex buyer", placed_at=T0)
    for role in (Role.ADMIN, Role.ORDER_MANAGER, Role.VIEWER):
        response = signed_in(client, acme, role).get(reverse("orders:orders"))
        assert listed(response) == ["#1002", "#1001", "#1000"], role
        assert "Globex buyer" not in response.text


def test_orders_placed_at_the_same_moment_keep_one_order_across_pages(client, acme):
    shop = store_of(acme)
    orders = [make_order(shop, number=f"#{n}", placed_at=T0) for n in range(30)]
    signed_in(client, acme)
    first = listed(client.get(reverse("orders:orders")))
    second = listed(client.get(reverse("orders:orders"), {"page": 2}))
    expected = [order.number for order in sorted(orders, key=lambda order: order.id, reverse=True)]
    assert first + second == expected


def test_filters_by_store_status_hold_and_placed_dates(client, acme):
    posters, mugs = store_of(acme, name="Posters"), store_of(acme, name="Mugs")
    map_variant(posters, "V1", design_url="")
    ready = files_ok(make_order(posters, number="#1", lines=(line(),), placed_at=T0))
    make_order(posters, number="#2", lines=(line(variant_id="V9"),), placed_at=T0 + timedelta(days=2))
    make_order(mugs, number="#3", test=True, placed_at=T0 + timedelta(days=5))
    move_items(acme.user(Role.ADMIN), ready, [item.code for item in ready.items.all()], ItemStatus.PASSED)
    signed_in(client, acme)
    url = reverse("orders:orders")
    assert listed(client.get(url, {"store": str(mugs.code)})) == ["#3"]
    assert listed(client.get(url, {"status": ItemStatus.PASSED})) == ["#1"]
    assert listed(client.get(url, {"hold": Hold.NEEDS_MAPPING})) == ["#2"]
    assert listed(client.get(url, {"hold": "any"})) == ["#3", "#2"]
    window = {"placed_from": "2026-11-02", "placed_to": "2026-11-03"}
    assert listed(client.get(url, window)) == ["#2"]


def test_search_finds_number_customer_and_sku(client, acme):
    shop = store_of(acme)
    make_order(shop, number="#5001", customer_name="Ann Lee", lines=(line(sku="MUG-11"),))
    make_order(shop, number="#5002", customer_email="bo@example.com", lines=(line(sku="POSTER-A3"),))
    signed_in(client, acme)
    url = reverse("orders:orders")
    assert listed(client.get(url, {"q": "5001"})) == ["#5001"]
    assert listed(client.get(url, {"q": "ann"})) == ["#5001"]
    assert listed(client.get(url, {"q": "bo@example"})) == ["#5002"]
    assert listed(client.get(url, {"q": "poster-a3"})) == ["#5002"]
    nothing = client.get(url, {"q": "no such thing"})
    assert listed(nothing) == [] and "No order matches" in nothing.text


def test_a_deep_page_takes_as_many_queries_as_the_first(client, acme):
    shop = store_of(acme)
    for n in range(60):
        make_order(shop, number=f"#{n}", lines=(line(), line("L2", variant_id="V2")))
    signed_in(client, acme)
    counts = []
    for page in (1, 3):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("orders:orders"), {"page": page})
        assert response.status_code == 200 and len(listed(response)) in (25, 10)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert "2</td>" in response.text  # each row's item count


def test_the_empty_list_says_what_to_do_next(client, globex):
    signed_in(client, globex)
    assert "Orders appear here as soon as your shops send them" in client.get(reverse("orders:orders")).text
    globex.store.delete()
    assert "Connect a store first" in client.get(reverse("orders:orders")).text


def test_store_managers_have_no_orders(client, acme):
    signed_in(client, acme, Role.STORE_MANAGER)
    assert client.get(reverse("orders:orders")).status_code == 403
    assert reverse("orders:orders") not in client.get(reverse("storefronts:dashboard")).text
    signed_in(client, acme, Role.VIEWER)
    assert reverse("orders:orders") in client.get(reverse("storefronts:dashboard")).text


# --- The order page -----------------------------------------------------------------------------


def test_the_order_page_says_why_an_order_is_held(client, acme):
    shop = store_of(acme)
    signed_in(client, acme, Role.VIEWER)
    test_order = make_order(shop, number="#1", test=True)
    assert "A test order from the shop: it is not produced." in client.get(order_url(test_order)).text
    unpaid = make_order(shop, number="#2", paid=False)
    assert "The buyer has not paid yet" in client.get(order_url(unpaid)).text
    waiting = make_order(
        shop, number="#3", lines=(line(variant_id="V7"), SourceOrderLine("L2", "Gift wrap", 1))
    )
    text = client.get(order_url(waiting)).text
    assert "Some items are not connected to a product of the printer yet" in text
    assert "Not mapped" in text and "Custom item" in text and "Gift wrap" in text


def order_url(order, name="orders:order"):
    return reverse(name, kwargs={"code": order.code})


def with_file_problem(store):
    map_variant(store, "V1", design_url="https://files.example/poster.pdf")
    order = make_order(store, number="#7", lines=(line(),))
    order.items.update(file_check=FileCheck.PROBLEM, file_problem="The file is 72 DPI; 150 are needed.")
    order.hold = Hold.FILE_PROBLEM
    order.save()
    return order


def test_a_print_file_problem_shows_its_text_and_check_again(
    client, acme, django_capture_on_commit_callbacks
):
    order = with_file_problem(store_of(acme))
    signed_in(client, acme, Role.VIEWER)
    text = client.get(order_url(order)).text
    assert "The file is 72 DPI; 150 are needed." in text and "Check again" not in text
    assert client.post(order_url(order, "orders:order_check_files")).status_code == 403
    signed_in(client, acme, Role.ORDER_MANAGER)
    assert "Check again" in client.get(order_url(order)).text
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(order_url(order, "orders:order_check_files"))
    assert response.status_code == 302 and callbacks  # the check is queued for the worker
    order.refresh_from_db()
    assert order.hold == Hold.FILE_PENDING
    assert order.items.get().file_check == FileCheck.PENDING


def test_items_show_uid_tracking_and_history(client, acme):
    shop = store_of(acme)
    mapping = map_variant(shop, "V1", design_url="")
    order = files_ok(make_order(shop, number="#8", lines=(line(),)))
    staff_member = acme.user(Role.ADMIN)
    codes = [item.code for item in order.items.all()]
    for target in (ItemStatus.PASSED, ItemStatus.IN_PRODUCTION, ItemStatus.PRINTED, ItemStatus.PACKAGED):
        move_items(staff_member, order, codes, target)
    move_items(
        staff_member,
        order,
        codes,
        ItemStatus.SHIPPED,
        carrier="PostNL",
        tracking_code="3SABC123",
        tracking_url="https://track.example/3SABC123",
    )
    text = signed_in(client, acme, Role.VIEWER).get(order_url(order)).text
    assert mapping.catalog_variant.uid in text
    assert reverse("catalog:product", kwargs={"code": mapping.variant.product.code}) in text
    assert "PostNL" in text and 'href="https://track.example/3SABC123"' in text
    assert "Packaged → Shipped" in text


def test_the_live_part_stops_asking_at_a_final_status(client, acme):
    order = make_order(store_of(acme), number="#9")
    signed_in(client, acme, Role.VIEWER)
    assert 'hx-trigger="every 5s"' in client.get(order_url(order, "orders:order_live")).text
    move_items(
        None, order, [item.code for item in order.items.all()], ItemStatus.CANCELED, reason="Not wanted"
    )
    live = client.get(order_url(order, "orders:order_live")).text
    assert "Canceled" in live and "hx-trigger" not in live


def test_another_clients_order_is_not_found(client, acme, globex):
    order = make_order(store_of(acme), number="#10", customer_name="Acme buyer")
    signed_in(client, globex)
    for name in ("orders:order", "orders:order_live"):
        assert client.get(order_url(order, name)).status_code == 404
    assert client.post(order_url(order, "orders:order_check_files")).status_code == 404


# --- Needs mapping ------------------------------------------------------------------------------


def test_needs_mapping_groups_waiting_items_with_what_to_do(client, acme, globex):
    shop = store_of(acme)
    synced = StoreProduct.objects.create(store=shop, external_id="P-V1", title="Sunset poster")
    StoreVariant.objects.create(store=shop, product=synced, external_id="V1", sku="SUN-A4")
    for n in range(3):
        make_order(shop, number=f"#{n}", lines=(line(title="Sunset poster"),))
    make_order(shop, number="#20", lines=(line(title="Brand new mug", variant_id="V2"),))
    make_order(shop, number="#21", lines=(SourceOrderLine("L1", "Gift wrap", 1),))
    make_order(store_of(globex), number="#30", lines=(line(title="Globex poster"),))

    response = signed_in(client, acme).get(reverse("orders:needs_mapping"))
    rows = {row["title"]: row for row in response.context["variants"]}
    assert rows["Sunset poster"]["orders"] == 3 and rows["Brand new mug"]["orders"] == 1
    assert [row["title"] for row in response.context["custom"]] == ["Gift wrap"]
    text = response.text
    assert reverse("catalog:product", kwargs={"code": synced.code}) in text
    assert "This variant is not synced from the shop yet." in text
    assert "Contact the printer about them" in text and "Globex poster" not in text

    viewer = signed_in(client, acme, Role.VIEWER).get(reverse("orders:needs_mapping")).text
    assert "Ask an Admin or the store's Store Manager" in viewer
    assert reverse("catalog:product", kwargs={"code": synced.code}) not in viewer


def test_needs_mapping_is_empty_when_everything_is_mapped(client, acme):
    shop = store_of(acme)
    map_variant(shop, "V1", design_url="")
    make_order(shop, lines=(line(),))
    assert "Nothing waits for mapping" in signed_in(client, acme).get(reverse("orders:needs_mapping")).text


def test_needs_mapping_pages_a_long_list_of_waiting_variants(client, acme):
    shop = store_of(acme)
    for n in range(PER_PAGE + 3):
        make_order(shop, number=f"#{n}", lines=(line(title=f"Poster {n}", variant_id=f"V{n}"),))
    url = reverse("orders:needs_mapping")
    first, second = (signed_in(client, acme).get(url, {"page": page}) for page in (1, 2))
    titles = [row["title"] for row in first.context["variants"] + second.context["variants"]]
    assert len(first.context["variants"]) == PER_PAGE and len(second.context["variants"]) == 3
    assert sorted(titles) == sorted(f"Poster {n}" for n in range(PER_PAGE + 3))  # each once
    assert "Page 1 of 2" in first.text


# --- The store's orders part --------------------------------------------------------------------


def test_a_store_shows_its_last_order_and_reconciliation(client, acme):
    shop = store_of(acme)
    url = reverse("orders:store_orders", kwargs={"code": shop.code})
    signed_in(client, acme)
    text = client.get(url).text
    assert "None yet" in text and "Not run yet" in text and "Place test order" not in text
    make_order(shop, number="#4242")
    OrderIntake.objects.create(
        store=shop,
        last_reconciled_at=T0,
        last_reconcile_error="The shop answered 503.",
        last_reconcile_found=0,
    )
    text = client.get(url).text
    assert "#4242" in text and "The shop answered 503." in text
    OrderIntake.objects.filter(store=shop).update(last_reconcile_error="", last_reconcile_found=2)
    assert "found 2 missed orders" in client.get(url).text
    assert (
        reverse("orders:store_orders", kwargs={"code": shop.code})
        in client.get(reverse("integrations:store", kwargs={"code": shop.code})).text
    )


def test_a_store_manager_sees_only_their_stores_orders_part(client, acme):
    mine, other = store_of(acme, name="Mine"), store_of(acme, name="Other")
    acme.members[Role.STORE_MANAGER].stores.set([mine])
    signed_in(client, acme, Role.STORE_MANAGER)
    assert client.get(reverse("orders:store_orders", kwargs={"code": mine.code})).status_code == 200
    assert client.get(reverse("orders:store_orders", kwargs={"code": other.code})).status_code == 404


def test_a_store_not_in_the_sandbox_offers_no_test_order(client, acme, settings):
    settings.SANDBOX_ENABLED = True
    signed_in(client, acme)
    response = client.post(reverse("orders:store_test_order", kwargs={"code": acme.store.code}), follow=True)
    assert "Test orders can be placed only in the sandbox" in response.text
    assert not Order.objects.exists()
