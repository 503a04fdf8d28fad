"""The guide's check, end to end in real browsers: a client places a test order in its sandbox
Shopify shop; it arrives by the shop's signed webhook and a real worker, with its print file
checked, in Storefronts and in Connect; the printer's staff move it through production to
Shipped with tracking; the client's order page follows each status without a reload; and the
shop shows the fulfillment with the tracking number."""

import re

import pytest
from playwright.sync_api import expect

from catalog.models import CatalogVariant
from catalog.seed import seed_catalog
from core.tenancy import Role
from core.testing import PASSWORD, wait_for
from orders.models import Order

from .arrival import SHOPIFY_SHOP, SHOPIFY_VARIANT_BASE, demo_variant, shop_page
from .helpers import map_variant

pytestmark = [pytest.mark.browser, pytest.mark.worker]

PATIENCE = 60_000  # for the worker and the 5-second polling; never a measure of speed
STEPS = ["Passed", "In production", "Printed", "Packaged"]


def signed_in(browser, live_server, user):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return context, page


def test_a_test_order_goes_from_the_shop_to_shipped_and_back(
    browser, live_server, shopify, shopify_store, acme, staff, celery_worker
):
    # The client has mapped the product the test order is for to an A4 portrait poster, with a
    # print-ready file (A4 at 300 DPI).
    seed_catalog()
    a4_poster = CatalogVariant.objects.filter(uid__startswith="flat_product_pf_a4_", uid__endswith="_ver")
    variant = demo_variant(shopify, SHOPIFY_SHOP)
    map_variant(
        shopify_store,
        str(SHOPIFY_VARIANT_BASE + variant),
        design_url=f"{shopify}/files/poster-2480x3508-300dpi.png",
        uid=a4_poster.order_by("id").first().uid,
    )

    client_context, client_page = signed_in(browser, live_server, acme.user(Role.ADMIN))
    client_page.goto(f"{live_server.url}/storefronts/stores/{shopify_store.code}/")
    client_page.get_by_role("button", name="Place test order").click()
    placed = client_page.get_by_text(re.compile(r"Test order #\d+ placed in the shop"))
    expect(placed).to_be_visible()
    number = re.search(r"#\d+", placed.inner_text()).group(0)

    # It arrives through the webhook and the worker, its print file checked.
    assert wait_for(
        lambda: Order.objects.filter(store=shopify_store, number=number, hold="").exists(), timeout=60
    )
    order = Order.objects.get(store=shopify_store, number=number)
    client_page.get_by_role("link", name="Orders", exact=True).click()
    client_page.get_by_role("link", name=number).click()
    status = client_page.get_by_test_id("order-status")
    expect(status).to_contain_text("Received")
    expect(client_page.locator("#order-live").get_by_text("File OK")).to_be_visible()

    staff_context, staff_page = signed_in(browser, live_server, staff)
    staff_page.goto(f"{live_server.url}/connect/orders/")
    staff_page.get_by_role("link", name=number).click()
    expect(staff_page.get_by_role("heading", name=f"Order {number}")).to_be_visible()
    expect(staff_page.get_by_text("File OK").first).to_be_visible()

    # Staff move it on; the client's open page shows each status as it comes (htmx polling).
    for step in STEPS:
        staff_page.get_by_label("Move to").select_option(label=step)
        staff_page.get_by_role("button", name="Move").click()
        expect(staff_page.locator("#order-production").get_by_text(f"moved to {step}.")).to_be_visible()
        expect(status).to_contain_text(step, timeout=PATIENCE)
    staff_page.get_by_label("Move to").select_option(label="Shipped")
    staff_page.get_by_label("Carrier").fill("DHL")
    staff_page.get_by_label("Tracking code").fill("PF-GUIDE-4471")
    staff_page.get_by_label("Tracking URL").fill("https://dhl.example/track/PF-GUIDE-4471")
    staff_page.get_by_role("button", name="Move").click()
    expect(status).to_contain_text("Shipped", timeout=PATIENCE)
    expect(client_page.locator("#order-live").get_by_role("link", name="PF-GUIDE-4471")).to_be_visible()
    assert client_page.evaluate("performance.getEntriesByType('navigation').length") == 1

    # The tracking went back to the shop once, and the order says so.
    assert wait_for(lambda: "PF-GUIDE-4471" in shop_page(shopify, SHOPIFY_SHOP), timeout=60)
    rows = re.split(r"(?=<li data-order-id=)", shop_page(shopify, SHOPIFY_SHOP))[1:]  # one per order
    fulfilled = [
        re.match(r'<li data-order-id="(\d+)"', row).group(1) for row in rows if "PF-GUIDE-4471" in row
    ]
    assert fulfilled == [order.external_id]
    assert (
        rows[[row.startswith(f'<li data-order-id="{order.external_id}"') for row in rows].index(True)].count(
            "PF-GUIDE-4471"
        )
        == 1
    )  # one fulfillment, not two
    client_page.reload()
    expect(client_page.get_by_text("Tracking sent to Shopify.").first).to_be_visible()
    staff_context.close()
    client_context.close()
