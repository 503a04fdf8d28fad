"""Connect > Orders: the production queue across clients, its tabs, filters, search and pages."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from integrations.types import SourceOrderLine
from orders import filters
from orders.models import Hold, ItemStatus, Order
from orders.production import move_items

from .connect_helpers import files_checked, line, place
from .helpers import map_variant, store_of

pytestmark = pytest.mark.django_db

URL = reverse("orders:connect_orders")


def numbers(response):
    """The order numbers the page lists, in order."""
    return re.findall(r'class="table__primary" href="/connect/orders/[^"]+">(#\d+)<', response.text)


def filter_form(response):
    return response.text.split('role="search"')[1].split("</form>")[0]


@pytest.fixture
def shops(acme, globex):
    acme_shop, globex_shop = store_of(acme, name="Acme Shopify"), store_of(globex, name="Globex Shopify")
    map_variant(acme_shop, "V1")
    map_variant(globex_shop, "V1")
    return acme_shop, globex_shop


def test_the_queue_lists_ready_orders_of_every_client_newest_first(client, staff, shops):
    acme_shop, globex_shop = shops
    files_checked(place(acme_shop, 1, hours=1))
    files_checked(place(globex_shop, 2, hours=2))
    place(acme_shop, 3, hours=3)  # its print file is still being checked: held
    client.force_login(staff)
    response = client.get(URL)
    assert response.status_code == 200
    assert numbers(response) == ["#1002", "#1001"]
    assert "Acme" in response.text and "Globex" in response.text
    assert numbers(client.get(URL, {"tab": "all"})) == ["#1003", "#1002", "#1001"]


def test_the_held_tab_shows_why(client, staff, shops):
    acme_shop, _globex_shop = shops
    place(acme_shop, 1, paid=False)
    place(acme_shop, 2, lines=[SourceOrderLine("L1", "Gift wrap", 1)])  # a custom item
    files_checked(place(acme_shop, 3))
    client.force_login(staff)
    response = client.get(URL, {"tab": "held"})
    assert numbers(response) == ["#1002", "#1001"]
    assert "Held: Not paid yet" in response.text and "Held: Needs mapping" in response.text
    only_mapping = client.get(URL, {"tab": "held", "hold": Hold.NEEDS_MAPPING})
    assert numbers(only_mapping) == ["#1002"]


def test_in_production_and_shipped_tabs_follow_the_items(client, staff, shops):
    acme_shop, _globex_shop = shops
    making = files_checked(place(acme_shop, 1))
    for target in (ItemStatus.PASSED, ItemStatus.IN_PRODUCTION):
        move_items(staff, making, [], target)
    sent = files_checked(place(acme_shop, 2))
    for target in (ItemStatus.PASSED, ItemStatus.IN_PRODUCTION, ItemStatus.PRINTED, ItemStatus.PACKAGED):
        move_items(staff, sent, [], target)
    move_items(staff, sent, [], ItemStatus.SHIPPED, carrier="DHL", tracking_code="JD0001")
    client.force_login(staff)
    assert numbers(client.get(URL, {"tab": "production"})) == ["#1001"]
    assert numbers(client.get(URL, {"tab": "shipped"})) == ["#1002"]
    assert numbers(client.get(URL, {"tab": "ready"})) == []


def test_filters_by_client_store_status_and_date(client, staff, acme, globex, shops):
    acme_shop, globex_shop = shops
    second = store_of(acme, name="Acme Etsy")
    map_variant(second, "V1")
    files_checked(place(acme_shop, 1, hours=0))
    files_checked(place(second, 2, hours=24))
    files_checked(place(globex_shop, 3, hours=48))
    client.force_login(staff)
    everything = {"tab": "all"}
    assert numbers(client.get(URL, {**everything, "client": acme.client.code})) == ["#1002", "#1001"]
    assert numbers(client.get(URL, {**everything, "store": second.code})) == ["#1002"]
    assert numbers(client.get(URL, {**everything, "status": ItemStatus.RECEIVED})) == [
        "#1003",
        "#1002",
        "#1001",
    ]
    assert numbers(client.get(URL, {**everything, "status": ItemStatus.SHIPPED})) == []
    days = {"placed_from": "2026-11-03", "placed_to": "2026-11-03"}
    assert numbers(client.get(URL, {**everything, **days})) == ["#1002"]
    assert numbers(client.get(URL, {**everything, "placed_from": "2026-11-03"})) == ["#1003", "#1002"]
    # A value that makes no sense is ignored rather than an error.
    assert client.get(URL, {**everything, "placed_from": "soon", "client": "nobody"}).status_code == 200


def test_search_by_number_customer_sku_and_product_uid(client, staff, shops):
    acme_shop, globex_shop = shops
    files_checked(place(acme_shop, 1, customer_name="Zoe Quill", customer_email="zoe@quill.example"))
    files_checked(place(globex_shop, 2, lines=[line(1, sku="MUG-11OZ", variant="V1")]))
    files_checked(place(globex_shop, 3))
    uid = Order.objects.get(number="#1001").items.get().product_uid
    client.force_login(staff)
    search = {"tab": "all"}
    assert numbers(client.get(URL, {**search, "q": "#1003"})) == ["#1003"]
    assert numbers(client.get(URL, {**search, "q": "quill"})) == ["#1001"]
    assert numbers(client.get(URL, {**search, "q": "zoe@quill.example"})) == ["#1001"]
    assert numbers(client.get(URL, {**search, "q": "mug-11oz"})) == ["#1002"]
    assert len(numbers(client.get(URL, {**search, "q": uid}))) == 3  # one catalog variant for all
    nothing = client.get(URL, {**search, "q": "no such order"})
    assert numbers(nothing) == [] and "No order matches" in nothing.text


def test_an_empty_queue_says_so(client, staff):
    client.force_login(staff)
    response = client.get(URL)
    assert "Nothing ready for production" in response.text
    assert "Orders arrive from the clients" in response.text


def test_pages_of_a_hundred_in_a_stable_order_for_the_same_queries(client, staff, shops):
    acme_shop, _globex_shop = shops
    # 201 orders, several placed at the same moment: the id keeps the order stable.
    for n in range(201):
        place(acme_shop, n, hours=n // 3, test=True)
    client.force_login(staff)
    pages = []
    counts = []
    for number in (1, 2, 3):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL, {"tab": "all", "page": number})
        pages.append(numbers(response))
        counts.append(len(queries))
    assert [len(page) for page in pages] == [100, 100, 1]
    listed = [number for page in pages for number in page]
    expected = list(Order.objects.order_by("-placed_at", "-id").values_list("number", flat=True))
    assert listed == expected and len(set(listed)) == 201
    assert counts[0] == counts[1] == counts[2]
    assert "Page 1 of 3" in client.get(URL, {"tab": "all"}).text


def test_past_max_choices_the_client_is_typed_and_the_stores_are_the_clients(
    client, staff, acme, globex, shops, monkeypatch
):
    """A printer with thousands of clients gets no drop-down of them on every page of the queue."""
    monkeypatch.setattr(filters, "MAX_CHOICES", 1)
    acme_shop, globex_shop = shops
    files_checked(place(acme_shop, 1, hours=1))
    files_checked(place(globex_shop, 2, hours=2))
    acme.client.reference_id = "ACME-7"
    acme.client.save()
    client.force_login(staff)
    everything = {"tab": "all"}
    anyone = client.get(URL, everything)
    assert '<input type="search" name="client"' in anyone.text
    assert 'name="store"' not in filter_form(anyone)  # no client chosen: the stores are not listed
    for typed in ("acme", "Acme", "acme-7", str(acme.client.code)):
        response = client.get(URL, {**everything, "client": typed})
        assert numbers(response) == ["#1001"], typed
        offered = filter_form(response)
        assert acme_shop.name in offered and globex_shop.name not in offered
    assert numbers(client.get(URL, {**everything, "client": "lob"})) == ["#1002"]  # part of a name
    nobody = client.get(URL, {**everything, "client": "Initech"})
    assert numbers(nobody) == [] and "Clear" in nobody.text
    # A store chosen on another page stays chosen, listed or not.
    chosen = client.get(URL, {**everything, "store": globex_shop.code})
    assert numbers(chosen) == ["#1002"]
    assert f'<input type="hidden" name="store" value="{globex_shop.code}">' in chosen.text
