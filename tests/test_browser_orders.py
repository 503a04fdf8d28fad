"""Storefronts > Orders in a real browser, at desktop and phone width: the client's list and an
order's page; a move by the printer shows on the open page without a reload (htmx)."""

import pytest
from playwright.sync_api import expect

from catalog.models import FileCheck
from core.tenancy import Role
from core.testing import PASSWORD
from integrations.types import SourceOrderLine
from orders.intake import settle
from orders.models import ItemStatus
from orders.production import move_items
from orders.tests.helpers import make_order, map_variant, store_of
from tests.keyboard import follow, tab_to

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
LONG_TITLE = (
    "Heavyweight organic cotton poster with an embroidered sunset-over-the-harbour artwork, autumn edition"
)


@pytest.fixture
def ready_order(acme):
    """An order whose items are mapped and whose print files passed: production may move it."""
    shop = store_of(acme, name="Harbour Prints")
    map_variant(shop, "V1", design_url="https://files.example/designs/" + "sunset-final-" * 8 + "v3.pdf")
    lines = (
        SourceOrderLine("L1", LONG_TITLE, 2, sku="SUN-A4-" + "X" * 30, product_id="P1", variant_id="V1"),
    )
    order = make_order(shop, number="#1001", lines=lines, customer_name="Sam Buyer")
    order.items.update(file_check=FileCheck.OK)
    settle(order)
    make_order(store_of(acme, name="Mugs"), number="#2001", customer_email="bo@example.com")
    return order


def sign_in(browser, live_server, user, viewport):
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return context, page


def fits(page):
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url} is {widths[0]} px wide on a {widths[1]} px screen"


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_the_orders_list_and_an_order_page(browser, live_server, acme, ready_order, width):
    context, page = sign_in(browser, live_server, acme.user(Role.VIEWER), WIDTHS[width])
    if width == "phone":  # the menu, by keyboard
        tab_to(page, page.get_by_role("button", name="Menu"))
        page.keyboard.press("Enter")
        follow(page, page.get_by_role("link", name="Orders", exact=True))
    else:
        page.get_by_role("link", name="Orders", exact=True).click()
    expect(page.get_by_role("heading", name="Orders", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="#2001")).to_be_visible()
    fits(page)
    page.get_by_role("link", name="#1001").click()
    expect(page.get_by_role("heading", name="Order #1001")).to_be_visible()
    expect(page.get_by_test_id("order-status")).to_contain_text("Received")
    expect(page.get_by_text(LONG_TITLE)).to_be_visible()
    fits(page)
    context.close()


def test_a_move_by_the_printer_shows_without_a_reload(browser, live_server, acme, staff, ready_order):
    context, page = sign_in(browser, live_server, acme.user(Role.ORDER_MANAGER), WIDTHS["desktop"])
    page.goto(f"{live_server.url}/storefronts/orders/{ready_order.code}/")
    status = page.get_by_test_id("order-status")
    expect(status).to_contain_text("Received")
    page.evaluate("window.stillTheSamePage = true")

    move_items(staff, ready_order, [], ItemStatus.PASSED)
    expect(status).to_contain_text("Passed", timeout=30_000)
    move_items(staff, ready_order, [], ItemStatus.CANCELED, reason="The buyer changed their mind")
    expect(status).to_contain_text("Canceled", timeout=30_000)
    expect(page.get_by_text("The buyer changed their mind").first).to_be_visible()
    assert page.evaluate("window.stillTheSamePage") is True
    # A final status: the live part stops asking.
    assert page.locator("#order-live[hx-trigger]").count() == 0
    context.close()
