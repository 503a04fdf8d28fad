"""Place order in a manual store: items from the store's mapped products or the catalog, each
print file checked by the worker; every refusal changes nothing."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.urls import reverse

from catalog.models import FileCheck
from core.models import AuditEvent
from core.tenancy import Role
from core.testing import wait_for
from integrations.types import Address
from orders.manual import ManualItem, ManualOrder, ReferenceTaken, place_order
from orders.models import Hold, Order, OrderEvent
from storefronts.models import Store

from .helpers import store_of
from .manual_helpers import BLURRY, SHARP, card_variant, mapped_card, order_form, upload


def place_url(store):
    return reverse("orders:manual_place", kwargs={"code": store.code})


def as_order_manager(client, world):
    client.force_login(world.user(Role.ORDER_MANAGER))
    return client


def checked(order):
    return wait_for(lambda: not order.items.filter(file_check=FileCheck.PENDING).exists())


@pytest.mark.django_db(transaction=True)
def test_placed_by_hand_and_its_print_files_checked_by_the_worker(client, acme, celery_worker):
    variant = mapped_card(acme.store)
    as_order_manager(client, acme)
    response = client.post(
        place_url(acme.store),
        order_form(
            [
                {"variant": variant.code.hex, "quantity": "2"},
                {"uid": card_variant().uid, "quantity": "50", "design_upload": upload(SHARP)},
            ],
            reference="GOOD-1",
        ),
    )
    assert response.status_code == 302, response.content
    good = Order.objects.get(external_id="GOOD-1")
    response = client.post(
        place_url(acme.store),
        order_form(
            [
                {"variant": variant.code.hex, "quantity": "1"},
                {"uid": card_variant().uid, "quantity": "10", "design_upload": upload(BLURRY)},
            ],
            reference="BLURRY-1",
        ),
    )
    blurry = Order.objects.get(external_id="BLURRY-1")
    assert checked(good) and checked(blurry)

    good.refresh_from_db()
    assert (good.source, good.hold, good.placed_by) == (
        Order.Source.MANUAL,
        Hold.NONE,
        acme.user(Role.ORDER_MANAGER),
    )
    mapped, catalog = good.items.order_by("position")
    assert (mapped.quantity, mapped.store_variant, mapped.product_uid) == (2, variant, card_variant().uid)
    assert (catalog.quantity, catalog.catalog_variant, catalog.design_file_url) == (50, card_variant(), "")
    assert default_storage.exists(catalog.design_file.name)
    assert {mapped.file_check, catalog.file_check} == {FileCheck.OK}
    assert good.shipping_address["country"] == "ES" and good.customer_name == "Ana García"

    blurry.refresh_from_db()
    assert blurry.hold == Hold.FILE_PROBLEM
    mapped, catalog = blurry.items.order_by("position")
    assert mapped.file_check == FileCheck.OK
    assert catalog.file_check == FileCheck.PROBLEM
    assert "300 \u00d7 200 px" in catalog.file_problem and "at least 300 DPI" in catalog.file_problem
    # The history says what happened, never that a catalog item needed mapping.
    holds = list(blurry.events.filter(kind=OrderEvent.Kind.HOLD).values_list("message", flat=True))
    assert holds == [Hold.FILE_PENDING.label, Hold.FILE_PROBLEM.label]
    assert AuditEvent.objects.filter(verb="order.placed", target="BLURRY-1").count() == 1


@pytest.mark.django_db
def test_a_reference_is_made_up_when_left_empty(client, acme):
    as_order_manager(client, acme)
    for _ in range(2):
        response = client.post(
            place_url(acme.store),
            order_form(
                [{"uid": card_variant().uid, "quantity": "1", "design_url": "https://files.example/a.pdf"}]
            ),
        )
        assert response.status_code == 302
    references = list(Order.objects.values_list("external_id", flat=True))
    assert len(set(references)) == 2 and all(reference.startswith("M-") for reference in references)
    item = Order.objects.first().items.get()
    assert (item.design_file_url, item.file_check) == ("https://files.example/a.pdf", FileCheck.PENDING)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("item", "fields", "message"),
    [
        ({"quantity": "0"}, {}, "greater than or equal to 1"),
        ({}, {"ship_country": "XX"}, "Select a valid choice"),
        ({}, {"ship_line1": ""}, "This field is required"),
        ({}, {"customer_email": "not-an-email"}, "Enter a valid email address"),
        ({"design_upload": None}, {}, "A catalog product needs its print file"),
        (
            {"design_upload": upload(name="card.gif")},
            {},
            "card.gif is not a file this product takes: send PDF or PNG.",
        ),
        ({"design_url": "https://files.example/a.pdf"}, {}, "Give a URL or upload a file, not both."),
        ({"design_upload": None, "design_url": "ftp://files.example/a.pdf"}, {}, "Only http and https URLs"),
        ({"design_upload": None, "design_url": "http://10.0.0.5/a.pdf"}, {}, "10.0.0.5"),
        ({"uid": "no_such_uid"}, {}, "No product of the catalog has the UID no_such_uid."),
        ({"uid": "", "design_upload": None}, {}, "Add at least one item"),
    ],
)
def test_what_is_wrong_is_said_and_nothing_changes(client, acme, item, fields, message):
    as_order_manager(client, acme)
    row = {"uid": card_variant().uid, "quantity": "3", "design_upload": upload(), **item}
    row = {name: value for name, value in row.items() if value is not None}
    response = client.post(place_url(acme.store), order_form([row], **fields))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Order.objects.exists() and not AuditEvent.objects.filter(verb="order.placed").exists()
    assert not default_storage.exists("print-files")


@pytest.mark.django_db
def test_a_used_reference_and_too_many_items_are_refused(client, acme):
    as_order_manager(client, acme)
    row = {"uid": card_variant().uid, "quantity": "1", "design_url": "https://files.example/a.pdf"}
    assert client.post(place_url(acme.store), order_form([row], reference="R-1")).status_code == 302
    response = client.post(place_url(acme.store), order_form([row], reference="R-1"))
    assert response.status_code == 400 and "This store already has an order R-1." in response.content.decode()
    response = client.post(place_url(acme.store), order_form([row] * 101, reference="R-2"))
    assert response.status_code == 400 and "An order has at most 100 items." in response.content.decode()
    assert Order.objects.count() == 1


@pytest.mark.django_db
def test_item_rows_are_added_with_htmx_and_without(client, acme):
    as_order_manager(client, acme)
    row = reverse("orders:manual_item_row", kwargs={"code": acme.store.code})
    response = client.get(row, {"items-TOTAL_FORMS": "1"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert 'name="items-1-uid"' in html and 'id="item-1"' in html
    assert 'name="items-TOTAL_FORMS" value="2"' in html and 'hx-swap-oob="true"' in html
    # Without JavaScript "Add item" posts the form back with one more row, keeping what was typed.
    data = order_form([{"uid": "typed_uid", "quantity": "4"}], add_item="1", ship_city="Sevilla")
    html = client.post(place_url(acme.store), data).content.decode()
    assert 'name="items-1-uid"' in html and 'value="typed_uid"' in html and 'value="Sevilla"' in html
    assert 'name="items-TOTAL_FORMS" value="2"' in html and 'name="items-INITIAL_FORMS" value="0"' in html
    assert "This field is required" not in html and "not placed" not in html
    assert not Order.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.VIEWER, 403), (Role.STORE_MANAGER, 403), (Role.ADMIN, 302), (Role.ORDER_MANAGER, 302)],
)
def test_who_may_place_an_order(client, acme, role, status):
    client.force_login(acme.user(role))
    row = {"uid": card_variant().uid, "quantity": "1", "design_url": "https://files.example/a.pdf"}
    response = client.post(place_url(acme.store), order_form([row], reference="R-9"))
    assert response.status_code == status
    assert Order.objects.count() == (1 if status == 302 else 0)
    if status == 302:  # where it leads, this role may go
        assert "Order R-9 is placed." in client.get(response.url).content.decode()


@pytest.mark.django_db
def test_only_the_clients_own_manual_stores(client, acme, globex):
    as_order_manager(client, acme)
    assert client.get(place_url(globex.store)).status_code == 404
    assert client.get(place_url(store_of(acme, Store.Platform.SHOPIFY))).status_code == 404


@pytest.mark.django_db
def test_the_store_page_and_dashboard_link_to_placing_and_importing(client, acme):
    place, imports = place_url(acme.store), reverse("orders:manual_import", kwargs={"code": acme.store.code})
    client.force_login(acme.user(Role.ADMIN))
    html = client.get(reverse("integrations:store", kwargs={"code": acme.store.code})).content.decode()
    assert place in html and imports in html
    client.force_login(acme.user(Role.ORDER_MANAGER))  # sees no store pages: the dashboard links
    html = client.get(reverse("storefronts:dashboard")).content.decode()
    assert place in html and imports in html
    client.force_login(acme.user(Role.VIEWER))
    html = client.get(reverse("integrations:store", kwargs={"code": acme.store.code})).content.decode()
    assert place not in html and imports not in html


@pytest.mark.django_db(transaction=True)
def test_the_same_reference_placed_twice_at_once_makes_one_order(acme):
    item = ManualItem(quantity=1, catalog_variant=card_variant(), design_url="https://files.example/a.pdf")
    address = Address(name="Ana", line1="Calle Mayor 1", city="Madrid", postcode="28013", country="ES")

    def place(customer):
        try:
            return place_order(
                None, acme.store, ManualOrder("SAME", address, (item,), customer_name=customer)
            )
        except ReferenceTaken:
            return None
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        placed = list(pool.map(place, ["First", "Second"]))
    assert sum(order is not None for order in placed) == 1
    order = Order.objects.get()
    assert order.items.count() == 1 and order.customer_name in ("First", "Second")
    assert not order.events.filter(kind=OrderEvent.Kind.UPDATED).exists()  # never changed by the other
