"""The catalog's services: attributes as text, UIDs, regeneration on edit, search and the seed."""

from decimal import Decimal

import pytest

from catalog import catalog
from catalog.catalog import CatalogError, format_attributes, parse_attributes
from catalog.models import CatalogProduct, CatalogVariant, DesignTemplate, ProductMapping, ProductType
from core.models import AuditEvent

POSTER_ATTRIBUTES = (
    "pf Size: a4=A4 (210x297), a3=A3 (297x420)\n"
    "pt Paper: 200-gsm-uncoated=200 gsm uncoated\n"
    "cl Colour: 4-0=Front only\n"
    "ct Coating: none\nprt Protection: none\nsft Soft touch: none\nset Set: none\n"
    "or Orientation: hor=Landscape, ver=Portrait"
)


def make_product(actor=None, attributes=POSTER_ATTRIBUTES, **fields):
    values = {
        "name": "Test poster",
        "product_type": ProductType.POSTER,
        "uid_prefix": "flat_product",
        "description": "",
        "attributes": parse_attributes(attributes),
        "print_width_mm": Decimal("297"),
        "print_height_mm": Decimal("420"),
        "min_dpi": 300,
        "bleed_mm": Decimal("3"),
        "file_formats": ["pdf", "png"],
        "active": True,
        **fields,
    }
    return catalog.create_product(actor, **values)


def uids(product):
    return sorted(product.variants.values_list("uid", flat=True))


def test_parse_attributes_reads_codes_names_and_sizes():
    attributes = parse_attributes(
        "pf Size: a4=A4 (210x297), a3=A3 (297 x 420 mm)\n\n# a comment\ncl Colour: 4-0"
    )
    assert attributes == [
        {
            "code": "pf",
            "name": "Size",
            "values": [
                {"code": "a4", "name": "A4", "width_mm": "210", "height_mm": "297"},
                {"code": "a3", "name": "A3", "width_mm": "297", "height_mm": "420"},
            ],
        },
        {"code": "cl", "name": "Colour", "values": [{"code": "4-0", "name": "4-0"}]},
    ]
    # The text form reads back to the same list.
    assert parse_attributes(format_attributes(attributes)) == attributes


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("pf Size a4, a3", "Line 1: write"),
        ("pf_x Size: a4", "attribute code pf_x"),
        ("pf Size: a4\npf Paper: x", "Line 2: the attribute code pf is used twice"),
        ("pf Size: a4, A3", "value code A3"),
        ("pf Size: a4, a4", "value code a4 is used twice"),
        ("pf Size: ,", "Size has no values"),
        ("pf Size: a4=A4 (210 by 297)", "(width x height)"),
        ("pf Size: a4=A4 (0x297)", "more than 0 mm"),
        ("pf Size: a_4", "value code a_4"),
    ],
)
def test_parse_attributes_says_what_is_wrong(text, words):
    with pytest.raises(CatalogError) as error:
        parse_attributes(text)
    assert any(words in message for message in error.value.messages), error.value.messages


@pytest.mark.django_db
def test_variants_get_uids_in_the_guides_style(staff):
    product = make_product(staff)
    assert uids(product) == sorted(
        f"flat_product_pf_{size}_pt_200-gsm-uncoated_cl_4-0_ct_none_prt_none_sft_none_set_none_{orientation}"
        for size in ("a4", "a3")
        for orientation in ("hor", "ver")
    )
    a4_landscape = product.variants.get(uid__contains="_a4_", uid__endswith="_hor")
    # The print area comes from the size, turned for the orientation.
    assert a4_landscape.print_area_mm == (Decimal("297"), Decimal("210"))
    assert product.variants.get(uid__contains="_a4_", uid__endswith="_ver").print_area_mm == (
        Decimal("210"),
        Decimal("297"),
    )
    assert a4_landscape.values == {
        "pf": "a4",
        "pt": "200-gsm-uncoated",
        "cl": "4-0",
        "ct": "none",
        "prt": "none",
        "sft": "none",
        "set": "none",
        "or": "hor",
    }
    assert a4_landscape.label == "A4 · 200 gsm uncoated · Front only · none · none · none · none · Landscape"
    event = AuditEvent.objects.get(verb="catalog.product_created")
    assert (event.actor, event.client, event.target) == (staff, None, "Test poster")


@pytest.mark.django_db
def test_a_product_without_a_size_uses_its_own_print_area(staff):
    product = make_product(staff, attributes="gsi Size: s, m", uid_prefix="apparel_product_gca_t-shirt")
    assert uids(product) == ["apparel_product_gca_t-shirt_gsi_m", "apparel_product_gca_t-shirt_gsi_s"]
    assert product.variants.first().print_area_mm == (Decimal("297"), Decimal("420"))


@pytest.mark.django_db
def test_uids_are_unique_across_products(staff):
    make_product(staff)
    with pytest.raises(CatalogError, match="already belongs to Test poster"):
        make_product(staff, name="Copy")
    assert CatalogProduct.objects.count() == 1


@pytest.mark.django_db
def test_editing_keeps_rows_retires_mapped_and_deletes_unmapped(staff, acme):
    product = make_product(staff)
    before = {variant.uid: variant.pk for variant in product.variants.all()}
    a3 = product.variants.get(uid__contains="_a3_", uid__endswith="_hor")
    a3_portrait = product.variants.get(uid__contains="_a3_", uid__endswith="_ver")
    store_product = acme.store.products.create(external_id="1", title="Poster")
    store_variant = store_product.variants.create(store=acme.store, external_id="11")
    ProductMapping.objects.create(store=acme.store, variant=store_variant, catalog_variant=a3)
    # A staff member switched one kept variant off by hand: an edit leaves that alone.
    a4_portrait = product.variants.get(uid__contains="_a4_", uid__endswith="_ver")
    catalog.set_variant_active(staff, a4_portrait, False)

    # Drop A3, add A2 (and rename A4).
    edited = POSTER_ATTRIBUTES.replace("a3=A3 (297x420)", "a2=A2 (420x594)").replace("a4=A4", "a4=A4 sheet")
    catalog.update_product(staff, product, attributes=parse_attributes(edited), name="Poster")

    after = {variant.uid: variant for variant in product.variants.all()}
    for uid, pk in before.items():
        if "_a4_" in uid:
            assert after[uid].pk == pk  # the same row, so mappings and links hold
            assert after[uid].label.startswith("A4 sheet")
    assert after[a4_portrait.uid].active is False
    assert after[a3.uid].active is False  # mapped: kept, inactive
    assert a3_portrait.uid not in after  # unmapped: gone
    assert CatalogVariant.objects.filter(pk=a3_portrait.pk).count() == 0
    assert sum("_a2_" in uid and variant.active for uid, variant in after.items()) == 2
    store_variant.mapping.refresh_from_db()
    assert store_variant.mapping.catalog_variant_id == a3.pk

    # Saving again changes nothing; bringing A3 back makes its old row active again.
    catalog.update_product(staff, product, attributes=parse_attributes(edited))
    assert {v.uid: (v.pk, v.active) for v in product.variants.all()} == {
        uid: (v.pk, v.active) for uid, v in after.items()
    }
    catalog.update_product(staff, product, attributes=parse_attributes(POSTER_ATTRIBUTES))
    a3.refresh_from_db()
    assert a3.active is True
    assert AuditEvent.objects.filter(verb="catalog.product_updated").count() == 4


@pytest.mark.django_db
def test_search_variants_finds_active_ones_by_name_label_and_uid(staff):
    poster = make_product(staff)
    shirt = make_product(
        staff,
        name="Classic T-shirt",
        attributes="gsi Size: s=S, m=M",
        uid_prefix="apparel_product_gca_t-shirt",
    )
    assert {v.uid for v in catalog.search_variants("t-shirt gsi_m")} == {"apparel_product_gca_t-shirt_gsi_m"}
    assert catalog.search_variants("POSTER").count() == 4
    assert catalog.search_variants("a4 landscape").count() == 1
    assert catalog.search_variants("", product=shirt).count() == 2
    catalog.set_variant_active(staff, shirt.variants.get(uid__endswith="_s"), False)
    assert catalog.search_variants("t-shirt").count() == 1
    catalog.set_product_active(staff, poster, False)
    assert catalog.search_variants("poster").count() == 0


@pytest.mark.django_db
def test_seed_catalog_is_realistic_and_idempotent(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    first = catalog.seed_catalog()
    assert first["products"] >= 7 and first["templates"] >= 5
    assert set(CatalogProduct.objects.values_list("product_type", flat=True)) == set(ProductType.values)
    assert CatalogVariant.objects.filter(
        uid="flat_product_pf_a4_pt_200-gsm-uncoated_cl_4-0_ct_none_prt_none_sft_none_set_none_hor"
    ).exists()
    shirt_sizes = {v.values["gsi"] for v in CatalogVariant.objects.filter(product__name="Classic T-shirt")}
    assert shirt_sizes == {"s", "m", "l", "xl", "xxl"}
    counts = (CatalogProduct.objects.count(), CatalogVariant.objects.count(), DesignTemplate.objects.count())
    assert catalog.seed_catalog() == {"products": 0, "templates": 0}
    assert counts == (
        CatalogProduct.objects.count(),
        CatalogVariant.objects.count(),
        DesignTemplate.objects.count(),
    )
    template = DesignTemplate.objects.first()
    assert (tmp_path / template.image.name).stat().st_size > 1000
