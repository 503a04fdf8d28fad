"""Connect > Orders in a real browser: staff open the queue, open an order and move it to Shipped
with tracking (htmx, no reload); the queue and the order page fit a 390 px phone."""

import pytest
from playwright.sync_api import expect

from core.testing import PASSWORD
from integrations.types import SourceOrderLine
from orders.models import ItemStatus, Order
from orders.production import move_items
from orders.tests.connect_helpers import files_checked, line, place
from orders.tests.helpers import map_variant, store_of
from storefronts.models import Store

pytestmark = pytest.mark.browser

SHOWS = {"order": "Harbour poster", "needs-mapping": "Limited edition heavyweight"}
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
LONG = "Limited edition heavyweight organic cotton crewneck with embroidered sunset-over-the-harbour artwork"


@pytest.fixture
def packaged(acme, staff):
    """An order of a manual store, packaged and ready to ship."""
    shop = store_of(acme, platform=Store.Platform.MANUAL, name="Acme by hand")
    map_variant(shop, "V1")
    order = files_checked(place(shop, 1, lines=[line(1, "Harbour poster", "V1", 2)]))
    for target in (ItemStatus.PASSED, ItemStatus.IN_PRODUCTION, ItemStatus.PRINTED, ItemStatus.PACKAGED):
        move_items(staff, order, [], target)
    return order


def signed_in(browser, live_server, staff, viewport):
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return context, page


def test_staff_ship_an_order_with_tracking(browser, live_server, staff, packaged):
    context, page = signed_in(browser, live_server, staff, DESKTOP)
    page.goto(f"{live_server.url}/connect/")
    page.get_by_role("link", name="Orders", exact=True).click()
    page.get_by_role("link", name="In production").click()
    page.get_by_role("link", name="#1001").click()
    expect(page.get_by_role("heading", name="Order #1001")).to_be_visible()

    move_to = page.get_by_label("Move to")
    expect(move_to.locator("option")).to_have_text(["Shipped", "Canceled"])
    move_to.select_option(label="Shipped")
    page.get_by_label("Carrier").fill("DHL")
    page.get_by_label("Tracking code").fill("JD014600003")
    page.get_by_label("Tracking URL").fill("https://dhl.example/track/JD014600003")
    page.get_by_role("button", name="Move").click()

    expect(page.locator("#order-production").get_by_text("1 item(s) moved to Shipped.")).to_be_visible()
    # The swap kept the focus on the button, in the new panel: Tab goes on from there.
    expect(page.get_by_role("button", name="Move")).to_be_focused()
    expect(page.locator("#order-history")).to_contain_text("Shipped with DHL, tracking JD014600003.")
    expect(page.get_by_role("link", name="JD014600003")).to_be_visible()
    # The page was not reloaded: htmx swapped the panel and the history.
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
    item = Order.objects.get(pk=packaged.pk).items.get()
    assert (item.status, item.carrier, item.tracking_code) == (ItemStatus.SHIPPED, "DHL", "JD014600003")
    context.close()


def test_a_refused_move_shows_why_in_the_browser(browser, live_server, staff, packaged):
    context, page = signed_in(browser, live_server, staff, DESKTOP)
    page.goto(f"{live_server.url}/connect/orders/{packaged.code}/")
    page.get_by_label("Move to").select_option(label="Shipped")
    page.get_by_label("Carrier").fill("DHL")
    page.get_by_role("button", name="Move").click()
    expect(page.get_by_role("alert")).to_have_text("Shipping needs the carrier and the tracking code.")
    assert Order.objects.get(pk=packaged.pk).status == ItemStatus.PACKAGED
    context.close()


# What sticks out past the screen's right edge, for the failure message.
WIDEST = """[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).slice(0, 15)"""


@pytest.mark.parametrize("name", ["queue", "queue-filtered", "order", "held-order", "needs-mapping"])
def test_the_pages_fit_a_phone(name, browser, live_server, staff, acme, packaged):
    shop = store_of(acme, name="Acme Apparel — the main Shopify storefront of the autumn collection")
    held = place(
        shop,
        2,
        customer_name="Maximiliane Featherstonehaugh-Worthington",
        customer_email="maximiliane.featherstonehaugh-worthington@example.com",
        lines=[line(1, LONG, "V-" + "9" * 40, 3, sku="SKU-" + "X" * 60), SourceOrderLine("L2", LONG, 1)],
    )
    urls = {
        "queue": "/connect/orders/?tab=all",
        "queue-filtered": f"/connect/orders/?tab=held&client={acme.client.code}&q=Maximiliane",
        "order": f"/connect/orders/{packaged.code}/",
        "held-order": f"/connect/orders/{held.code}/",
        "needs-mapping": "/connect/orders/needs-mapping/",
    }
    context, page = signed_in(browser, live_server, staff, PHONE)
    response = page.goto(live_server.url + urls[name])
    assert response.status == 200
    expect(page.get_by_text(SHOWS.get(name, "Maximiliane")).first).to_be_attached()
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{name} is {widths[0]} px wide: {page.evaluate(WIDEST)}"
    assert page.locator(".nav a[aria-current=page]").all_text_contents() == ["Orders"]
    context.close()


def test_choosing_items_offers_their_moves(browser, live_server, staff, acme):
    shop = store_of(acme, platform=Store.Platform.MANUAL, name="Acme by hand")
    map_variant(shop, "V1")
    map_variant(shop, "V2")
    order = files_checked(place(shop, 1, lines=[line(1, "Poster", "V1"), line(2, "Canvas", "V2")]))
    poster = order.items.get(title="Poster")
    move_items(staff, order, [poster.code], ItemStatus.PASSED)
    context, page = signed_in(browser, live_server, staff, DESKTOP)
    page.goto(f"{live_server.url}/connect/orders/{order.code}/")
    options = page.get_by_label("Move to").locator("option")
    expect(options).to_have_text(["Failed", "Canceled"])  # what a passed and a received item share
    page.get_by_label("Move Canvas").uncheck()
    expect(options).to_have_text(["Failed", "In production", "Canceled"])
    page.get_by_label("Move to").select_option(label="In production")
    page.get_by_role("button", name="Move").click()
    expect(page.locator("#order-production").get_by_text("1 item(s) moved to In production.")).to_be_visible()
    assert Order.objects.get(pk=order.pk).items.get(title="Canvas").status == ItemStatus.RECEIVED
    context.close()
