"""Sync products in a real browser with a real worker: the button, the progress, the summary."""

import pytest
from playwright.sync_api import expect

from catalog.tests.helpers import make_shop
from core.tenancy import Role
from core.testing import PASSWORD
from integrations.tests.helpers import sandbox_switch
from sandbox import demo_keys

pytestmark = pytest.mark.browser

PATIENCE = 90_000  # long enough for the worker, never a measure of speed


def test_sync_products_shows_progress_then_the_summary(
    page, live_server, acme, settings, sandbox_url, celery_worker
):
    settings.SANDBOX_ENABLED = True
    settings.SITE_URL = live_server.url
    make_shop(sandbox_url, "woocommerce", "sync-browser", products=150, variants=3)
    key, secret = demo_keys.woocommerce_key("sync-browser", "Printfront read/write")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(acme.user(Role.ADMIN).email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Stores").click()
    page.get_by_role("link", name="Connect WooCommerce").click()
    page.get_by_label("Store URL").fill(f"{sandbox_url}/woocommerce/sync-browser")
    page.get_by_label("Consumer key").fill(key)
    page.get_by_label("Consumer secret").fill(secret)
    page.get_by_role("button", name="Verify connection").click()

    expect(page.get_by_role("button", name="Verify again")).to_be_visible()  # on the store page
    # The shop's first answer takes a while, so the sync is seen at work.
    sandbox_switch(sandbox_url, shop="woocommerce/sync-browser", fault="slow", slow_seconds=3, fault_limit=1)

    page.locator("#sync-products").get_by_role("button", name="Sync products").click()
    # While it runs, the panel shows a progress bar and counts, polled every second.
    expect(page.locator("#sync-products progress")).to_be_visible()
    expect(page.get_by_text("read so far")).to_be_visible()
    expect(page.locator("#sync-products").get_by_text("Products synced.")).to_be_visible(timeout=PATIENCE)
    summary = page.locator("#sync-products .sync-summary")
    expect(summary.locator('[data-count="created"]')).to_have_text("150")
    expect(summary.locator('[data-count="gone"]')).to_have_text("0")
    expect(summary.locator('[data-count="errors"]')).to_have_text("0")
    expect(page.get_by_role("button", name="Sync products again").first).to_be_visible()
