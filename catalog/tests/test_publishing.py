"""Add product and Publish to store, over real HTTP against the sandbox shops: the product and
its variants are created in Shopify, WooCommerce and Etsy, the mapping is stored by itself, a
repeat never makes a second product, a platform's failure is said in words and leaves a retry,
and each role may do exactly what it should."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
import requests
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from catalog import design_files, print_files, publishing, tasks
from catalog.models import CatalogProduct, ProductMapping, Publication, StoreProduct, StoreVariant
from catalog.seed import seed_catalog
from core.tenancy import Role
from core.testing import running_sandbox, wait_for
from integrations.tests.helpers import READ_WRITE, sandbox_switch
from integrations.tests.test_shopify_adapter import SHOP, connected_adapter
from storefronts.models import Store

from .publishing_helpers import make_catalog_product, make_publication, make_template, png
from .test_products_sync import sync


@pytest.fixture(scope="module")
def sandbox_url(tmp_path_factory, pytestconfig):
    """This module's own sandbox: publishing adds products to its shops, which other tests count."""
    with running_sandbox(tmp_path_factory.mktemp("sandbox"), pytestconfig.getvalue("liveserver")) as url:
        yield url


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def shopify_store(shopify, acme):
    adapter = connected_adapter(shopify)
    store = Store.objects.create(
        client=acme.client,
        platform="shopify",
        name="Demo Apparel",
        shop_identity=SHOP,
        base_url=f"{shopify}/shopify/{SHOP}",
        credentials=adapter.credentials,
    )
    acme.members[Role.STORE_MANAGER].stores.add(store)
    yield store
    sandbox_switch(shopify, shop="shopify/demo-apparel")


@pytest.fixture
def woo_store(sandbox_url, settings, acme):
    settings.SANDBOX_ENABLED = True
    base = f"{sandbox_url}/woocommerce/demo-posters"
    store = Store.objects.create(
        client=acme.client,
        platform="woocommerce",
        name="Demo Posters",
        shop_identity=base,
        base_url=base,
        credentials={"consumer_key": READ_WRITE[0], "consumer_secret": READ_WRITE[1]},
    )
    yield store
    sandbox_switch(sandbox_url)


@pytest.fixture
def etsy_store(request, client, acme):
    from integrations.tests.test_etsy import connect

    request.getfixturevalue("etsy")  # Etsy pointed at the sandbox (the root conftest's fixture)
    client.force_login(acme.user(Role.ADMIN))
    connect(client)
    return Store.objects.get(platform="etsy")


@pytest.fixture
def admin(client, acme):
    client.force_login(acme.user(Role.ADMIN))
    return client


def shop_page(sandbox_url, shop):
    return requests.get(f"{sandbox_url}/shops/{shop}/", timeout=10).text


def products_listed(sandbox_url, shop, title):
    """How many products of this title the sandbox shop's own page lists."""
    return shop_page(sandbox_url, shop).count(f"<td>{title}</td>")


def add_product(client, store, catalog_product, title, *, variants=None, price="24.50", design=None):
    """Steps 1 to 3 as a person does them, without scripts: the design is centred and fitted."""
    step2 = client.get(reverse("catalog:add_product"), {"store": store.code, "product": catalog_product.code})
    assert step2.status_code == 200 and "Title" in step2.text
    chosen = variants or [v.uid for v in catalog_product.variants.all()]
    answer = client.post(
        reverse("catalog:add_product"),
        {
            "store": store.code,
            "product": catalog_product.code,
            "title": title,
            "description": "A warm print.\n\nMade to order.",
            "price": price,
            "variants": chosen,
        },
    )
    assert answer.status_code == 302, answer.text[-2000:]
    publication = Publication.objects.get(title=title)
    design = client.post(
        reverse("catalog:publication_design", args=[publication.code]),
        {"upload": SimpleUploadedFile("design.png", design or png(), content_type="image/png")},
    )
    assert design.status_code == 302, design.text[-2000:]
    publication.refresh_from_db()
    return publication


def test_publish_to_shopify_through_the_worker(admin, shopify_store, shopify, celery_worker, acme):
    catalog_product = make_catalog_product()
    publication = add_product(
        admin, shopify_store, catalog_product, "Sunset over Shopify", design=png(3000, 4000)
    )
    assert publication.placement["width"] > 0  # no script: centred and fitted
    page = admin.get(reverse("catalog:publication", args=[publication.code]))
    assert "Publish to store" in page.text
    admin.post(reverse("catalog:publication_publish", args=[publication.code]))
    status = admin.get(reverse("catalog:publication_status", args=[publication.code]))
    assert "Published" in status.text or "hx-get" in status.text  # polling while it works

    assert wait_for(lambda: Publication.objects.get(pk=publication.pk).state == "published", timeout=60)
    publication.refresh_from_db()
    product = publication.store_product
    assert product.store == shopify_store and product.catalog_product == catalog_product
    assert product.option_names == ["Size"]  # the paper does not vary
    variants = {v.options["Size"]: v for v in StoreVariant.objects.filter(product=product)}
    assert set(variants) == {"A4", "A3"}
    assert variants["A3"].price == Decimal("24.50")
    by_uid = {
        m.catalog_variant.uid: m
        for m in ProductMapping.objects.filter(store=shopify_store).select_related("variant")
    }
    assert set(by_uid) == set(catalog_product.variants.values_list("uid", flat=True))
    a3 = catalog_product.variants.get(values__pf="a3")
    mapping = by_uid[a3.uid]
    assert mapping.variant == variants["A3"] and mapping.design_file
    # The A3 print file is made for A3's own print area, at the product's 150 DPI, and the
    # worker's check of that very file (queued by publishing) finds it good.
    assert wait_for(
        lambda: all(m.file_check == "ok" for m in ProductMapping.objects.filter(store=shopify_store)),
        timeout=60,
    )
    mapping.refresh_from_db()
    assert mapping.file_info["width_px"] == round(297 / 25.4 * 150)
    status = admin.get(reverse("catalog:publication_status", args=[publication.code]))
    assert "The product is in Demo Apparel" in status.text and "hx-get" not in status.text
    assert products_listed(shopify, "shopify/demo-apparel", "Sunset over Shopify") == 1


def test_publish_to_woocommerce_and_a_repeat_makes_nothing_more(admin, woo_store, sandbox_url):
    catalog_product = make_catalog_product()
    publication = add_product(admin, woo_store, catalog_product, "Sunset over WooCommerce")
    admin.post(reverse("catalog:publication_publish", args=[publication.code]))
    admin.post(reverse("catalog:publication_publish", args=[publication.code]))  # a double click
    publishing.publish(publication.id)
    publishing.publish(publication.id)  # the task delivered twice: the state stops the second
    publication.refresh_from_db()
    assert publication.state == "published"
    again = admin.post(reverse("catalog:publication_publish", args=[publication.code]), follow=True)
    assert "already in the shop" in again.text
    assert StoreProduct.objects.filter(store=woo_store).count() == 1
    assert ProductMapping.objects.filter(store=woo_store).count() == 2
    assert products_listed(sandbox_url, "woocommerce/demo-posters", "Sunset over WooCommerce") == 1


def test_a_retry_finishes_the_product_an_earlier_attempt_created(woo_store, sandbox_url, acme):
    """An attempt that created the product and then lost its worker: the next one adds the
    variants to that product rather than making another."""
    publication = make_publication(woo_store, design=True, title="Half made")
    from integrations.registry import adapter_for

    half = (
        adapter_for(woo_store)
        .call(
            "POST",
            "products",
            json={
                "name": "Half made",
                "type": "variable",
                "attributes": [{"name": "Size", "variation": True, "options": ["A4", "A3"]}],
            },
        )
        .json()
    )
    publication.store_product = StoreProduct.objects.create(
        store=woo_store, external_id=str(half["id"]), title="Half made"
    )
    publication.state = "publishing"
    publication.save()
    publishing.publish(publication.id)
    publication.refresh_from_db()
    assert publication.state == "published"
    assert publication.store_product.external_id == str(half["id"])
    assert products_listed(sandbox_url, "woocommerce/demo-posters", "Half made") == 1
    assert StoreVariant.objects.filter(product=publication.store_product).count() == 2


def test_publish_to_etsy(etsy_store, sandbox_url):
    publication = make_publication(etsy_store, design=True, title="Sunset over Etsy")
    publishing.request_publish(None, publication)
    publishing.publish(publication.id)
    publication.refresh_from_db()
    assert publication.state == "published", publication.message
    assert publication.store_product.source_state == "draft"  # live once it has photos on Etsy
    assert ProductMapping.objects.filter(store=etsy_store).count() == 2
    assert products_listed(sandbox_url, "etsy/demo-mugs", "Sunset over Etsy") == 1


def test_revoked_access_fails_in_words_and_publish_again_works(admin, shopify_store, shopify):
    publication = make_publication(shopify_store, design=True, title="Revoked then fine")
    sandbox_switch(shopify, shop="shopify/demo-apparel", fault="revoked")
    admin.post(reverse("catalog:publication_publish", args=[publication.code]))
    assert publishing.publish(publication.id) is None
    publication.refresh_from_db()
    assert publication.state == "failed"
    assert "Shopify refused our access token" in publication.message
    page = admin.get(reverse("catalog:publication", args=[publication.code])).text
    assert "Publishing failed." in page and "Publish again" in page
    assert not StoreProduct.objects.filter(store=shopify_store).exists()

    sandbox_switch(shopify, shop="shopify/demo-apparel")
    admin.post(reverse("catalog:publication_publish", args=[publication.code]))
    publishing.publish(publication.id)
    publication.refresh_from_db()
    assert publication.state == "published"


def test_a_busy_platform_is_tried_again_and_says_so(admin, shopify_store, shopify):
    publication = make_publication(shopify_store, design=True, title="Busy then fine")
    sandbox_switch(shopify, shop="shopify/demo-apparel", fault="5xx")
    admin.post(reverse("catalog:publication_publish", args=[publication.code]))
    wait = publishing.publish(publication.id)
    assert wait and wait > 0
    publication.refresh_from_db()
    assert publication.state == "publishing"
    status = admin.get(reverse("catalog:publication_status", args=[publication.code])).text
    assert "having trouble" in status and "tries again in" in status and "hx-get" in status

    sandbox_switch(shopify, shop="shopify/demo-apparel")
    assert publishing.publish(publication.id, attempt=1) is None
    publication.refresh_from_db()
    assert publication.state == "published"


def test_a_busy_platform_that_stays_busy_ends_with_publish_again(shopify_store, shopify):
    publication = make_publication(shopify_store, design=True, title="Busy for good")
    sandbox_switch(shopify, shop="shopify/demo-apparel", fault="429", retry_after=0)
    publishing.request_publish(None, publication)
    publishing.publish(publication.id, attempt=publishing.TRANSIENT_ATTEMPTS - 1)
    publication.refresh_from_db()
    assert publication.state == "failed" and "publish again later" in publication.message


# --- The design -----------------------------------------------------------------------------------


def design_step(client, publication, **data):
    return client.post(reverse("catalog:publication_design", args=[publication.code]), data)


def test_a_placement_from_the_designer_is_kept_and_its_dpi_checked(admin, acme):
    publication = make_publication(acme.store)
    upload = SimpleUploadedFile("d.png", png(600, 800), content_type="image/png")
    assert design_step(admin, publication, upload=upload, x="0.1", y="0.2", width="0.5").status_code == 302
    publication.refresh_from_db()
    assert publication.placement["x"] == 0.1 and publication.placement["width"] == 0.5
    # Height follows the design's proportions: 0.5 x 210 mm wide is 140 mm of 297.
    assert publication.placement["height"] == pytest.approx(0.5 * 210 * 800 / 600 / 297, abs=1e-5)
    # 600 px over half of A4 (105 mm) is 145 DPI, over half of A3 (148.5 mm) 102.6, rounded to
    # 103 as the file check rounds (design_files.dpi_at): both under 150, and the page warns of
    # the lower.
    assert print_files.effective_dpi(publication, (210, 297)) == 145
    assert print_files.effective_dpi(publication) == 103
    page = admin.get(reverse("catalog:publication", args=[publication.code])).text
    assert "prints at 103 DPI" in page
    assert (
        admin.get(reverse("catalog:publication_preview", args=[publication.code]))["Content-Type"]
        == "image/png"
    )


@pytest.mark.parametrize(
    "fields",
    [
        {"x": "0", "y": "0", "width": "10"},  # ten times the print area: a print file of gigabytes
        {"x": "5", "y": "0", "width": "0.5"},  # off the print area
        {"x": "-0.6", "y": "0", "width": "0.5"},
    ],
)
def test_a_forged_placement_gives_way_to_the_fitted_one(admin, acme, fields):
    publication = make_publication(acme.store)
    upload = SimpleUploadedFile("d.png", png(600, 800), content_type="image/png")
    assert design_step(admin, publication, upload=upload, **fields).status_code == 302
    publication.refresh_from_db()
    assert publication.placement == print_files.fitted_placement((600, 800), (210, 297))


def test_a_decompression_bomb_is_refused(admin, acme):
    """A few hundred kilobytes that decode to gigabytes never reach the renderer."""
    publication = make_publication(acme.store)
    bomb = png(9000, 9000, colour=(255, 255, 255))  # 81 MP of one colour compresses to almost nothing
    answer = design_step(admin, publication, upload=SimpleUploadedFile("d.png", bomb))
    assert answer.status_code == 200 and "too many pixels" in answer.text
    publication.refresh_from_db()
    assert not publication.design_file


@pytest.mark.parametrize(
    ("content", "name", "words"),
    [
        (b"not an image", "d.png", "not a PNG or JPEG"),
        (png(image_format="GIF"), "d.gif", "upload a PNG or JPEG"),
    ],
)
def test_a_bad_design_is_refused_in_words_and_changes_nothing(admin, acme, content, name, words):
    publication = make_publication(acme.store)
    answer = design_step(admin, publication, upload=SimpleUploadedFile(name, content))
    assert answer.status_code == 200 and words in answer.text
    publication.refresh_from_db()
    assert not publication.design_file and not publication.placement


def test_a_design_over_the_size_cap_is_refused(admin, acme, settings):
    settings.DESIGN_FILE_MAX_BYTES = 1000
    publication = make_publication(acme.store)
    answer = design_step(
        admin, publication, upload=SimpleUploadedFile("d.png", png(), content_type="image/png")
    )
    assert "the most Printfront takes" in answer.text
    publication.refresh_from_db()
    assert not publication.design_file


def test_start_from_a_template(admin, acme):
    template = make_template()
    publication = make_publication(acme.store)
    page = admin.get(reverse("catalog:publication_design", args=[publication.code])).text
    image_url = reverse("catalog:template_image", args=[template.code])
    assert image_url in page
    assert admin.get(image_url)["Content-Type"] == "image/png"
    assert design_step(admin, publication, template=str(template.code)).status_code == 302
    publication.refresh_from_db()
    assert publication.template == template and publication.placement
    assert admin.get(reverse("catalog:publication_design_file", args=[publication.code])).status_code == 200


def test_an_inactive_template_is_not_served(admin):
    template = make_template()
    template.active = False
    template.save()
    assert admin.get(reverse("catalog:template_image", args=[template.code])).status_code == 404


# --- Who may ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ORDER_MANAGER])
def test_view_only_and_order_managers_cannot_add_or_publish(client, acme, woo_store, role):
    publication = make_publication(woo_store, design=True)
    client.force_login(acme.user(role))
    assert client.get(reverse("catalog:add_product")).status_code == 403
    assert client.post(reverse("catalog:publication_publish", args=[publication.code])).status_code == 403
    assert client.post(reverse("catalog:publication_design", args=[publication.code])).status_code == 403
    publication.refresh_from_db()
    assert publication.state == "draft"


def test_store_managers_add_products_to_their_own_stores_only(client, acme, woo_store, sandbox_url):
    manager = acme.members[Role.STORE_MANAGER]
    client.force_login(manager.user)
    catalog_product = make_catalog_product()
    step1 = client.get(reverse("catalog:add_product"))
    assert "Demo Posters" not in step1.text  # not one of theirs
    refused = client.post(
        reverse("catalog:add_product"),
        {
            "store": woo_store.code,
            "product": catalog_product.code,
            "title": "x",
            "price": "5",
            "variants": [],
        },
    )
    assert refused.status_code == 200 and not Publication.objects.exists()
    theirs = make_publication(woo_store, design=True)
    assert client.get(reverse("catalog:publication", args=[theirs.code])).status_code == 404
    assert client.post(reverse("catalog:publication_publish", args=[theirs.code])).status_code == 404

    manager.stores.add(woo_store)
    assert "Demo Posters" in client.get(reverse("catalog:add_product")).text
    add_product(client, woo_store, catalog_product, "Store manager's poster")


def test_the_store_page_links_to_add_product_for_connected_shops(admin, woo_store, acme):
    page = admin.get(reverse("integrations:store", args=[woo_store.code])).text
    assert f"{reverse('catalog:add_product')}?store={woo_store.code}" in page
    assert (
        reverse("catalog:add_product")
        not in admin.get(reverse("integrations:store", args=[acme.store.code])).text
    )
    step1 = admin.get(reverse("catalog:add_product"), {"store": woo_store.code})
    assert "This field is required" not in step1.text


# --- Crashes, print files, checks and the next sync (a review's findings) --------------------------


def fail_once(monkeypatch, error):
    """Make the storing step, which runs after the shop has made the product, fail once."""
    real, calls = publishing.store_published, []

    def broken(*args, **kwargs):
        if not calls:
            calls.append(1)
            raise error
        return real(*args, **kwargs)

    monkeypatch.setattr(publishing, "store_published", broken)


def test_an_error_after_the_shop_made_the_product_never_makes_a_second_one(
    admin, woo_store, sandbox_url, monkeypatch
):
    publication = make_publication(woo_store, design=True, title="Made once after an error")
    fail_once(monkeypatch, RuntimeError("the disk is full"))
    publishing.request_publish(None, publication)
    with pytest.raises(RuntimeError):
        tasks.publish_publication(publication.id)
    publication.refresh_from_db()
    # The shop's id was committed before the error; the attempt ended in words, with Publish again.
    assert publication.state == "failed" and publication.store_product is not None
    assert "Publish again" in publication.message
    assert products_listed(sandbox_url, "woocommerce/demo-posters", "Made once after an error") == 1

    admin.post(reverse("catalog:publication_publish", args=[publication.code]))
    tasks.publish_publication(publication.id)
    publication.refresh_from_db()
    assert publication.state == "published", publication.message
    assert products_listed(sandbox_url, "woocommerce/demo-posters", "Made once after an error") == 1
    assert StoreVariant.objects.filter(product=publication.store_product).count() == 2


def test_a_worker_lost_after_the_shop_made_the_product_is_finished_by_the_sweep(
    woo_store, sandbox_url, monkeypatch, celery_worker
):
    publication = make_publication(woo_store, design=True, title="Made once after a crash")
    fail_once(monkeypatch, SystemExit(1))  # nothing of Printfront's runs after a killed worker
    publishing.request_publish(None, publication)
    with pytest.raises(SystemExit):
        publishing.publish(publication.id)
    publication.refresh_from_db()
    assert publication.state == "publishing" and publication.store_product is not None
    # The same message again (acks_late) while the claim is young: another attempt may be at it.
    assert publishing.publish(publication.id) is None
    assert publishing.request_publish(None, publication) == "This product is being published."
    assert publishing.lost_publications() == []

    Publication.objects.filter(pk=publication.pk).update(
        claimed_at=timezone.now() - publishing.CLAIM_LOST_AFTER - timedelta(seconds=1)
    )
    assert publishing.lost_publications() == [publication.pk]
    tasks.requeue_lost_catalog_work.delay()
    assert wait_for(lambda: Publication.objects.get(pk=publication.pk).state == "published", timeout=60)
    assert products_listed(sandbox_url, "woocommerce/demo-posters", "Made once after a crash") == 1
    assert publishing.lost_publications() == []


def design_bounds(content):
    """The box (left, top, right, bottom) the design covers in a print file: its opaque pixels."""
    with Image.open(io.BytesIO(content)) as image:
        return image.size, image.getchannel("A").getbbox()


def test_a_differently_shaped_print_area_keeps_the_design_in_proportion_and_adds_the_bleed(acme):
    """The seeded Canvas: 40 x 60 cm product area, a 30 x 40 cm size, 20 mm bleed."""
    canvas = make_catalog_product(
        "Canvas", sizes=(("400x600", "40 x 60 cm", "400", "600"), ("300x400", "30 x 40 cm", "300", "400"))
    )
    canvas.print_width_mm, canvas.print_height_mm = Decimal("400"), Decimal("600")
    canvas.min_dpi, canvas.bleed_mm = 50, Decimal("20")
    canvas.save()
    publication = make_publication(acme.store, design=True, catalog_product=canvas)  # 1200 x 1600
    for width_mm, height_mm in ((300, 400), (400, 600)):
        content = print_files.print_file(publication, (Decimal(width_mm), Decimal(height_mm)))[0]
        size, (left, top, right, bottom) = design_bounds(content)
        # The design keeps its 3:4, within a pixel's rounding ...
        assert (right - left) / (bottom - top) == pytest.approx(1200 / 1600, abs=0.01)
        # ... the file is the print area and 20 mm of bleed on each side, at the product's 50 DPI ...
        assert size == (round((width_mm + 40) / 25.4 * 50), round((height_mm + 40) / 25.4 * 50))
        # ... and the design is centred, inside the print area (not in the bleed).
        assert abs(left - (size[0] - right)) <= 1 and abs(top - (size[1] - bottom)) <= 1
        bleed_px = round(20 / 25.4 * 50)
        assert left >= bleed_px - 1 and right <= size[0] - bleed_px + 1


def test_print_files_are_checked_by_the_worker_and_pass_for_the_largest_poster(woo_store, settings):
    """The seeded poster's 50 x 70 cm size (300 DPI, 3 mm bleed) with a design large enough for
    it: the print file meets 300 DPI, and the worker's check of the file written says so."""
    seed_catalog()
    poster = CatalogProduct.objects.get(uid_prefix="flat_product")
    chosen = poster.variants.filter(
        values__pt="170-gsm-uncoated", values__or="ver", values__pf__in=["a4", "500x700-mm"]
    )
    assert chosen.count() == 2
    publication = Publication.objects.create(
        store=woo_store, catalog_product=poster, title="The largest poster", price=Decimal("39")
    )
    publication.catalog_variants.set(chosen)
    publication.design_file.save("big.png", ContentFile(png(6000, 8400)), save=False)
    publication.placement = print_files.fitted_placement((6000, 8400), print_files.print_area(publication))
    publication.save()
    assert print_files.dpi_warning(publication) == ""
    publishing.request_publish(None, publication)
    publishing.publish(publication.id)
    publication.refresh_from_db()
    assert publication.state == "published", publication.message
    mappings = ProductMapping.objects.filter(variant__product=publication.store_product)
    # Publishing does not judge the files itself: the worker checks the files it wrote.
    assert set(mappings.values_list("file_check", flat=True)) == {"pending"}
    assert design_files.check_pending(mappings) == 2
    largest = mappings.get(catalog_variant__values__pf="500x700-mm")
    assert largest.file_check == "ok", largest.file_problem
    assert largest.file_info["effective_dpi"] >= 300
    assert (largest.file_info["width_px"], largest.file_info["height_px"]) == (
        round(506 / 25.4 * 300),
        round(706 / 25.4 * 300),
    )
    assert set(mappings.values_list("file_check", flat=True)) == {"ok"}
    # "Check again" agrees.
    mappings.update(file_check="pending")
    design_files.check_pending(mappings)
    assert set(mappings.values_list("file_check", flat=True)) == {"ok"}


def publish_then_sync(store):
    sync(store)  # what the shop had before
    publication = make_publication(store, design=True, title=f"Synced after publishing to {store.name}")
    publishing.request_publish(None, publication)
    publishing.publish(publication.id)
    publication.refresh_from_db()
    assert publication.state == "published", publication.message
    assert publication.store_product.catalog_product == publication.catalog_product
    return sync(store)


def test_the_first_sync_after_publishing_to_woocommerce_finds_nothing_changed(woo_store):
    run = publish_then_sync(woo_store)
    assert (run.state, run.created, run.updated) == ("done", 0, 0), run.message


def test_the_first_sync_after_publishing_to_etsy_finds_nothing_changed(sandbox_url, etsy_store):
    run = publish_then_sync(etsy_store)
    assert (run.state, run.created, run.updated) == ("done", 0, 0), run.message


def test_the_first_sync_after_publishing_to_shopify_finds_nothing_changed(shopify_store):
    run = publish_then_sync(shopify_store)
    assert (run.state, run.created, run.updated) == ("done", 0, 0), run.message


def test_a_publication_whose_message_was_lost_is_found_by_the_sweep(woo_store):
    publication = make_publication(woo_store, design=True, title="Waiting in vain")
    publishing.request_publish(None, publication)  # in a test transaction: its message never goes
    assert publishing.lost_publications() == []
    long_ago = timezone.now() - publishing.CLAIM_LOST_AFTER - timedelta(seconds=1)
    Publication.objects.filter(pk=publication.pk).update(updated_at=long_ago)
    assert publishing.lost_publications() == [publication.pk]
    # A person may publish again too, and that attempt claims it at once.
    assert publishing.request_publish(None, publication) == "Publishing started."
    publishing.publish(publication.id)
    publication.refresh_from_db()
    assert publication.state == "published" and publication.claim is None
    assert publishing.lost_publications() == []
