"""Postbacks in a real browser: a client's Admin adds an endpoint (the sandbox's receiver) and
copies its secret; staff ship an order in Connect; the real worker sends the postback, the
receiver verifies it with the standardwebhooks package, and the Admin sees it in the log."""

import json

import pytest
from playwright.sync_api import expect
from standardwebhooks import Webhook

from core.tenancy import Role
from core.testing import wait_for
from orders.models import ItemStatus
from orders.production import move_items
from orders.tests.connect_helpers import files_checked, line, place
from orders.tests.helpers import map_variant, store_of
from postbacks.models import Delivery
from postbacks.tests.helpers import received, receiver_url
from storefronts.models import Store
from tests.test_browser_connect_orders import DESKTOP, signed_in

pytestmark = pytest.mark.browser


@pytest.fixture
def packaged(acme, staff):
    shop = store_of(acme, platform=Store.Platform.MANUAL, name="Acme by hand")
    map_variant(shop, "V1")
    order = files_checked(place(shop, 1, lines=[line(1, "Harbour poster", "V1", 2)]))
    for target in (ItemStatus.PASSED, ItemStatus.IN_PRODUCTION, ItemStatus.PRINTED, ItemStatus.PACKAGED):
        move_items(staff, order, [], target)
    return order


def test_configure_a_postback_ship_an_order_see_the_delivery(
    browser, live_server, acme, staff, packaged, sandbox_url, settings, celery_worker
):
    settings.SANDBOX_ENABLED = True
    url = receiver_url(sandbox_url)
    admin_context, admin = signed_in(browser, live_server, acme.user(Role.ADMIN), DESKTOP)
    admin.goto(f"{live_server.url}/storefronts/")
    admin.get_by_role("link", name="Postbacks").click()
    expect(admin.get_by_text("No postback endpoints yet.")).to_be_visible()
    admin.get_by_role("link", name="Add URL").first.click()
    admin.get_by_label("URL", exact=True).fill(url)
    admin.get_by_label("Description").fill("Our order system")
    admin.get_by_label("Shipped").check()
    admin.get_by_label("Delivered").check()
    admin.get_by_role("button", name="Add endpoint").click()
    expect(admin.get_by_role("heading", name="Signing secret")).to_be_visible()
    secret = admin.get_by_test_id("signing-secret").inner_text().strip()
    assert secret.startswith("whsec_")
    admin.get_by_role("link", name="I have copied it").click()
    expect(admin.get_by_text("Nothing sent yet.")).to_be_visible()

    staff_context, connect = signed_in(browser, live_server, staff, DESKTOP)
    connect.goto(f"{live_server.url}/connect/orders/{packaged.code}/")
    connect.get_by_label("Move to").select_option(label="Shipped")
    connect.get_by_label("Carrier").fill("DHL")
    connect.get_by_label("Tracking code").fill("JD014600003")
    connect.get_by_role("button", name="Move").click()
    expect(connect.locator("#order-production").get_by_text("1 item(s) moved to Shipped.")).to_be_visible()

    assert wait_for(lambda: Delivery.objects.filter(state=Delivery.State.SENT).exists(), timeout=30)
    (got,) = received(url)
    payload = Webhook(secret).verify(got["body"], got["headers"])
    assert payload["type"] == "order.shipped"
    assert payload["data"]["tracking"][0]["tracking_code"] == "JD014600003"

    admin.reload()
    log = admin.locator("#deliveries")
    expect(log).to_contain_text("order.shipped")
    expect(log).to_contain_text("#1001")
    expect(log).to_contain_text("Delivered")
    log.get_by_role("link").first.click()
    expect(admin.get_by_text("Response code")).to_be_visible()
    expect(admin.locator("pre").filter(has_text="JD014600003").first).to_be_visible()
    assert json.loads(got["body"])["data"]["order"]["number"] == "#1001"
    staff_context.close()
    admin_context.close()
