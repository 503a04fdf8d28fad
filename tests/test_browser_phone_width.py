"""Every Products page (issue 7) on a 390 px phone: nothing is wider than the screen, whatever the
long titles, UIDs, URLs and file problems in it, and the menu marks the page's section."""

import pytest
from django.core.files.base import ContentFile

from catalog.mapping_csv import reading, validation
from catalog.models import (
    CatalogProduct,
    CatalogVariant,
    FileCheck,
    ImportRun,
    ProductMapping,
    Publication,
    RunState,
    SyncRun,
    TemplateProduct,
)
from catalog.seed import seed_catalog
from catalog.tests.bulk_helpers import HEADER, csv_bytes, row_for
from catalog.tests.mapping_helpers import make_store_product
from catalog.tests.publishing_helpers import make_publication
from core.tenancy import Role
from core.testing import PASSWORD
from storefronts.models import Store

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
TITLE = (
    "Limited edition heavyweight organic cotton unisex crewneck sweatshirt with embroidered "
    "sunset-over-the-harbour artwork (autumn collection)"
)
LONG_URL = "https://files.example.com/designs/" + "artwork-final-" * 12 + "v3.png"

# name: (who signs in, the section the menu marks)
PAGES = {
    "products": ("admin", "Products"),
    "products-filtered": ("admin", "Products"),
    "product": ("admin", "Products"),
    "product-connect": ("admin", "Products"),
    "product-read-only": ("viewer", "Products"),
    "store": ("admin", "Stores"),
    "store-syncing": ("admin", "Stores"),
    "bulk": ("admin", "Stores"),
    "import-errors": ("admin", "Stores"),
    "import-preview": ("admin", "Stores"),
    "add-product": ("admin", "Products"),
    "add-product-details": ("admin", "Products"),
    "design": ("admin", "Products"),
    "publication": ("admin", "Products"),
    "catalog": ("admin", "Catalog"),
    "catalog-product": ("admin", "Catalog"),
    "connect-catalog": ("staff", "Catalog"),
    "connect-catalog-product": ("staff", "Catalog"),
    "connect-client-products": ("staff", "Clients"),
    "connect-client-product": ("staff", "Clients"),
    "templates": ("admin", "Products"),
    "template": ("admin", "Products"),
    "add-product-template": ("admin", "Products"),
    "connect-templates": ("staff", "Catalog"),
    "connect-template": ("staff", "Catalog"),
    "workflows": ("staff", "Workflows"),
    "workflow-rule": ("staff", "Workflows"),
    "workflow-try": ("staff", "Workflows"),
    "connect-order-workflow": ("staff", "Orders"),
}


def import_run(store, user, rows):
    """An import checked by catalog.mapping_csv itself, as the bulk page's upload does."""
    data = csv_bytes([HEADER, *rows])
    parsed = reading.read_rows(data)
    run = ImportRun(store=store, file_name="products-filled-in.csv", created_by=user, rows_total=len(parsed))
    run.file.save("import.csv", ContentFile(data), save=False)
    run.save()
    validation.record_validation(run, validation.validate(store, parsed))
    return run


@pytest.fixture
def urls(acme, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_catalog()
    shop = Store.objects.create(
        client=acme.client,
        platform=Store.Platform.SHOPIFY,
        name="Acme Apparel — the main Shopify storefront of the autumn collection",
        shop_identity="acme-apparel.myshopify.com",
        base_url="https://acme-apparel.myshopify.com",
        credentials={"access_token": "not-used"},
    )
    syncing = Store.objects.create(
        client=acme.client,
        platform=Store.Platform.SHOPIFY,
        name="Acme Posters",
        shop_identity="acme-posters.myshopify.com",
        base_url="https://acme-posters.myshopify.com",
        credentials={"access_token": "not-used"},
    )
    SyncRun.objects.create(store=syncing, state=RunState.RUNNING, products_seen=2, variants_seen=4)
    # The catalog's longest UIDs, a long title, long design file URLs and file problems quoting them.
    longest = sorted(CatalogVariant.objects.filter(active=True), key=lambda v: -len(v.uid))
    product = make_store_product(shop, title=TITLE, sizes=("S", "M", "L"), external_id="9000000000001")
    for n, variant in enumerate(product.variants.order_by("position")):
        ProductMapping.objects.create(
            store=shop,
            variant=variant,
            catalog_variant=longest[n],
            design_file_url=LONG_URL,
            file_check=FileCheck.PROBLEM if n else FileCheck.OK,
            file_problem=f"The file could not be read: {LONG_URL} answered 404." if n else "",
        )
    plain = make_store_product(shop, title="Harbour poster", sizes=("A4", "A3"), external_id="9000000000002")
    poster = CatalogProduct.objects.get(name="Poster")
    variants = list(plain.variants.order_by("position"))
    errors = import_run(
        shop,
        acme.user(Role.ADMIN),
        [
            row_for(variants[0], "no_such_uid_" + "z" * 80, ""),
            row_for(variants[1], "", "ftp://files.example.com/" + "q" * 90 + ".png"),
        ],
    )
    ready = import_run(shop, acme.user(Role.ADMIN), [row_for(variants[0], longest[0].uid, LONG_URL)])
    publication = make_publication(shop, design=True, catalog_product=poster, title=TITLE[:140])
    Publication.objects.filter(pk=publication.pk).update(
        state=Publication.State.FAILED, message=f"Shopify refused the product: {LONG_URL} is not an image."
    )
    canvas = CatalogProduct.objects.get(name="Canvas")
    client = acme.client.code
    # Templates with long names and notes: the printer's, offered to every client, and Acme's own.
    offered, own = (
        TemplateProduct.objects.create(
            client=owner, name=TITLE, title=TITLE[:140], catalog_product=poster, notes=LONG_URL, offer="all"
        )
        for owner in (None, acme.client)
    )
    for template in (offered, own):
        template.catalog_variants.set(longest[:3])
    rule, order = workflow_rule_and_order(acme, shop)
    return {
        "products": "/storefronts/products/",
        "products-filtered": f"/storefronts/products/?store={shop.code}&mapping=mapped&problems=on",
        "product": f"/storefronts/products/{product.code}/",
        "product-connect": f"/storefronts/products/{plain.code}/?catalog={poster.code}",
        "product-read-only": f"/storefronts/products/{product.code}/",
        "store": f"/storefronts/stores/{shop.code}/",
        "store-syncing": f"/storefronts/stores/{syncing.code}/",
        "bulk": f"/storefronts/stores/{shop.code}/bulk/",
        "import-errors": f"/storefronts/imports/{errors.code}/",
        "import-preview": f"/storefronts/imports/{ready.code}/",
        "add-product": "/storefronts/products/new/",
        "add-product-details": f"/storefronts/products/new/?store={shop.code}&product={poster.code}",
        "design": f"/storefronts/products/publications/{publication.code}/design/",
        "publication": f"/storefronts/products/publications/{publication.code}/",
        "catalog": "/storefronts/catalog/",
        "catalog-product": f"/storefronts/catalog/{canvas.code}/",
        "connect-catalog": "/connect/catalog/",
        "connect-catalog-product": f"/connect/catalog/{canvas.code}/",
        "connect-client-products": f"/connect/clients/{client}/products/",
        "connect-client-product": f"/connect/clients/{client}/products/{product.code}/",
        "templates": "/storefronts/products/templates/",
        "template": f"/storefronts/products/templates/{own.code}/",
        "add-product-template": f"/storefronts/products/new/?store={shop.code}&template={offered.code}",
        "connect-templates": "/connect/catalog/templates/",
        "connect-template": f"/connect/catalog/templates/{offered.code}/",
        "workflows": "/connect/workflows/",
        "workflow-rule": f"/connect/workflows/{rule.code}/",
        "workflow-try": "/connect/workflows/try/",
        "connect-order-workflow": f"/connect/orders/{order.code}/",
    }


def workflow_rule_and_order(world, shop):
    """A rule with every condition set, and an order another rule held for review with a long reason."""
    from integrations.types import Address
    from orders.tests.helpers import make_order
    from workflows.models import Action, ProductionLine
    from workflows.services import create_rule

    ProductionLine.objects.create(name="Large format — the wide press in the back room")
    rule = create_rule(
        world.user(Role.ADMIN),
        name="Hold large German poster orders of the autumn collection for a customs check",
        client=world.client,
        store=shop,
        platform=Store.Platform.SHOPIFY,
        product_type="poster",
        product_uid="flat_product_pf_a4_pt_200-gsm-uncoated_cl_4-0_ct_none_prt_none_sft_none_set_none",
        countries=["AT", "CH", "DE", "LI", "LU"],
        min_items=10,
        max_items=1000,
        unmapped="no",
        marker="rush",
        action=Action.REVIEW,
        review_reason="Customs papers for " + "very " * 20 + "large orders",
    )
    create_rule(
        world.user(Role.ADMIN),
        name="Germany",
        countries=["DE"],
        action=Action.REVIEW,
        review_reason="Customs papers for " + "very " * 20 + "large orders",
    )
    return rule, make_order(shop, number="#1001", shipping=Address(country="DE"))


@pytest.mark.parametrize("name", PAGES)
def test_fits_a_phone(name, browser, live_server, acme, staff, urls):
    who, section = PAGES[name]
    email = {"admin": acme.user(Role.ADMIN).email, "viewer": acme.user(Role.VIEWER).email}.get(
        who, staff.email
    )
    context = browser.new_context(viewport=PHONE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    response = page.goto(live_server.url + urls[name])
    assert response.status == 200
    page.wait_for_load_state("networkidle")  # the store page's sync panel and the designer load after
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{name} is {widths[0]} px wide on a {widths[1]} px screen"
    current = page.locator(".nav a[aria-current=page]")
    assert current.all_text_contents() == [section]
    assert page.title().endswith("Printfront") and len(page.title()) > len(" · Printfront")
    context.close()
