"""Pages in a real browser: invitation states that follow the worker without a reload, and
tables that fit a phone."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from connect.models import Client, Invitation
from connect.tasks import send_invitation
from core.tenancy import Role
from core.testing import PASSWORD
from integrations.models import WebhookDelivery
from storefronts.models import Store

pytestmark = pytest.mark.browser


def sign_in(page, base, email):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def pending_invitation(client, **fields):
    """An invitation waiting for the worker. Made directly, not through the services, so no
    task is left queued on the in-process broker for a later test's worker to pick up."""
    return Invitation.objects.create(
        client=client, email="pat@example.com", first_name="Pat", last_name="P", state="pending", **fields
    )


def send_while_watching(page, invitation):
    """Run the worker's task for `invitation` while `page` stays open, and return a check
    that the page was not reloaded meanwhile."""
    page.evaluate("window.stillTheSamePage = true")
    send_invitation.apply(args=[invitation.id])
    return lambda: page.evaluate("window.stillTheSamePage === true")


def test_connect_follows_the_admin_invitation(page, live_server, staff, settings):
    settings.SITE_URL = live_server.url
    client = Client.objects.create(name="Acme Apparel", storefronts_enabled=True)
    invitation = pending_invitation(client, kind="access", role=Role.ADMIN)
    sign_in(page, live_server.url, staff.email)
    page.goto(live_server.url + reverse("connect:client_settings", args=[client.code]))
    expect(page.locator("#access-state")).to_have_text("Sending invitation")

    same_page = send_while_watching(page, invitation)
    expect(page.locator("#access-state")).to_have_text("Invitation sent")
    expect(page.locator("#invitation-state")).to_contain_text("Invitation sent")
    expect(page.locator("#invitation-state")).to_contain_text("Link expires")
    # The change is read out, once, by the page's live region.
    expect(page.locator("#announcer")).to_have_text("Invitation sent")
    assert same_page()


def test_user_management_follows_a_new_invitation(page, live_server, acme, settings):
    settings.SITE_URL = live_server.url
    invitation = pending_invitation(acme.client, kind="member", role=Role.VIEWER)
    sign_in(page, live_server.url, acme.user(Role.ADMIN).email)
    page.goto(live_server.url + reverse("storefronts:users"))
    row = page.locator(f"#invitation-{invitation.code}")
    expect(row).to_contain_text("Sending invitation")

    same_page = send_while_watching(page, invitation)
    expect(row).to_contain_text("Invitation sent")
    assert Invitation.objects.get(pk=invitation.pk).state == "sent"
    assert same_page()


PHONE = {"width": 390, "height": 844}

# What a 390 px screen would hide: the page scrolling sideways, a table cell beyond the
# screen's edges (where only a sideways scroll, if any, would reach it), or a cell whose
# content is wider than the cell.
HIDDEN_SIDEWAYS = """() => {
  const width = document.documentElement.clientWidth;
  const hidden = [];
  if (document.documentElement.scrollWidth > width) hidden.push("the page is wider than the screen");
  for (const cell of document.querySelectorAll("table.table tbody td")) {
    const box = cell.getBoundingClientRect();
    const text = cell.textContent.trim().slice(0, 40);
    if (box.left < 0 || box.right > width + 0.5) hidden.push(`beyond the edge: ${text}`);
    if (cell.scrollWidth > cell.clientWidth + 1) hidden.push(`wider than its cell: ${text}`);
  }
  return hidden;
}"""


@pytest.fixture
def crowded(acme):
    """Long names, addresses and reasons: what makes tables too wide."""
    reason = (
        "WooCommerce refused our key (consumer key invalid). Connect the store again with a Read/Write key."
    )
    for number in range(3):
        Store.objects.create(
            client=acme.client,
            platform="woocommerce",
            name=f"A rather long store name, number {number}",
            state="failing",
            state_reason=reason,
        )
    store = Store.objects.create(client=acme.client, platform="shopify", name="Hooks shop")
    for number in range(3):
        WebhookDelivery.objects.create(
            store=store,
            platform="shopify",
            topic="orders/updated",
            delivery_key=str(number),
            body=b"{}",
            signature_valid=True,
            state="failed" if number == 0 else "received",
            error="The delivery's body is not what its topic says: " + "an-unexpectedly-long-field-name-" * 4,
        )
    Invitation.objects.create(
        kind="member",
        client=acme.client,
        email="someone.with.a.rather.long.address@acme-apparel.example",
        first_name="Someone",
        last_name="Long",
        role=Role.STORE_MANAGER,
        state="failed",
    )
    Client.objects.create(
        name="Client with a very long name indeed", reference_id="A-VERY-LONG-REFERENCE-ID-1"
    )
    return store


def test_tables_fit_a_phone(browser, live_server, acme, staff, crowded):
    tours = {
        acme.user(Role.ADMIN): [
            reverse("storefronts:dashboard"),
            reverse("integrations:stores"),
            reverse("integrations:store", args=[crowded.code]),
            reverse("storefronts:users"),
        ],
        staff: [
            reverse("connect:clients"),
            reverse("connect:client_stores", args=[acme.client.code]),
            reverse("connect_stores:store", args=[crowded.code]),
            reverse("connect:staff"),
        ],
    }
    for person, urls in tours.items():
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        sign_in(page, live_server.url, person.email)
        for url in urls:
            page.goto(live_server.url + url)
            assert page.locator("table.table tbody td").count() > 0, url
            assert page.evaluate(HIDDEN_SIDEWAYS) == [], url
        context.close()
