"""Add product in a real browser: an uploaded design moved and scaled on the designer's canvas (by
mouse, then by keyboard), published to a sandbox Shopify shop by a real worker, then seen on the
sandbox shop's page."""

import pytest

from catalog.models import ProductMapping, Publication
from catalog.tests.publishing_helpers import make_catalog_product, png
from core.tenancy import Role
from core.testing import PASSWORD, running_sandbox
from integrations.tests.helpers import sandbox_switch
from integrations.tests.test_shopify_adapter import SHOP, connected_adapter
from storefronts.models import Store
from tests.keyboard import tab_to

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def sandbox_url(tmp_path_factory, pytestconfig):
    """This module's own sandbox: publishing adds products to its shops, which other tests count."""
    with running_sandbox(tmp_path_factory.mktemp("sandbox"), pytestconfig.getvalue("liveserver")) as url:
        yield url


@pytest.fixture
def shop(shopify, settings, live_server, acme, tmp_path):
    settings.SITE_URL = live_server.url
    settings.MEDIA_ROOT = tmp_path / "media"
    store = Store.objects.create(
        client=acme.client,
        platform="shopify",
        name="Demo Apparel",
        shop_identity=SHOP,
        base_url=f"{shopify}/shopify/{SHOP}",
        credentials=connected_adapter(shopify).credentials,
    )
    yield store
    sandbox_switch(shopify, shop="shopify/demo-apparel")


def placement(page):
    return {
        key: float(page.locator(f'input[name="{key}"]').input_value())
        for key in ("x", "y", "width", "height")
    }


def test_add_a_product_design_it_and_publish_it_to_shopify(
    page, live_server, acme, shop, shopify, celery_worker
):
    catalog_product = make_catalog_product("Gallery print")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(acme.user(Role.ADMIN).email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/storefronts/stores/{shop.code}/")
    page.locator("#add-product").get_by_role("link", name="Add product").click()

    # Step 1: the store comes chosen from its page; choose the catalog product.
    page.get_by_label("Catalog product").select_option(label="Posters: Gallery print")
    page.get_by_role("button", name="Next").click()
    # Step 2: title, price, variants.
    page.get_by_label("Title").fill("Harbour at dusk")
    page.get_by_label("Price").fill("29.00")
    for variant in catalog_product.variants.all():
        page.get_by_label(f"{variant.label} ({variant.uid})").check()
    page.get_by_role("button", name="Next: the design").click()

    # Step 3: upload a design; it appears centred and fitted, with its resolution.
    page.get_by_label("Upload a design").set_input_files(
        {"name": "harbour.png", "mimeType": "image/png", "buffer": png(3000, 2000, (20, 80, 160))}
    )
    status = page.locator("#dpi-status")
    status.wait_for(state="visible")
    page.wait_for_function("document.querySelector('input[name=width]').value !== ''")
    fitted = placement(page)
    assert fitted["width"] == pytest.approx(1, abs=0.01)  # a wide design fills the width

    stage = page.locator("#designer canvas").first.bounding_box()
    margin = 12  # the designer's margin round the print area
    canvas = {
        "x": stage["x"] + margin,
        "y": stage["y"] + margin,
        "width": stage["width"] - 2 * margin,
        "height": stage["height"] - 2 * margin,
    }

    def at(fx, fy):
        """Page coordinates of a point of the print area, given as fractions of it."""
        return canvas["x"] + fx * canvas["width"], canvas["y"] + fy * canvas["height"]

    # Scale it down by its bottom-right handle, then drag it by its middle.
    corner = at(fitted["x"] + fitted["width"], fitted["y"] + fitted["height"])
    page.mouse.move(*corner)
    page.mouse.down()
    page.mouse.move(corner[0] - canvas["width"] * 0.4, corner[1] - canvas["height"] * 0.2, steps=10)
    page.mouse.up()
    scaled = placement(page)
    assert scaled["width"] < fitted["width"] - 0.2
    middle = at(scaled["x"] + scaled["width"] / 2, scaled["y"] + scaled["height"] / 2)
    page.mouse.move(*middle)
    page.mouse.down()
    page.mouse.move(middle[0] + 30, middle[1] + 40, steps=10)
    page.mouse.up()
    moved = placement(page)
    assert moved["x"] > scaled["x"] and moved["y"] > scaled["y"]
    assert moved["width"] == pytest.approx(scaled["width"], abs=1e-4)
    assert "DPI" in status.text_content()

    # The same by keyboard: the preview takes the focus; an arrow moves the design a hundredth
    # of the print area, "-" scales it down about its centre.
    tab_to(page, page.get_by_role("application", name="Design on the print area"), back=True)
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("-")
    nudged = placement(page)
    assert nudged["width"] == pytest.approx(moved["width"] / 1.05, abs=1e-4)
    assert nudged["x"] == pytest.approx(moved["x"] - 0.01 + (moved["width"] - nudged["width"]) / 2, abs=1e-4)
    page.get_by_role("button", name="Save and continue").click()

    publication = Publication.objects.get(title="Harbour at dusk")
    assert publication.placement["x"] == pytest.approx(nudged["x"], abs=1e-4)
    assert publication.placement["width"] == pytest.approx(nudged["width"], abs=1e-4)

    # Publish: the page follows the worker until the product is in the shop.
    page.get_by_role("button", name="Publish to store").click()
    page.locator("#publication-status").get_by_text("The product is in Demo Apparel").wait_for(timeout=60_000)
    assert page.get_by_text("Published", exact=True).is_visible()
    assert ProductMapping.objects.filter(store=shop).count() == 2

    page.goto(f"{shopify}/shops/shopify/demo-apparel/")
    assert page.get_by_role("cell", name="Harbour at dusk", exact=True).is_visible()
