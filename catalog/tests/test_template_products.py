"""Template products: staff define and offer them in Connect; a client starts Add product from
one offered to it (or its own), and saves its own products as templates; no client ever sees
another's, nor one offered to another client only."""

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog import catalog, print_files, template_products
from catalog.models import ProductMapping, Publication, StoreVariant, TemplateProduct
from core.models import AuditEvent
from core.tenancy import Role
from storefronts.models import Store

from .publishing_helpers import make_catalog_product, make_publication, make_template, png


@pytest.fixture
def catalog_product(db):
    return make_catalog_product("Gallery print")


@pytest.fixture
def shop(acme):
    """A connected Shopify store of Acme's (nothing here calls the shop)."""
    store = Store.objects.create(client=acme.client, platform="shopify", name="Acme shop online")
    acme.members[Role.STORE_MANAGER].stores.add(store)
    return store


def printer_template(catalog_product, name="Harbour poster", clients=(), offer="chosen", **fields):
    template = TemplateProduct.objects.create(
        name=name,
        catalog_product=catalog_product,
        title=fields.pop("title", "Harbour at dusk"),
        price=fields.pop("price", Decimal("24.50")),
        offer=offer,
        **fields,
    )
    template.catalog_variants.set(catalog_product.variants.filter(values__pf="a3"))
    template.offered_to.set(clients)
    return template


def signed_in(client, world, role=Role.ADMIN):
    client.force_login(world.user(role))
    return client


def template_form(catalog_product, **changes):
    return {
        "product": catalog_product.code,
        "name": "Harbour poster",
        "title": "Harbour at dusk",
        "description": "Printed on 200 gsm matte.",
        "price": "24.50",
        "variants": [v.uid for v in catalog_product.variants.all()],
        "notes": "Best with a dark, high-contrast photo.",
        "offer": "chosen",
        "clients": [],
        **changes,
    }


# --- Connect -------------------------------------------------------------------------------------


def test_staff_create_a_template_with_a_design_and_offer_it_to_one_client(
    client, staff, acme, globex, catalog_product
):
    design = make_template("Sunset")
    client.force_login(staff)
    step2 = client.get(reverse("catalog:connect_template_create"), {"product": catalog_product.code})
    assert step2.status_code == 200 and "Gallery print" in step2.text
    answer = client.post(
        reverse("catalog:connect_template_create"),
        template_form(catalog_product, design_template=design.code, clients=[acme.client.code]),
    )
    template = TemplateProduct.objects.get(name="Harbour poster")
    assert answer.status_code == 302 and answer.url == reverse(
        "catalog:connect_template", args=[template.code]
    )
    assert template.client is None and template.design_template == design
    assert template.price == Decimal("24.50") and template.catalog_variants.count() == 2
    assert list(template.offered_to.all()) == [acme.client]
    assert AuditEvent.objects.filter(verb="template.created", target="Harbour poster").exists()
    assert list(template_products.offered_to(acme.client)) == [template]
    assert not template_products.offered_to(globex.client).exists()

    # Offered to every client: the list of chosen ones is not kept.
    client.post(
        reverse("catalog:connect_template", args=[template.code]),
        template_form(catalog_product, offer="all", clients=[acme.client.code]),
    )
    template.refresh_from_db()
    assert template.offer == "all" and not template.offered_to.exists()
    assert list(template_products.offered_to(globex.client)) == [template]
    assert AuditEvent.objects.filter(verb="template.updated").exists()


def test_an_uploaded_design_is_checked_and_bad_input_changes_nothing(client, staff, catalog_product):
    client.force_login(staff)
    url = reverse("catalog:connect_template_create")
    not_an_image = SimpleUploadedFile("design.png", b"%PDF-1.4 nothing here", content_type="image/png")
    answer = client.post(url, template_form(catalog_product, upload=not_an_image))
    assert answer.status_code == 200 and "not a PNG or JPEG image" in answer.text
    answer = client.post(url, template_form(catalog_product, price="0.01", variants=[]))
    assert answer.status_code == 200 and "This field is required" in answer.text
    assert not TemplateProduct.objects.exists()

    image = SimpleUploadedFile("harbour.png", png(900, 1200), content_type="image/png")
    saved = client.post(url, template_form(catalog_product, upload=image), follow=True)
    assert "No client can use it yet" in saved.text
    template = TemplateProduct.objects.get()
    assert template.design_file.name.endswith(".png") and template.design_template is None

    # The file is named for what it is, not for what its name claimed.
    disguised = SimpleUploadedFile("harbour.html", png(900, 1200), content_type="text/html")
    client.post(
        reverse("catalog:connect_template", args=[template.code]),
        template_form(catalog_product, upload=disguised),
    )
    template.refresh_from_db()
    assert template.design_file.name.endswith(".png")


def test_the_staff_list_searches_pages_and_archives(client, staff, catalog_product):
    for number in range(30):
        printer_template(catalog_product, name=f"Poster {number:02}")
    printer_template(catalog_product, name="Mug of the month")
    client.force_login(staff)
    url = reverse("catalog:connect_templates")
    first = client.get(url)
    assert "Poster 00" in first.text and "Poster 29" not in first.text and "page=2" in first.text
    assert "Poster 29" in client.get(url, {"page": 2}).text
    found = client.get(url, {"q": "mug"})
    assert "Mug of the month" in found.text and "Poster 00" not in found.text
    assert "No template matches" in client.get(url, {"q": "nothing like it"}).text

    mug = TemplateProduct.objects.get(name="Mug of the month")
    client.post(reverse("catalog:connect_template_archive", args=[mug.code]), {"archived": "on"})
    mug.refresh_from_db()
    assert mug.archived and AuditEvent.objects.filter(verb="template.archived").exists()
    mug_link = reverse("catalog:connect_template", args=[mug.code])
    assert mug_link not in client.get(url).text
    assert mug_link in client.get(url, {"state": "archived"}).text
    client.post(reverse("catalog:connect_template_archive", args=[mug.code]))
    mug.refresh_from_db()
    assert not mug.archived


def test_a_clients_own_template_is_not_a_connect_page(client, staff, acme, catalog_product):
    own = printer_template(catalog_product, client=acme.client)
    client.force_login(staff)
    assert client.get(reverse("catalog:connect_template", args=[own.code])).status_code == 404
    assert own.name not in client.get(reverse("catalog:connect_templates")).text


# --- Who sees which ------------------------------------------------------------------------------


def test_clients_see_only_templates_offered_to_them_and_their_own(client, acme, globex, catalog_product):
    offered_to_acme = printer_template(catalog_product, name="For Acme", clients=[acme.client])
    for_everyone = printer_template(catalog_product, name="For everyone", offer="all")
    acme_own = printer_template(catalog_product, name="Acme's own", client=acme.client)
    globex_own = printer_template(catalog_product, name="Globex's own", client=globex.client)
    printer_template(catalog_product, name="Archived one", offer="all", archived=True)

    acme_page = signed_in(client, acme, Role.VIEWER).get(reverse("catalog:templates")).text
    assert all(name in acme_page for name in ("For Acme", "For everyone", "Acme&#x27;s own"))
    assert "Globex" not in acme_page and "Archived one" not in acme_page
    globex_page = signed_in(client, globex, Role.ADMIN).get(reverse("catalog:templates")).text
    assert "For everyone" in globex_page and "Globex&#x27;s own" in globex_page
    assert "For Acme" not in globex_page and "Acme" not in globex_page

    # Globex can start from neither Acme's own template nor one offered to Acme only...
    for template in (offered_to_acme, acme_own):
        answer = client.get(reverse("catalog:add_product"), {"template": template.code})
        assert answer.status_code == 404
        assert client.post(reverse("catalog:add_product"), {"template": template.code}).status_code == 404
    assert client.get(reverse("catalog:template", args=[acme_own.code])).status_code == 404
    # ...nor edit or archive Acme's: nothing changes.
    client.post(reverse("catalog:template", args=[acme_own.code]), {"name": "Taken"})
    client.post(reverse("catalog:template_archive", args=[acme_own.code]), {"archived": "on"})
    acme_own.refresh_from_db()
    assert acme_own.name == "Acme's own" and not acme_own.archived
    assert client.get(reverse("catalog:add_product"), {"template": for_everyone.code}).status_code == 200
    assert client.get(reverse("catalog:add_product"), {"template": globex_own.code}).status_code == 200
    assert client.get(reverse("catalog:add_product"), {"template": "not-a-code"}).status_code == 404


def test_a_template_on_an_inactive_catalog_product_is_offered_to_nobody(client, acme, catalog_product):
    template = printer_template(catalog_product, offer="all")
    catalog_product.active = False
    catalog_product.save()
    signed_in(client, acme)
    assert client.get(reverse("catalog:add_product"), {"template": template.code}).status_code == 404
    assert template.name not in client.get(reverse("catalog:templates")).text


# --- Starting Add product from a template --------------------------------------------------------


def test_add_product_from_a_template_fills_in_the_steps_and_the_design(client, acme, shop, catalog_product):
    template = printer_template(
        catalog_product, clients=[acme.client], notes="Use a photo of at least 3000 pixels."
    )
    template.design_file.save("harbour.png", ContentFile(png(900, 1200)), save=False)
    template.placement = {"x": 0.1, "y": 0.1, "width": 0.5}
    template.save()
    signed_in(client, acme)

    start = client.get(reverse("catalog:add_product"))
    assert (
        "Or start from a template" in start.text
        and 'Use template<span class="visually-hidden"> Harbour poster' in start.text
    )
    step1 = client.get(reverse("catalog:add_product"), {"template": template.code})
    assert "From the template Harbour poster" in step1.text and 'name="product"' not in step1.text
    step2 = client.get(reverse("catalog:add_product"), {"template": template.code, "store": shop.code})
    assert step2.status_code == 200
    form = step2.context["form"]
    assert form.initial["title"] == "Harbour at dusk" and form.initial["price"] == Decimal("24.50")
    assert form.initial["variants"] == [catalog_product.variants.get(values__pf="a3").uid]
    assert "Use a photo of at least 3000 pixels." in step2.text

    answer = client.post(
        reverse("catalog:add_product"),
        {
            "template": template.code,
            "store": shop.code,
            "title": "Harbour at dusk",
            "price": "24.50",
            "variants": form.initial["variants"],
        },
    )
    publication = Publication.objects.get()
    assert answer.url == reverse("catalog:publication_design", args=[publication.code])
    assert publication.catalog_product == catalog_product and publication.store == shop
    assert [v.uid for v in publication.catalog_variants.all()] == form.initial["variants"]
    assert publication.design_file and publication.design_file.name != template.design_file.name
    assert publication.placement["x"] == pytest.approx(0.1) and publication.placement["width"] == 0.5
    assert print_files.design_pixels(publication) == (900, 1200)
    designer = client.get(answer.url)
    assert reverse("catalog:publication_design_file", args=[publication.code]) in designer.text


def test_a_template_whose_design_is_gone_still_starts_and_says_so(client, acme, shop, catalog_product):
    template = printer_template(catalog_product, offer="all", design_file="template-designs/gone.png")
    signed_in(client, acme)
    answer = client.post(
        reverse("catalog:add_product"),
        {"template": template.code, "store": shop.code, "title": "T", "price": "10", "variants": []},
    )
    assert answer.status_code == 200  # no variant chosen: the form says so, nothing is made
    assert not Publication.objects.exists()
    answer = client.post(
        reverse("catalog:add_product"),
        {
            "template": template.code,
            "store": shop.code,
            "title": "T",
            "price": "10",
            "variants": [v.uid for v in catalog_product.variants.all()],
        },
        follow=True,
    )
    assert "design could not be read" in answer.text
    assert Publication.objects.get().design_file.name == ""


# --- A client's own templates --------------------------------------------------------------------


def test_save_a_publication_as_a_template_and_start_from_it(client, acme, shop, catalog_product):
    publication = make_publication(shop, design=True, catalog_product=catalog_product, title="Sunset poster")
    signed_in(client, acme, Role.STORE_MANAGER)
    answer = client.post(reverse("catalog:publication_save_template", args=[publication.code]))
    template = TemplateProduct.objects.get()
    assert answer.url == reverse("catalog:template", args=[template.code])
    assert template.client == acme.client and template.name == "Sunset poster"
    assert template.placement == publication.placement and template.price == publication.price
    assert set(template.catalog_variants.all()) == set(publication.catalog_variants.all())
    assert template.design_file.name != publication.design_file.name  # its own copy
    assert AuditEvent.objects.filter(verb="template.saved", client=acme.client).exists()

    # Change it, then start from it.
    client.post(
        reverse("catalog:template", args=[template.code]),
        {
            "name": "Sunset, A4 only",
            "title": "Sunset",
            "price": "15",
            "variants": [catalog_product.variants.first().uid],
        },
    )
    template.refresh_from_db()
    assert template.name == "Sunset, A4 only" and template.catalog_variants.count() == 1
    step2 = client.get(reverse("catalog:add_product"), {"template": template.code, "store": shop.code})
    assert step2.context["form"].initial["title"] == "Sunset"


def test_store_managers_save_only_from_their_own_stores(client, acme, catalog_product):
    other_store = Store.objects.create(client=acme.client, platform="shopify", name="Not managed")
    publication = make_publication(other_store, catalog_product=catalog_product)
    signed_in(client, acme, Role.STORE_MANAGER)
    url = reverse("catalog:publication_save_template", args=[publication.code])
    assert client.post(url).status_code == 404
    for role in (Role.VIEWER, Role.ORDER_MANAGER):
        assert signed_in(client, acme, role).post(url).status_code == 403
    assert not TemplateProduct.objects.exists()


def test_save_a_connected_shop_product_as_a_template(client, acme, catalog_product):
    from tests.urls import store_product

    product = store_product(acme)
    signed_in(client, acme)
    answer = client.post(reverse("catalog:product_save_template", args=[product.code]), follow=True)
    assert "Connect this product" in answer.text and not TemplateProduct.objects.exists()

    variant = product.variants.get()
    variant.price = Decimal("12.00")
    variant.save()
    a4 = catalog_product.variants.get(values__pf="a4")
    mapping = ProductMapping.objects.create(store=acme.store, variant=variant, catalog_variant=a4)
    mapping.design_file.save("design.png", ContentFile(png(600, 800)))
    StoreVariant.objects.create(store=acme.store, product=product, external_id="sweep-1-2")  # not connected
    client.post(reverse("catalog:product_save_template", args=[product.code]))
    template = TemplateProduct.objects.get()
    assert template.client == acme.client and template.title == product.title
    assert list(template.catalog_variants.all()) == [a4] and template.price == Decimal("12.00")
    assert template.design_file.name.endswith(".png") and template.catalog_product == catalog_product


def test_clients_archive_and_restore_their_own(client, acme, catalog_product):
    own = printer_template(catalog_product, client=acme.client)
    signed_in(client, acme)
    client.post(reverse("catalog:template_archive", args=[own.code]), {"archived": "on"})
    own.refresh_from_db()
    assert own.archived
    assert client.get(reverse("catalog:add_product"), {"template": own.code}).status_code == 404
    assert own.name in client.get(reverse("catalog:templates"), {"state": "archived"}).text
    client.post(reverse("catalog:template_archive", args=[own.code]))
    own.refresh_from_db()
    assert not own.archived
    assert AuditEvent.objects.filter(verb="template.restored", client=acme.client).exists()


def test_a_size_removed_from_the_catalog_is_retired_not_taken_from_a_template(catalog_product):
    template = printer_template(catalog_product, offer="all")  # its variant is the A3
    catalog_product.uid_prefix = "poster"
    catalog_product.attributes = [catalog_product.attributes[0] | {"values": [{"code": "a4", "name": "A4"}]}]
    catalog_product.save()
    catalog.regenerate_variants(catalog_product)
    a3 = template.catalog_variants.get()
    assert a3.values["pf"] == "a3" and not a3.active
    assert not template_products.live_variants(template).exists()


def design_url(template):
    return reverse("catalog:template_design", args=[template.code])


def test_design_images_go_to_those_allowed_the_template(client, staff, acme, globex, catalog_product):
    sunset = make_template("Sunset")
    for_acme = printer_template(catalog_product, clients=[acme.client], design_template=sunset)
    acme_own = printer_template(catalog_product, client=acme.client, archived=True)
    acme_own.design_file.save("own.png", ContentFile(png(300, 400)))
    signed_in(client, acme, Role.VIEWER)
    for template in (for_acme, acme_own):  # its own archived one too
        answer = client.get(design_url(template))
        assert answer.status_code == 200 and answer["Content-Type"] == "image/png"
        assert answer["X-Content-Type-Options"] == "nosniff"
    signed_in(client, globex)
    assert [client.get(design_url(t)).status_code for t in (for_acme, acme_own)] == [404, 404]
    client.force_login(staff)
    assert client.get(reverse("catalog:connect_template_design", args=[for_acme.code])).status_code == 200
    assert client.get(reverse("catalog:connect_template_design", args=[acme_own.code])).status_code == 404


@pytest.mark.parametrize(
    "query", ["page=-1", "page=abc", "state=nonsense", "q=" + "x" * 5000, "q=%00", "q=%25_"]
)
def test_odd_list_input_is_never_an_error(client, staff, acme, catalog_product, query):
    printer_template(catalog_product, offer="all")
    client.force_login(staff)
    assert client.get(f"{reverse('catalog:connect_templates')}?{query}").status_code == 200
    signed_in(client, acme, Role.VIEWER)
    assert client.get(f"{reverse('catalog:templates')}?{query}").status_code == 200
