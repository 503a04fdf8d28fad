"""Template products in a real browser: staff make one in Connect and offer it to Acme; Acme's
Admin starts Add product from it, finds every step filled in (the catalog product, the details,
the variants, the design placed), and publishes it to a sandbox Shopify shop by a real worker."""

import pytest
from playwright.sync_api import expect

from catalog.models import Publication, TemplateProduct
from catalog.tests.publishing_helpers import make_catalog_product, make_template
from core.tenancy import Role
from core.testing import PASSWORD

# The publishing test's connected shop, on that module's own sandbox (publishing adds products
# to its shops, which other tests count).
from tests.test_browser_publishing import sandbox_url, shop  # noqa: F401

pytestmark = pytest.mark.browser

PATIENCE = 60_000  # long enough for the worker, never a measure of speed


def sign_in(page, live_server, email):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_staff_offer_a_template_and_the_client_publishes_a_product_from_it(
    page,
    live_server,
    staff,
    acme,
    globex,
    shop,  # noqa: F811  (the fixture imported above)
    shopify,
    celery_worker,
):
    catalog_product = make_catalog_product("Gallery print")
    a3 = catalog_product.variants.get(values__pf="a3")
    make_template("Sunset")

    # Staff: Connect > Catalog > Template products > New template.
    sign_in(page, live_server, staff.email)
    page.goto(f"{live_server.url}/connect/catalog/")
    page.get_by_role("link", name="Template products").click()
    page.get_by_role("link", name="New template").first.click()
    page.get_by_label("Catalog product").select_option(label="Posters: Gallery print")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Template name").fill("Harbour poster")
    page.get_by_label("Product title").fill("Harbour at dusk")
    page.get_by_label("Price").fill("24.50")
    page.get_by_label(f"{a3.label} ({a3.uid})").check()
    page.get_by_label("Design template").select_option(label="Sunset")
    page.get_by_label("Notes").fill("Sold best in A3.")
    page.get_by_label("The clients chosen").check()
    page.get_by_label("Acme", exact=True).check()
    page.get_by_role("button", name="Create template").click()
    expect(page.get_by_text("Template Harbour poster created.")).to_be_visible()
    expect(page.get_by_text("1 client", exact=True)).to_be_visible()
    template = TemplateProduct.objects.get(name="Harbour poster")
    assert list(template.offered_to.all()) == [acme.client]

    # Acme's Admin: the store's Add product offers the template.
    sign_in(page, live_server, acme.user(Role.ADMIN).email)
    page.goto(f"{live_server.url}/storefronts/stores/{shop.code}/")
    page.locator("#add-product").get_by_role("link", name="Add product").click()
    page.get_by_role("link", name="Use template Harbour poster").click()

    # The store came chosen and the template names the catalog product: step 2, filled in
    # from the template, with its notes.
    expect(page.get_by_text("Gallery print for Demo Apparel")).to_be_visible()
    expect(page.get_by_text("From the template Harbour poster (Gallery print)")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("Harbour at dusk")
    expect(page.get_by_label("Price")).to_have_value("24.50")
    expect(page.get_by_label(f"{a3.label} ({a3.uid})")).to_be_checked()
    a4 = catalog_product.variants.get(values__pf="a4")
    expect(page.get_by_label(f"{a4.label} ({a4.uid})")).not_to_be_checked()
    expect(page.get_by_text("Sold best in A3.")).to_be_visible()
    page.get_by_role("button", name="Next: the design").click()

    # Step 3: the template's design is chosen and placed on the canvas.
    expect(page.get_by_label("Sunset")).to_be_checked()
    expect(page.locator("#dpi-status")).to_contain_text("DPI")
    page.get_by_role("button", name="Save and continue").click()

    publication = Publication.objects.get(title="Harbour at dusk")
    assert publication.template.name == "Sunset" and publication.placement
    assert list(publication.catalog_variants.all()) == [a3]

    page.get_by_role("button", name="Publish to store").click()
    page.locator("#publication-status").get_by_text("The product is in Demo Apparel").wait_for(
        timeout=PATIENCE
    )
    page.goto(f"{shopify}/shops/shopify/demo-apparel/")
    assert page.get_by_role("cell", name="Harbour at dusk", exact=True).is_visible()

    # Globex, offered nothing, sees no template at all.
    sign_in(page, live_server, globex.user(Role.ADMIN).email)
    page.goto(f"{live_server.url}/storefronts/products/templates/")
    expect(page.get_by_text("No templates yet")).to_be_visible()
