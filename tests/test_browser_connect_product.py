"""Connect product in a real browser: pick the catalog product, keep the suggested UIDs, give a
design file URL, Connect, and see the worker's verdict on the file appear without a reload."""

import pytest
from playwright.sync_api import expect

from catalog.models import ProductMapping
from catalog.tests.mapping_helpers import make_poster, make_store_product
from core.tenancy import Role
from core.testing import PASSWORD

pytestmark = pytest.mark.browser

# Long enough for the worker, never a measure of speed.
PATIENCE = 60_000


def test_connect_a_synced_product(page, live_server, acme, settings, sandbox_url, celery_worker):
    settings.SANDBOX_ENABLED = True
    make_poster()
    product = make_store_product(acme.store)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(acme.user(Role.STORE_MANAGER).email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Products").click()
    page.get_by_role("link", name="Sunset poster").click()

    page.get_by_label("Search the catalog by name or UID").fill("art")
    page.get_by_role("link", name="Choose Art poster").click()
    a4 = page.get_by_label("Product UID for A4")
    expect(a4).to_have_value("flat_product_pf_a4_pt_200-gsm-matt")
    expect(page.get_by_label("Product UID for A3")).to_have_value("flat_product_pf_a3_pt_200-gsm-matt")
    expect(page.get_by_text("suggested").first).to_be_visible()

    page.get_by_label("Design file URL for every variant").fill(f"{sandbox_url}/files/sunset-1200x1800.png")
    page.get_by_role("button", name="Connect", exact=True).click()
    expect(page.get_by_text("2 variants connected.")).to_be_visible()
    assert ProductMapping.objects.filter(variant__product=product).count() == 2

    # The worker's verdict appears by itself: the A4 file is too small for 300 DPI.
    expect(
        page.locator("#product-files").get_by_text("at the 210 \u00d7 297 mm print area that is 145 DPI")
    ).to_be_visible(timeout=PATIENCE)
    expect(page.get_by_text("Checking…")).to_have_count(0)
