"""A manual store's orders in a real browser: one placed through the form (a mapped product and a
catalog product with an uploaded print file, a row added with htmx, the file checked by a real
worker), and a CSV import refused for a bad row, then imported by a real worker from the
corrected file."""

import csv

import pytest
from playwright.sync_api import expect

from catalog.models import FileCheck
from catalog.tests.publishing_helpers import png
from core.tenancy import Role
from core.testing import PASSWORD, wait_for
from orders import csv_import
from orders.models import Hold, Order
from orders.tests.manual_helpers import SHARP, card_variant, mapped_card

pytestmark = pytest.mark.browser


def sign_in(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_place_an_order_by_hand(page, live_server, acme, celery_worker, tmp_path):
    variant = mapped_card(acme.store)
    design = tmp_path / "card.png"
    design.write_bytes(png(*SHARP))
    sign_in(page, live_server, acme.user(Role.ADMIN))
    page.goto(f"{live_server.url}/storefronts/stores/{acme.store.code}/")
    page.locator("#manual-orders").get_by_role("link", name="Place order").click()

    page.get_by_label("Order reference").fill("SHOP-42")
    page.get_by_label("Name", exact=True).fill("Ana García")
    page.get_by_label("Address line 1").fill("Calle Mayor 1")
    page.get_by_label("City").fill("Madrid")
    page.get_by_label("Postcode").fill("28013")
    page.get_by_label("Country").select_option("ES")
    page.locator('[name="items-0-variant"]').select_option(variant.code.hex)
    page.locator('[name="items-0-quantity"]').fill("3")
    page.evaluate("window.samePage = true")
    page.get_by_role("button", name="Add item").click()
    page.locator('[name="items-1-uid"]').fill(card_variant().uid)
    assert page.evaluate("window.samePage === true")  # htmx added the row in place: no reload
    page.locator('[name="items-1-quantity"]').fill("25")
    page.locator('[name="items-1-design_upload"]').set_input_files(str(design))
    page.get_by_role("button", name="Place order").last.click()

    assert page.get_by_text("Order SHOP-42 is placed.").is_visible()
    order = Order.objects.get(store=acme.store, external_id="SHOP-42")
    assert [(item.quantity, item.product_uid) for item in order.items.order_by("position")] == [
        (3, card_variant().uid),
        (25, card_variant().uid),
    ]
    assert wait_for(lambda: not order.items.filter(file_check=FileCheck.PENDING).exists())
    order.refresh_from_db()
    assert order.hold == Hold.NONE


def write_csv(path, rows):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(csv_import.COLUMNS)
        writer.writerows(rows)
    return str(path)


def test_import_orders_a_bad_file_then_a_good_one(page, live_server, acme, celery_worker, tmp_path):
    mapped_card(acme.store, sku="CARD-1")
    uid = card_variant().uid
    address = ["Ana García", "", "Calle Mayor 1", "", "Madrid", "", "28013", "ES", ""]
    good = [
        ["A-1", "Ana", "", *address, "CARD-1", "2", ""],
        ["A-1", "Ana", "", *address, uid, "10", "https://files.example/a.pdf"],
        ["A-2", "Bo", "", *address, uid, "1", "https://files.example/b.pdf"],
    ]
    bad = [*good[:2], ["A-2", "Bo", "", *address, "NOPE-9", "1", ""]]
    sign_in(page, live_server, acme.user(Role.ORDER_MANAGER))  # from the dashboard: no store pages
    page.get_by_role("link", name="Import orders").click()

    page.get_by_label("CSV file").set_input_files(write_csv(tmp_path / "bad.csv", bad))
    page.get_by_role("button", name="Check file").click()
    assert page.get_by_text("The file has one error.").is_visible()
    errors = page.locator("#import-errors tbody tr")
    assert errors.count() == 1 and errors.first.locator("td").first.inner_text() == "4"
    assert "NOPE-9 is neither a SKU of this store nor a product UID" in errors.first.inner_text()
    assert not Order.objects.exists()

    page.get_by_label("CSV file").set_input_files(write_csv(tmp_path / "good.csv", good))
    page.get_by_role("button", name="Check file").click()
    assert page.locator(".details").inner_text().split() == ["Orders", "2", "Items", "3", "Pieces", "13"]
    assert not Order.objects.exists()
    page.get_by_role("button", name="Import 2 orders").click()
    # The worker imports them; the page polls until it is done.
    expect(page.locator("#import-state").get_by_text("Imported 2 orders.")).to_be_visible(timeout=30_000)
    assert sorted(Order.objects.values_list("external_id", flat=True)) == ["A-1", "A-2"]
    page.get_by_role("link", name="Import another file").click()
    assert page.locator("table").get_by_role("link", name="good.csv").is_visible()
