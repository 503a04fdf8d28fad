"""A store page follows work done in the worker by itself (htmx), in a real browser: a check
of the connection, and the removal of webhooks after disconnecting."""

import time

import pytest
from playwright.sync_api import expect

from core.tenancy import Role
from core.testing import PASSWORD
from integrations.tests.helpers import sandbox_switch
from sandbox import demo_keys
from storefronts.models import Store

pytestmark = pytest.mark.browser

WOO_KEY = demo_keys.woocommerce_key("demo-posters", "Printfront read/write")
# Long enough for the worker, never a measure of speed.
PATIENCE = 60_000


@pytest.fixture
def store_page(page, live_server, acme, settings, sandbox_url, celery_worker):
    settings.SANDBOX_ENABLED = True
    settings.SITE_URL = live_server.url
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(acme.user(Role.ADMIN).email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Stores").click()
    page.get_by_role("link", name="Connect WooCommerce").click()
    page.get_by_label("Store URL").fill(f"{sandbox_url}/woocommerce/demo-posters")
    page.get_by_label("Consumer key").fill(WOO_KEY[0])
    page.get_by_label("Consumer secret").fill(WOO_KEY[1])
    page.get_by_role("button", name="Verify connection").click()
    expect(page.get_by_role("button", name="Verify again")).to_be_visible()  # on the store page
    yield page
    sandbox_switch(sandbox_url)


def test_verify_again_shows_the_outcome_without_a_reload(store_page, sandbox_url):
    page = store_page
    sandbox_switch(sandbox_url, fault="revoked")
    page.get_by_role("button", name="Verify again").click()
    expect(page.get_by_text("The connection fails.")).to_be_visible(timeout=PATIENCE)
    expect(page.get_by_text("refused the consumer key")).to_be_visible()


def test_disconnect_shows_the_webhooks_removed(store_page):
    page = store_page
    give_up = time.monotonic() + 60
    while not Store.objects.get(platform="woocommerce").webhooks and time.monotonic() < give_up:
        time.sleep(0.2)  # the worker registers them; the page does not follow that
    page.reload()
    expect(page.get_by_text("order.created")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Disconnect").click()
    expect(page.get_by_text("webhooks were removed from the shop")).to_be_visible(timeout=PATIENCE)
