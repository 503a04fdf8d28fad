"""The catalog pages: Connect (staff edit), Storefronts (every member browses), and the Connect
client Products tab."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from catalog import catalog
from catalog.catalog import parse_attributes
from catalog.models import (
    CatalogProduct,
    CatalogVariant,
    DesignTemplate,
    FileCheck,
    ProductMapping,
    ProductType,
    StoreProduct,
)
from core.models import AuditEvent
from core.tenancy import Role

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Art poster",
    "product_type": ProductType.POSTER,
    "description": "Matte art print",
    "uid_prefix": "art_poster",
    "attributes": "pf Size: a4=A4 (210x297), a3=A3 (297x420)\npt Paper: 200-gsm-uncoated=200 gsm uncoated, "
    "250-gsm-silk=250 gsm silk",
    "print_width_mm": "297",
    "print_height_mm": "420",
    "min_dpi": "300",
    "bleed_mm": "3",
    "file_formats": ["pdf", "png"],
    "active": "on",
}


def product(name="Mug", prefix="mug_product", attributes="msz Size: 11-oz=11 oz, 15-oz=15 oz", **fields):
    return catalog.create_product_unaudited(
        name=name,
        product_type=fields.pop("product_type", ProductType.MUG),
        uid_prefix=prefix,
        attributes=parse_attributes(attributes),
        print_width_mm=Decimal("200"),
        print_height_mm=Decimal("85"),
        file_formats=["png"],
        **fields,
    )


# ---------------------------------------------------------------------------------------------
# Connect


def test_staff_create_a_product_and_see_its_uids(client, staff):
    client.force_login(staff)
    response = client.post(reverse("catalog:connect_catalog_create"), FORM)
    created = CatalogProduct.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("catalog:connect_catalog_product", kwargs={"code": created.code})
    assert created.file_formats == ["pdf", "png"]
    assert created.attributes[0]["values"][0] == {
        "code": "a4",
        "name": "A4",
        "width_mm": "210",
        "height_mm": "297",
    }
    page = client.get(response.url).text
    for uid in (
        "art_poster_pf_a4_pt_200-gsm-uncoated",
        "art_poster_pf_a4_pt_250-gsm-silk",
        "art_poster_pf_a3_pt_200-gsm-uncoated",
        "art_poster_pf_a3_pt_250-gsm-silk",
    ):
        assert uid in page
    assert "210 \u00d7 297" in page  # the A4 variants' own print area
    # The form shows the attributes back as the printer wrote them.
    assert "a4=A4 (210x297), a3=A3 (297x420)" in page
    assert AuditEvent.objects.filter(
        verb="catalog.product_created", client=None, target="Art poster"
    ).exists()


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"attributes": "pf Size a4"}, "attributes", "Line 1: write"),
        ({"attributes": "pf Size: a4\npt Paper: 200_gsm"}, "attributes", "Line 2: the value code 200_gsm"),
        ({"uid_prefix": "Art Poster"}, "uid_prefix", "lower-case letters and digits"),
        ({"file_formats": []}, "file_formats", "Choose at least one file format."),
        ({"file_formats": ["pdf", "exe"]}, "file_formats", "Select a valid choice"),
        ({"print_width_mm": "0"}, "print_width_mm", "greater than or equal to 1"),
        ({"min_dpi": "20"}, "min_dpi", "greater than or equal to 50"),
        ({"name": ""}, "name", "This field is required."),
    ],
)
def test_bad_input_says_what_is_wrong_and_saves_nothing(client, staff, change, field, words):
    client.force_login(staff)
    response = client.post(reverse("catalog:connect_catalog_create"), {**FORM, **change})
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(words in error for error in errors), errors
    assert CatalogProduct.objects.count() == 0
    assert CatalogVariant.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_a_clashing_uid_is_refused(client, staff):
    product(name="Other poster", prefix="art_poster", attributes="pf Size: a4=A4\npt Paper: 200-gsm-uncoated")
    client.force_login(staff)
    response = client.post(reverse("catalog:connect_catalog_create"), FORM)
    assert response.status_code == 200
    assert "art_poster_pf_a4_pt_200-gsm-uncoated already belongs to Other poster" in response.text
    assert CatalogProduct.objects.count() == 1


def test_too_many_combinations_are_refused(client, staff):
    many = "\n".join(f"a{n} A{n}: " + ", ".join(f"v{m}" for m in range(10)) for n in range(4))
    client.force_login(staff)
    response = client.post(reverse("catalog:connect_catalog_create"), {**FORM, "attributes": many})
    assert "10000 variants; at most 1000" in response.text
    assert CatalogProduct.objects.count() == 0


def test_bad_edit_changes_nothing_and_a_good_one_regenerates(client, staff, acme):
    client.force_login(staff)
    client.post(reverse("catalog:connect_catalog_create"), FORM)
    created = CatalogProduct.objects.get()
    url = reverse("catalog:connect_catalog_product", kwargs={"code": created.code})
    before = sorted(created.variants.values_list("pk", "uid", "active"))

    response = client.post(
        url, {**FORM, "name": "Renamed", "attributes": FORM["attributes"] + "\ncl Colour:"}
    )
    assert response.status_code == 200
    assert "Line 3: Colour has no values." in response.text
    created.refresh_from_db()
    assert created.name == "Art poster"
    assert sorted(created.variants.values_list("pk", "uid", "active")) == before

    # A client mapped the A3 silk variant; the printer then stops offering A3.
    a3 = created.variants.get(uid="art_poster_pf_a3_pt_250-gsm-silk")
    store_product = StoreProduct.objects.create(store=acme.store, external_id="1", title="Poster")
    variant = store_product.variants.create(store=acme.store, external_id="11")
    ProductMapping.objects.create(store=acme.store, variant=variant, catalog_variant=a3)
    response = client.post(
        url, {**FORM, "attributes": FORM["attributes"].replace(", a3=A3 (297x420)", ", a2=A2 (420x594)")}
    )
    assert response.status_code == 302
    states = dict(created.variants.values_list("uid", "active"))
    assert states == {
        "art_poster_pf_a4_pt_200-gsm-uncoated": True,
        "art_poster_pf_a4_pt_250-gsm-silk": True,
        "art_poster_pf_a2_pt_200-gsm-uncoated": True,
        "art_poster_pf_a2_pt_250-gsm-silk": True,
        "art_poster_pf_a3_pt_250-gsm-silk": False,  # mapped: kept, inactive
    }
    assert {pk for pk, uid, _active in before if "_a4_" in uid} == set(
        created.variants.filter(uid__contains="_a4_").values_list("pk", flat=True)
    )
    variant.mapping.refresh_from_db()
    assert variant.mapping.catalog_variant == a3


def test_staff_switch_a_variant_off_and_on(client, staff, acme):
    mug = product()
    small = mug.variants.get(uid="mug_product_msz_11-oz")
    client.force_login(staff)
    url = reverse("catalog:connect_catalog_variant_active", kwargs={"code": small.code})
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    small.refresh_from_db()
    assert small.active is False
    assert list(catalog.search_variants("mug")) == [mug.variants.get(uid="mug_product_msz_15-oz")]
    client.force_login(acme.user(Role.ADMIN))
    response = client.get(reverse("catalog:catalog_product", args=[mug.code]))
    assert [v.uid for v in response.context["page"].object_list] == ["mug_product_msz_15-oz"]
    client.force_login(staff)
    client.post(url, {"active": "on"})
    small.refresh_from_db()
    assert small.active is True
    assert AuditEvent.objects.filter(verb="catalog.product_updated", data__variant=small.uid).count() == 2


def test_staff_list_searches_and_filters(client, staff):
    product()
    product(
        name="Canvas",
        prefix="canvas_product",
        attributes="fd Frame: 20-mm, 40-mm",
        product_type=ProductType.CANVAS,
    )
    product(name="Old mug", prefix="old_mug", attributes="msz Size: 10-oz", active=False)
    client.force_login(staff)
    url = reverse("catalog:connect_catalog")

    def names(**params):
        return [p.name for p in client.get(url, params).context["page"].object_list]

    assert names() == ["Canvas", "Mug", "Old mug"]  # by product type, then name
    assert names(q="fd_40-mm") == ["Canvas"]  # by UID
    assert names(q="mug") == ["Mug", "Old mug"]
    assert names(type=ProductType.MUG, active="no") == ["Old mug"]
    assert names(active="yes") == ["Canvas", "Mug"]
    response = client.get(url, {"q": "nothing-like-this"})
    assert "No catalog product matches" in response.text
    # The variant counts are not thrown off by a search that matched on UIDs.
    assert client.get(url, {"q": "fd_40"}).context["page"].object_list[0].variant_count == 2


def test_staff_list_empty_state(client, staff):
    client.force_login(staff)
    response = client.get(reverse("catalog:connect_catalog"))
    assert "No catalog products yet" in response.text
    assert 'aria-current="page">Catalog<' in response.text  # the left navigation


@pytest.mark.parametrize("role", list(Role))
def test_client_people_cannot_reach_the_catalog_editor(client, acme, role):
    mug = product()
    client.force_login(acme.user(role))
    assert client.get(reverse("catalog:connect_catalog")).status_code == 403
    assert client.post(reverse("catalog:connect_catalog_create"), FORM).status_code == 403
    url = reverse("catalog:connect_catalog_product", kwargs={"code": mug.code})
    assert client.post(url, {**FORM, "name": "Hacked"}).status_code == 403
    variant = mug.variants.first()
    url = reverse("catalog:connect_catalog_variant_active", kwargs={"code": variant.code})
    assert client.post(url).status_code == 403
    assert CatalogProduct.objects.get().name == "Mug"
    assert mug.variants.filter(active=True).count() == 2


def test_anonymous_is_sent_to_sign_in(client):
    mug = product()
    for url in (
        reverse("catalog:connect_catalog"),
        reverse("catalog:connect_catalog_product", kwargs={"code": mug.code}),
        reverse("catalog:catalog"),
        reverse("catalog:catalog_product", kwargs={"code": mug.code}),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


# ---------------------------------------------------------------------------------------------
# Storefronts


@pytest.mark.parametrize("role", list(Role))
def test_every_role_browses_the_catalog_and_sees_uids(client, acme, role):
    mug = product()
    product(name="Retired mug", prefix="retired_mug", attributes="msz Size: 10-oz", active=False)
    client.force_login(acme.user(role))
    dashboard = client.get(reverse("storefronts:dashboard")).text
    assert reverse("catalog:catalog") in dashboard  # in the navigation
    response = client.get(reverse("catalog:catalog"))
    assert response.status_code == 200
    assert "Mug" in response.text
    assert "Retired mug" not in response.text
    page = client.get(reverse("catalog:catalog_product", kwargs={"code": mug.code})).text
    assert "mug_product_msz_11-oz" in page and "mug_product_msz_15-oz" in page
    assert 'data-copy="uid-' in page and "js/catalog.js" in page
    assert "200 \u00d7 85 mm" in page and "PNG" in page


def test_an_inactive_product_is_not_found_in_storefronts(client, acme):
    old = product(active=False)
    client.force_login(acme.user(Role.VIEWER))
    assert client.get(reverse("catalog:catalog_product", kwargs={"code": old.code})).status_code == 404


def test_storefronts_search_by_name_uid_and_type(client, acme):
    product()
    product(
        name="Canvas", prefix="canvas_product", attributes="fd Frame: 20-mm", product_type=ProductType.CANVAS
    )
    client.force_login(acme.user(Role.ORDER_MANAGER))
    url = reverse("catalog:catalog")

    def names(**params):
        return [p.name for p in client.get(url, params).context["page"].object_list]

    assert names(q="MSZ_15") == ["Mug"]
    assert names(q="canvas") == ["Canvas"]
    assert names(type=ProductType.MUG) == ["Mug"]
    assert "No catalog product matches" in client.get(url, {"q": "zzz"}).text


def test_storefronts_empty_catalog(client, acme):
    client.force_login(acme.user(Role.ADMIN))
    assert "The catalog is empty" in client.get(reverse("catalog:catalog")).text


def test_product_page_searches_its_variants(client, acme):
    mug = product(
        attributes="msz Size: 11-oz=11 oz, 15-oz=15 oz\nmmat Colour: ceramic-white=White, ceramic-black=Black"
    )
    client.force_login(acme.user(Role.VIEWER))
    url = reverse("catalog:catalog_product", kwargs={"code": mug.code})
    shown = [v.uid for v in client.get(url, {"q": "black 15"}).context["page"].object_list]
    assert shown == ["mug_product_msz_15-oz_mmat_ceramic-black"]


def test_template_images_need_sign_in_and_products_access(client, acme, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    catalog.seed_catalog()
    template = DesignTemplate.objects.first()
    url = reverse("catalog:template_image", kwargs={"code": template.code})
    assert client.get(url).status_code == 302
    client.force_login(acme.user(Role.STORE_MANAGER))
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    client.force_login(acme.user(Role.ORDER_MANAGER))
    assert client.get(url).status_code == 403


def test_seed_demo_seeds_the_catalog(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert CatalogProduct.objects.filter(product_type=ProductType.APPAREL).count() == 2
    assert DesignTemplate.objects.count() >= 5
    call_command("seed_catalog", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert CatalogProduct.objects.filter(product_type=ProductType.APPAREL).count() == 2


# ---------------------------------------------------------------------------------------------
# Connect: a client's products


def test_client_products_tab_shows_only_that_clients_products(client, staff, acme, globex):
    mug = product()
    acme_product = StoreProduct.objects.create(store=acme.store, external_id="1", title="Acme logo mug")
    first = acme_product.variants.create(store=acme.store, external_id="11", title="11 oz", sku="ACME-MUG-11")
    acme_product.variants.create(store=acme.store, external_id="12", title="15 oz", sku="ACME-MUG-15")
    ProductMapping.objects.create(
        store=acme.store,
        variant=first,
        catalog_variant=mug.variants.get(uid="mug_product_msz_11-oz"),
        design_file_url="https://files.example/acme-logo.png",
        file_check=FileCheck.PROBLEM,
        file_problem="The image is 600 x 250 pixels: at 200 DPI the print area needs 1575 x 669.",
    )
    StoreProduct.objects.create(store=globex.store, external_id="1", title="Globex secret hoodie")

    client.force_login(staff)
    response = client.get(reverse("catalog:connect_client_products", kwargs={"code": acme.client.code}))
    assert response.status_code == 200
    assert "Acme logo mug" in response.text
    assert "Globex secret hoodie" not in response.text
    row = response.context["page"].object_list[0]
    assert (row.variant_count, row.mapped_count) == (2, 1)
    assert 'aria-current="page">Products<' in response.text
    searched = client.get(
        reverse("catalog:connect_client_products", kwargs={"code": acme.client.code}), {"q": "ACME-MUG-15"}
    )
    assert [p.title for p in searched.context["page"].object_list] == ["Acme logo mug"]

    url = reverse(
        "catalog:connect_client_product", kwargs={"code": acme.client.code, "product": acme_product.code}
    )
    page = client.get(url).text
    assert "mug_product_msz_11-oz" in page
    assert "https://files.example/acme-logo.png" in page
    assert "at 200 DPI the print area needs 1575 x 669" in page
    assert "Needs mapping" in page  # the 15 oz variant

    # Another client's product is not found under Acme's code.
    globex_product = StoreProduct.objects.get(store=globex.store)
    wrong = reverse(
        "catalog:connect_client_product", kwargs={"code": acme.client.code, "product": globex_product.code}
    )
    assert client.get(wrong).status_code == 404


def test_client_products_tab_empty_state(client, staff, acme):
    client.force_login(staff)
    response = client.get(reverse("catalog:connect_client_products", kwargs={"code": acme.client.code}))
    assert "No products yet" in response.text
