"""Connect's order page: staff move items through production, with history; refused moves change
nothing and say why; a held order says why in words."""

import re

import pytest
from django.urls import reverse

from catalog.models import FileCheck
from core.tenancy import Role
from integrations.types import SourceOrderLine
from orders.intake import settle
from orders.models import Hold, ItemStatus, Order, OrderEvent, OutboxMessage
from storefronts.models import Store

from .connect_helpers import files_checked, line, place
from .helpers import map_variant, store_of

pytestmark = pytest.mark.django_db
S = ItemStatus
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def shop(acme):
    store = store_of(acme, platform=Store.Platform.MANUAL, name="Acme by hand")
    map_variant(store, "V1")
    map_variant(store, "V2")
    return store


@pytest.fixture
def order(shop):
    """A ready order of two items (V1 and V2)."""
    return files_checked(place(shop, 1, lines=[line(1, "Poster", "V1", 2), line(2, "Canvas", "V2", 1)]))


def move(client, order, target, items=None, htmx=False, **fields):
    codes = items if items is not None else [str(i.code) for i in order.items.exclude(status=S.CANCELED)]
    return client.post(
        reverse("orders:connect_order_move", args=[order.code]),
        {"items": codes, "target": target, **fields},
        **(HTMX if htmx else {}),
    )


def state(order):
    """Everything a move could change."""
    order.refresh_from_db()
    return (
        order.status,
        order.hold,
        sorted(order.items.values_list("status", "status_reason", "tracking_code")),
        order.events.count(),
        OutboxMessage.objects.filter(order=order).count(),
    )


def test_the_page_shows_the_order(client, staff, order):
    client.force_login(staff)
    response = client.get(reverse("orders:connect_order", args=[order.code]))
    assert response.status_code == 200
    text = response.text
    for expected in (
        "Order #1001",
        "Acme",
        "Acme by hand",
        "Customer 1",
        "1 Harbour Road",
        "BS1 4ST Bristol",
    ):
        assert expected in text, expected
    for item in order.items.all():
        assert item.title in text and item.product_uid in text
    assert "Received from Acme by hand" in text  # the history
    assert 'aria-current="page">Orders<' in text  # the Connect menu marks Orders


def test_moving_through_every_status_keeps_the_history(client, staff, order):
    client.force_login(staff)
    path = [
        S.PASSED,
        S.IN_PRODUCTION,
        S.PRINTED,
        S.PACKAGED,
        S.SHIPPED,
        S.IN_TRANSIT,
        S.DELIVERED,
        S.RETURNED,
    ]
    for target in path:
        fields = {
            "carrier": "DHL",
            "tracking_code": "JD014600",
            "tracking_url": "https://dhl.example/JD014600",
        }
        response = move(client, order, target, reason="Damaged in transit", **fields)
        assert response.status_code == 302, response.content
        order.refresh_from_db()
        assert order.status == target
        assert set(order.items.values_list("status", flat=True)) == {target}
    moves = list(order.events.filter(kind=OrderEvent.Kind.STATUS).order_by("id"))
    assert len(moves) == 2 * len(path)
    assert [event.to_status for event in moves[::2]] == path
    assert all(event.actor == staff for event in moves)
    item = order.items.first()
    assert (item.carrier, item.tracking_code, item.status_reason) == ("DHL", "JD014600", "Damaged in transit")
    page = client.get(reverse("orders:connect_order", args=[order.code])).text
    assert "Shipped with DHL, tracking JD014600." in page
    assert "Delivered → Returned · Damaged in transit" in page


def test_failed_then_passed_after_all(client, staff, order):
    client.force_login(staff)
    assert move(client, order, S.FAILED, reason="Colours off").status_code == 302
    order.refresh_from_db()
    assert order.status == S.FAILED
    assert move(client, order, S.PASSED).status_code == 302
    order.refresh_from_db()
    assert order.status == S.PASSED


def test_a_held_order_refuses_production_and_changes_nothing(client, staff, shop):
    unpaid = files_checked(place(shop, 2, paid=False))
    client.force_login(staff)
    before = state(unpaid)
    response = move(client, unpaid, S.PASSED)
    assert response.status_code == 200
    assert "This order is held (Not paid yet)" in response.text
    assert state(unpaid) == before


def test_shipping_without_tracking_is_refused(client, staff, order):
    client.force_login(staff)
    for target in (S.PASSED, S.IN_PRODUCTION, S.PRINTED, S.PACKAGED):
        move(client, order, target)
    before = state(order)
    response = move(client, order, S.SHIPPED, carrier="DHL", htmx=True)
    assert response.status_code == 200
    assert "Shipping needs the carrier and the tracking code." in response.text
    assert 'id="order-production"' in response.text  # htmx: just the panel comes back
    assert state(order) == before


def test_an_illegal_jump_is_refused(client, staff, order):
    client.force_login(staff)
    before = state(order)
    response = move(client, order, S.SHIPPED, carrier="DHL", tracking_code="JD1")
    assert "An item that is Received cannot be moved to Shipped." in response.text
    assert state(order) == before


def test_canceling_needs_a_reason(client, staff, order):
    client.force_login(staff)
    before = state(order)
    response = move(client, order, S.CANCELED)
    assert "Say why" in response.text
    assert state(order) == before


def test_no_item_chosen_moves_nothing(client, staff, order):
    client.force_login(staff)
    before = state(order)
    response = move(client, order, S.PASSED, items=[])
    assert "Choose at least one item." in response.text
    assert state(order) == before


def test_an_item_of_another_order_is_refused(client, staff, shop, order):
    other = files_checked(place(shop, 2))
    client.force_login(staff)
    before = state(order)
    response = move(client, order, S.PASSED, items=[str(other.items.get().code)])
    assert response.status_code == 200
    assert state(order) == before


def test_partial_cancel_and_the_derived_status(client, staff, order):
    poster, canvas = order.items.order_by("position")
    client.force_login(staff)
    response = move(client, order, S.CANCELED, items=[str(canvas.code)], reason="Out of canvas", htmx=True)
    assert response.status_code == 200
    assert "1 item(s) moved to Canceled." in response.text
    assert 'id="order-history" class="section" hx-swap-oob="true"' in response.text
    order.refresh_from_db()
    canvas.refresh_from_db()
    assert (canvas.status, canvas.status_reason) == (S.CANCELED, "Out of canvas")
    assert order.status == S.RECEIVED  # the live item decides
    move(client, order, S.PASSED, items=[str(poster.code)])
    move(client, order, S.IN_PRODUCTION, items=[str(poster.code)])
    order.refresh_from_db()
    assert order.status == S.IN_PRODUCTION
    move(client, order, S.CANCELED, items=[str(poster.code)], reason="Client changed their mind")
    order.refresh_from_db()
    assert order.status == S.CANCELED


def test_the_move_form_offers_only_what_the_chosen_items_may_do(client, staff, order):
    poster = order.items.order_by("position").first()
    client.force_login(staff)
    move(client, order, S.PASSED, items=[str(poster.code)])
    url = reverse("orders:connect_order", args=[order.code])
    page = client.get(url).text  # both chosen: received and passed share Failed and Canceled
    assert options(page) == ["Failed", "Canceled"]
    just_poster = client.get(url, {"panel": "1", "items": [str(poster.code)]}, **HTMX).text
    assert options(just_poster) == ["Failed", "In production", "Canceled"]
    assert 'id="move-form"' in just_poster and "<h1>" not in just_poster
    none_chosen = client.get(url, {"panel": "1"}, **HTMX).text
    assert "<h1>" not in none_chosen and "Choose the items to move." in none_chosen


def options(html):
    select = re.search(r'<select name="target".*?</select>', html, re.S).group(0)
    return re.findall(r">([^<]+)</option>", select)


def test_shipping_a_shop_order_queues_the_tracking_for_the_shop(client, staff, acme):
    shop = store_of(acme)  # Shopify
    map_variant(shop, "V1")
    order = files_checked(place(shop, 1))
    client.force_login(staff)
    for target in (S.PASSED, S.IN_PRODUCTION, S.PRINTED, S.PACKAGED):
        move(client, order, target)
    move(
        client,
        order,
        S.SHIPPED,
        carrier="UPS",
        tracking_code="1Z999",
        tracking_url="https://ups.example/1Z999",
    )
    message = OutboxMessage.objects.get(order=order)
    assert message.payload["tracking_code"] == "1Z999"


def test_a_held_order_shows_the_reason_in_words(client, staff, acme):
    shop = store_of(acme)
    order = place(shop, 1, lines=[SourceOrderLine("L1", "Gift wrap", 1)])
    assert order.hold == Hold.NEEDS_MAPPING
    client.force_login(staff)
    page = client.get(reverse("orders:connect_order", args=[order.code])).text
    assert "Held: Needs mapping." in page
    assert "Some items are not linked to a catalog product yet." in page
    assert "A custom item: no product in the shop." in page


def test_a_file_problem_shows_in_words_and_can_be_checked_again(client, staff, shop):
    order = place(shop, 3)
    order.items.update(file_check=FileCheck.PROBLEM, file_problem="The file is 72 DPI at A4; 300 needed.")
    settle(Order.objects.get(pk=order.pk))
    client.force_login(staff)
    url = reverse("orders:connect_order", args=[order.code])
    page = client.get(url).text
    assert "Held: Print file problem." in page and "The file is 72 DPI at A4; 300 needed." in page
    assert "Check again" in page
    response = client.post(reverse("orders:connect_order_check_files", args=[order.code]), **HTMX)
    assert response.status_code == 200
    item = order.items.get()
    assert (item.file_check, item.file_problem) == (FileCheck.PENDING, "")
    assert Order.objects.get(pk=order.pk).hold == Hold.FILE_PENDING
    assert "Checking" in response.text
    # Without htmx: back to the order page, which says so.
    response = client.post(reverse("orders:connect_order_check_files", args=[order.code]), follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert "The print files will be checked again." in response.text


@pytest.mark.parametrize("role", list(Role))
def test_client_people_cannot_see_or_move_orders_in_connect(client, acme, order, role):
    client.force_login(acme.user(role))
    before = state(order)
    assert client.get(reverse("orders:connect_order", args=[order.code])).status_code == 403
    assert move(client, order, S.PASSED).status_code == 403
    assert client.get(reverse("orders:connect_orders")).status_code == 403
    assert client.get(reverse("orders:connect_needs_mapping")).status_code == 403
    assert state(order) == before


def test_a_missing_order_is_a_404(client, staff):
    client.force_login(staff)
    url = reverse("orders:connect_order", args=["00000000-0000-0000-0000-000000000000"])
    assert client.get(url).status_code == 404


def test_a_print_file_url_is_a_link_only_when_it_is_a_web_address(client, staff, shop):
    order = place(shop, 4)
    order.items.update(design_file_url="javascript:alert(1)")
    client.force_login(staff)
    page = client.get(reverse("orders:connect_order", args=[order.code])).text
    assert 'href="javascript:' not in page and '<code class="url">javascript:alert(1)</code>' in page
    order.items.update(design_file_url="https://files.example/poster.pdf")
    page = client.get(reverse("orders:connect_order", args=[order.code])).text
    assert 'href="https://files.example/poster.pdf"' in page
