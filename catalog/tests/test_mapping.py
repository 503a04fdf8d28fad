"""Connect product: saving and removing mappings, suggested UIDs, all-or-nothing validation,
who may do what; the Products list's filters; design files served only to those who may see them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog import mapping as services
from catalog.mapping import VariantChoice
from catalog.models import CatalogProduct, CatalogVariant, FileCheck, ProductMapping, StoreVariant
from catalog.tests.mapping_helpers import make_poster, make_store_product, poster_fixture, sunset_fixture  # noqa: F401
from core.models import AuditEvent
from core.tenancy import Role
from storefronts.models import Store

A4 = "flat_product_pf_a4_pt_200-gsm-matt"
A3 = "flat_product_pf_a3_pt_200-gsm-matt"


def variant(product, size):
    return product.variants.get(options__Size=size)


def connect_data(poster, product, uids, **extra):
    data = {"catalog_product": str(poster.code), **extra}
    for size, uid in uids.items():
        data[f"uid_{variant(product, size).code.hex}"] = uid
    return data


def signed_in(client, world, role):
    client.force_login(world.user(role))
    return client


# --- Suggestions --------------------------------------------------------------------------------


def test_sizes_suggest_their_uids_ignoring_case(poster, sunset):
    catalog_variants = list(poster.variants.all())
    store_variant = StoreVariant(id=1, sku="", options={"Size": "a3"})
    suggestions = services.suggest_uids([store_variant], catalog_variants, poster.attributes)
    assert suggestions[1].uid == A3


def test_a_value_matches_by_name_or_code_and_a_tie_suggests_nothing(db):
    shirt = CatalogProduct.objects.create(
        name="T-shirt",
        product_type="apparel",
        uid_prefix="apparel_product",
        attributes=[
            {
                "code": "sz",
                "name": "Size",
                "values": [{"code": "m", "name": "M"}, {"code": "l", "name": "L"}],
            },
            {
                "code": "cl",
                "name": "Colour",
                "values": [{"code": "blk", "name": "Black"}, {"code": "wht", "name": "White"}],
            },
        ],
        print_width_mm=300,
        print_height_mm=400,
    )
    for size in ("m", "l"):
        for colour in ("blk", "wht"):
            CatalogVariant.objects.create(
                product=shirt,
                uid=f"apparel_product_sz_{size}_cl_{colour}",
                label="",
                values={"sz": size, "cl": colour},
            )
    catalog_variants = list(shirt.variants.all())
    store_variants = [
        StoreVariant(id=1, options={"Size": "M", "Color": "black"}),  # names by name, codes by code
        StoreVariant(id=2, options={"Size": "L", "Colour": "WHT"}),
        StoreVariant(id=3, options={"Size": "M"}),  # black or white? a person decides
        StoreVariant(id=4, options={"Size": "XL", "Colour": "Black"}),  # no XL in the catalog
        StoreVariant(id=5, sku="APPAREL_PRODUCT_SZ_L_CL_BLK", options={}),  # the SKU is a UID
    ]
    suggestions = services.suggest_uids(store_variants, catalog_variants, shirt.attributes)
    assert suggestions[1].uid == "apparel_product_sz_m_cl_blk"
    assert suggestions[2].uid == "apparel_product_sz_l_cl_wht"
    assert 3 not in suggestions
    assert 4 not in suggestions
    assert suggestions[5].uid == "apparel_product_sz_l_cl_blk"


def test_the_page_preselects_suggested_uids(client, acme, poster, sunset):
    signed_in(client, acme, Role.ADMIN)
    response = client.get(reverse("catalog:product", args=[sunset.code]), {"catalog": poster.code})
    assert response.status_code == 200
    form = response.context["form"]
    assert form[f"uid_{variant(sunset, 'A4').code.hex}"].value() == A4
    assert form[f"uid_{variant(sunset, 'A3').code.hex}"].value() == A3
    assert "suggested" in response.text


def test_catalog_search_finds_by_name_and_by_uid(client, acme, poster, sunset):
    signed_in(client, acme, Role.ADMIN)
    url = reverse("catalog:catalog_search", args=[sunset.code])
    assert "Art poster" in client.get(url, {"q": "art pos"}).text
    assert "Art poster" in client.get(url, {"q": "pf_a3"}).text
    assert "No catalog product has" in client.get(url, {"q": "mug"}).text
    # Every word, in the name or a UID: the catalog's own search.
    assert "Art poster" in client.get(url, {"q": "poster a4"}).text
    assert "No catalog product has" in client.get(url, {"q": "poster a5"}).text


# --- Saving -------------------------------------------------------------------------------------


def test_connect_saves_every_chosen_variant_in_one_go(
    client, acme, poster, sunset, django_capture_on_commit_callbacks
):
    signed_in(client, acme, Role.ADMIN)
    data = connect_data(
        poster,
        sunset,
        {"A4": A4, "A3": A3},
        design_url="https://files.example/sunset.pdf",
        min_dpi="150",
        bleed_mm="2",
    )
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("catalog:product_connect", args=[sunset.code]), data)
    assert response.status_code == 302
    mappings = {
        m.variant.options["Size"]: m
        for m in ProductMapping.objects.select_related("variant", "catalog_variant")
    }
    assert {size: m.catalog_variant.uid for size, m in mappings.items()} == {"A4": A4, "A3": A3}
    assert all(m.design_file_url == "https://files.example/sunset.pdf" for m in mappings.values())
    assert all(m.file_check == FileCheck.PENDING for m in mappings.values())
    assert mappings["A4"].spec_overrides == {"min_dpi": 150, "bleed_mm": "2"}
    # One check run for the product and one notice to orders waiting on mappings, after the commit.
    assert len(callbacks) == 2
    sunset.refresh_from_db()
    assert sunset.catalog_product == poster
    event = AuditEvent.objects.get(verb="product.mapped")
    assert event.client == acme.client and event.target == "Sunset poster"
    assert event.data["connected"] == 2


def test_a_variant_left_blank_keeps_its_mapping(acme, poster, sunset):
    a4 = variant(sunset, "A4")
    services.connect_product(
        None, sunset, poster, [VariantChoice(a4, poster.variants.get(uid=A4))], spec_overrides={}
    )
    services.connect_product(
        None,
        sunset,
        poster,
        [VariantChoice(variant(sunset, "A3"), poster.variants.get(uid=A3))],
        spec_overrides={},
    )
    assert ProductMapping.objects.count() == 2


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"A4": A4, "upload": ("sunset.gif", b"GIF89a....")}, id="format not taken"),
        pytest.param({"A4": A4, "url": "ftp://files.example/sunset.png"}, id="not http"),
        pytest.param({"A4": "flat_product_pf_a5_pt_200-gsm-matt"}, id="UID of no variant"),
        pytest.param({"A4": A4, "A3_url": "https://files.example/a3.png"}, id="file without a UID"),
        pytest.param({"A4": A4, "too_big": True}, id="file too large"),
        pytest.param({}, id="no UID at all"),
        pytest.param({"A4": A4, "min_dpi": "5"}, id="DPI override out of range"),
    ],
)
def test_bad_input_saves_nothing(client, acme, poster, sunset, settings, change):
    signed_in(client, acme, Role.ADMIN)
    a3 = variant(sunset, "A3")
    data = connect_data(poster, sunset, {"A3": A3} if change and "A3_url" not in change else {})
    data |= connect_data(poster, sunset, {"A4": change["A4"]} if "A4" in change else {})
    if "url" in change:
        data["design_url"] = change["url"]
    if "A3_url" in change:
        data[f"url_{a3.code.hex}"] = change["A3_url"]
    if "min_dpi" in change:
        data["min_dpi"] = change["min_dpi"]
    if "upload" in change:
        data["design_upload"] = SimpleUploadedFile(*change["upload"])
    if change.get("too_big"):
        settings.DESIGN_FILE_MAX_BYTES = 10
        data["design_upload"] = SimpleUploadedFile("sunset.png", b"\x89PNG" + b"0" * 100)
    response = client.post(reverse("catalog:product_connect", args=[sunset.code]), data)
    assert response.status_code == 400
    assert "Nothing was saved" in response.text
    assert not ProductMapping.objects.exists()
    assert not AuditEvent.objects.filter(verb="product.mapped").exists()
    sunset.refresh_from_db()
    assert sunset.catalog_product is None


def test_error_messages_say_what_to_do(client, acme, poster, sunset, settings):
    signed_in(client, acme, Role.ADMIN)
    settings.DESIGN_FILE_MAX_BYTES = 10
    data = connect_data(poster, sunset, {"A4": A4})
    data["design_upload"] = SimpleUploadedFile("sunset.gif", b"GIF89a")
    text = client.post(reverse("catalog:product_connect", args=[sunset.code]), data).text
    assert "sunset.gif is not a file this product takes: send PDF, PNG or JPG." in text
    data["design_upload"] = SimpleUploadedFile("sunset.png", b"0" * 20)
    text = client.post(reverse("catalog:product_connect", args=[sunset.code]), data).text
    assert "sunset.png is 20\xa0bytes; design files can be at most 10\xa0bytes." in text


def test_disconnect_removes_one_variant_mapping(client, acme, poster, sunset):
    a4, a3 = variant(sunset, "A4"), variant(sunset, "A3")
    services.connect_product(
        None,
        sunset,
        poster,
        [VariantChoice(a4, poster.variants.get(uid=A4)), VariantChoice(a3, poster.variants.get(uid=A3))],
        spec_overrides={},
    )
    signed_in(client, acme, Role.STORE_MANAGER)
    response = client.post(reverse("catalog:variant_disconnect", args=[a4.code]))
    assert response.status_code == 302
    assert list(ProductMapping.objects.values_list("variant", flat=True)) == [a3.pk]
    event = AuditEvent.objects.get(verb="product.unmapped")
    assert event.data["uid"] == A4 and event.client == acme.client


def test_check_again_queues_a_new_check(client, acme, poster, sunset, django_capture_on_commit_callbacks):
    a4 = variant(sunset, "A4")
    mapping = ProductMapping.objects.create(
        store=acme.store,
        variant=a4,
        catalog_variant=poster.variants.get(uid=A4),
        design_file_url="https://files.example/a.png",
        file_check=FileCheck.PROBLEM,
        file_problem="old",
    )
    signed_in(client, acme, Role.ADMIN)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("catalog:variant_check", args=[a4.code]), headers={"HX-Request": "true"}
        )
    assert response.status_code == 200 and "Checking…" in response.text
    assert 'hx-trigger="every 2s"' in response.text  # the part keeps asking until the worker answers
    mapping.refresh_from_db()
    assert (mapping.file_check, mapping.file_problem) == (FileCheck.PENDING, "")
    assert len(callbacks) == 1


# --- Who may ------------------------------------------------------------------------------------


def test_store_managers_see_and_change_only_their_stores(client, acme, poster, sunset):
    other_store = Store.objects.create(client=acme.client, platform=Store.Platform.MANUAL, name="Acme outlet")
    elsewhere = make_store_product(other_store, title="Outlet poster", external_id="o-1")
    signed_in(client, acme, Role.STORE_MANAGER)
    listing = client.get(reverse("catalog:products")).text
    assert "Sunset poster" in listing and "Outlet poster" not in listing
    assert client.get(reverse("catalog:product", args=[elsewhere.code])).status_code == 404
    data = connect_data(poster, elsewhere, {"A4": A4})
    assert client.post(reverse("catalog:product_connect", args=[elsewhere.code]), data).status_code == 404
    assert not ProductMapping.objects.exists()
    # The Admin sees both.
    signed_in(client, acme, Role.ADMIN)
    assert "Outlet poster" in client.get(reverse("catalog:products")).text


def test_view_only_sees_the_page_read_only_and_cannot_change(client, acme, poster, sunset):
    sunset.catalog_product = poster
    sunset.save()
    signed_in(client, acme, Role.VIEWER)
    response = client.get(reverse("catalog:product", args=[sunset.code]))
    assert response.status_code == 200
    assert "Art poster" in response.text
    assert "Connect the variants" not in response.text and 'name="q"' not in response.text
    data = connect_data(poster, sunset, {"A4": A4})
    assert client.post(reverse("catalog:product_connect", args=[sunset.code]), data).status_code == 403
    assert (
        client.post(reverse("catalog:variant_disconnect", args=[variant(sunset, "A4").code])).status_code
        == 403
    )
    assert not ProductMapping.objects.exists()


def test_order_managers_neither_see_nor_change_products(client, acme, poster, sunset):
    signed_in(client, acme, Role.ORDER_MANAGER)
    assert client.get(reverse("catalog:products")).status_code == 403
    assert client.get(reverse("catalog:product", args=[sunset.code])).status_code == 403
    data = connect_data(poster, sunset, {"A4": A4})
    assert client.post(reverse("catalog:product_connect", args=[sunset.code]), data).status_code == 403
    assert not ProductMapping.objects.exists()
    assert reverse("catalog:products") not in client.get(reverse("storefronts:dashboard")).text


# --- The Products list --------------------------------------------------------------------------


@pytest.fixture
def shelf(acme, poster):
    """Four products: fully mapped with a file problem, partly mapped, unmapped, deleted."""
    full = make_store_product(acme.store, title="Full poster", external_id="f")
    part = make_store_product(acme.store, title="Half poster", external_id="h")
    make_store_product(acme.store, title="Bare poster", external_id="b")
    make_store_product(acme.store, title="Gone poster", external_id="g", state="deleted")
    a4, a3 = poster.variants.get(uid=A4), poster.variants.get(uid=A3)
    for store_variant, catalog_variant, check in (
        (variant(full, "A4"), a4, FileCheck.PROBLEM),
        (variant(full, "A3"), a3, FileCheck.OK),
        (variant(part, "A4"), a4, FileCheck.OK),
    ):
        ProductMapping.objects.create(
            store=acme.store, variant=store_variant, catalog_variant=catalog_variant, file_check=check
        )


def titles(response):
    return [row.title for row in response.context["page"].object_list]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["Bare poster", "Full poster", "Gone poster", "Half poster"]),
        ({"mapping": "mapped"}, ["Full poster"]),
        ({"mapping": "partly"}, ["Half poster"]),
        ({"mapping": "unmapped"}, ["Bare poster", "Gone poster"]),
        ({"problems": "on"}, ["Full poster"]),
        ({"state": "deleted"}, ["Gone poster"]),
        ({"q": "half"}, ["Half poster"]),
        ({"q": "B-A3"}, ["Bare poster"]),  # by SKU
        ({"store": "not-a-code"}, ["Bare poster", "Full poster", "Gone poster", "Half poster"]),
    ],
)
def test_products_list_filters(client, acme, shelf, params, expected):
    signed_in(client, acme, Role.VIEWER)
    assert titles(client.get(reverse("catalog:products"), params)) == expected


def test_products_list_rows_say_counts_and_states(client, acme, shelf):
    signed_in(client, acme, Role.ADMIN)
    response = client.get(reverse("catalog:products"))
    rows = {row.title: row for row in response.context["page"].object_list}
    full = rows["Full poster"]
    assert (full.variant_count, full.mapped_count, full.problem_count) == (2, 2, 1)
    assert (rows["Half poster"].mapped_count, rows["Bare poster"].mapped_count) == (1, 0)
    assert "Deleted in the shop" in response.text
    assert "Needs mapping" in response.text


def test_products_list_empty_state_says_what_to_do(client, acme):
    signed_in(client, acme, Role.ADMIN)
    response = client.get(reverse("catalog:products"))
    assert "No products yet" in response.text
    assert "Sync products on a store's page" in response.text


def test_products_list_queries_do_not_grow_with_rows(client, acme, poster, django_assert_max_num_queries):
    for n in range(30):
        make_store_product(acme.store, title=f"Poster {n:02}", external_id=f"p{n}")
    signed_in(client, acme, Role.ADMIN)
    client.get(reverse("catalog:products"))
    with django_assert_max_num_queries(10):
        response = client.get(reverse("catalog:products"), {"page": 2})
    assert len(response.context["page"].object_list) == 5


# --- Design files are never public ------------------------------------------------------------


@pytest.fixture
def uploaded(acme, poster, sunset, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    a4 = variant(sunset, "A4")
    services.connect_product(
        None,
        sunset,
        poster,
        [
            VariantChoice(
                a4, poster.variants.get(uid=A4), upload=SimpleUploadedFile("My Sunset.png", b"\x89PNG fake")
            )
        ],
        spec_overrides={},
    )
    return a4


def test_the_uploaded_file_is_served_to_those_who_may_see_the_store(client, acme, globex, staff, uploaded):
    url = reverse("catalog:design_file", args=[uploaded.code])
    signed_in(client, acme, Role.VIEWER)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"\x89PNG fake"
    assert 'filename="My Sunset.png"' in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    signed_in(client, globex, Role.ADMIN)
    assert client.get(url).status_code == 404
    signed_in(client, acme, Role.ORDER_MANAGER)
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302
    # Printer staff, for any client, through Connect's own URL.
    client.force_login(staff)
    staff_url = reverse("catalog:staff_design_file", args=[uploaded.code])
    assert b"".join(client.get(staff_url).streaming_content) == b"\x89PNG fake"
    signed_in(client, acme, Role.ADMIN)
    assert client.get(staff_url).status_code == 403
    # Nothing under MEDIA_URL answers.
    name = ProductMapping.objects.get().design_file.name
    assert client.get(f"/media/{name}").status_code == 404
