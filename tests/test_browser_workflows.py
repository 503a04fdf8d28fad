"""Workflows in a real browser: staff add a rule that holds orders shipping to Germany for
review; the client places two orders by hand, one to Germany and one to France; once a real
worker has checked their print files, the German one is held with the rule's reason on its
Connect page (and released there), the French one is not held."""

import re

import pytest
from playwright.sync_api import expect

from core.tenancy import Role
from core.testing import PASSWORD, wait_for
from orders.models import Hold, Order
from orders.tests.manual_helpers import mapped_card

pytestmark = [pytest.mark.browser, pytest.mark.worker]

REASON = "Check the customs papers"


def signed_in(browser, live_server, user):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


def place(page, live_server, store, variant, reference, country):
    page.goto(f"{live_server.url}/storefronts/stores/{store.code}/orders/new/")
    page.get_by_label("Order reference").fill(reference)
    page.get_by_label("Name", exact=True).fill("Ana Buyer")
    page.get_by_label("Address line 1").fill("Hauptstraße 1")
    page.get_by_label("City").fill("Berlin")
    page.get_by_label("Postcode").fill("10115")
    page.get_by_label("Country").select_option(country)
    page.locator('[name="items-0-variant"]').select_option(variant.code.hex)
    page.locator('[name="items-0-quantity"]').fill("2")
    page.get_by_role("button", name="Place order").last.click()
    expect(page.get_by_text(f"Order {reference} is placed.")).to_be_visible()
    return Order.objects.get(store=store, external_id=reference)


def test_a_rule_holds_orders_to_one_country_for_review_with_its_reason(
    browser, live_server, acme, staff, celery_worker
):
    variant = mapped_card(acme.store)

    staff_page = signed_in(browser, live_server, staff)
    staff_page.get_by_role("link", name="Workflows").click()
    expect(staff_page.get_by_text("No rules yet")).to_be_visible()
    staff_page.get_by_role("link", name="Add rule").click()
    staff_page.get_by_label("Name", exact=True).fill("Germany: customs")
    staff_page.get_by_label("Destination countries").fill("de")
    staff_page.get_by_label("Hold for review").check()
    staff_page.get_by_label("Reason for the review").fill(REASON)
    staff_page.get_by_role("button", name="Add rule").click()
    expect(staff_page.get_by_text("Rule “Germany: customs” added")).to_be_visible()
    expect(staff_page.get_by_role("cell", name="Ships to DE")).to_be_visible()

    client_page = signed_in(browser, live_server, acme.user(Role.ORDER_MANAGER))
    germany = place(client_page, live_server, acme.store, variant, "DE-1", "DE")
    france = place(client_page, live_server, acme.store, variant, "FR-1", "FR")
    # The worker checks the print files; then only the rule holds the German order.
    assert wait_for(lambda: Order.objects.get(pk=germany.pk).hold == Hold.REVIEW, timeout=60)
    assert wait_for(lambda: Order.objects.get(pk=france.pk).hold == Hold.NONE, timeout=60)

    staff_page.get_by_role("link", name="Orders", exact=True).click()
    staff_page.get_by_role("link", name="Held").click()
    staff_page.get_by_role("link", name="DE-1").click()
    expect(staff_page.get_by_text("Held: Held for review.")).to_be_visible()
    workflow = staff_page.locator("#order-workflow")
    expect(workflow).to_contain_text(REASON)
    expect(workflow).to_contain_text("Germany: customs")
    expect(workflow).to_contain_text("ships to DE.")

    staff_page.goto(f"{live_server.url}/connect/orders/{france.code}/")
    expect(staff_page.locator("#order-workflow")).to_contain_text("Default")
    expect(staff_page.locator("#order-workflow")).not_to_contain_text(REASON)
    expect(staff_page.get_by_text(re.compile("Held: "))).to_have_count(0)  # not "No longer held:"

    staff_page.goto(f"{live_server.url}/connect/orders/{germany.code}/")
    staff_page.once("dialog", lambda dialog: dialog.accept())
    staff_page.get_by_role("button", name="Release from review").click()
    expect(staff_page.get_by_text("Released from review: the order goes on.")).to_be_visible()
    expect(staff_page.get_by_text("Held: Held for review.")).to_have_count(0)
    assert Order.objects.get(pk=germany.pk).hold == Hold.NONE
