"""Design file checks against a real file host: the sandbox serves files of any size over HTTP
(sandbox/files.py), fetched through core.http and its SSRF guard, judged against the print
specifications; then one run end to end through the page and a real worker."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pypdf.errors import LimitReachedError

from catalog import design_files
from catalog import mapping as services
from catalog.mapping import VariantChoice
from catalog.models import FileCheck, ProductMapping
from catalog.tasks import requeue_lost_catalog_work
from catalog.tests.mapping_helpers import poster_fixture, sunset_fixture  # noqa: F401
from core.tenancy import Role
from core.testing import wait_for

A4 = "flat_product_pf_a4_pt_200-gsm-matt"
A3 = "flat_product_pf_a3_pt_200-gsm-matt"


@pytest.fixture
def files(settings, sandbox_url):
    """The sandbox's file host: the one local address the outbound guard lets through."""
    settings.SANDBOX_ENABLED = True
    return f"{sandbox_url}/files"


def mapped(poster, product, url="", size="A4", overrides=None, upload=None):
    variant = product.variants.get(options__Size=size)
    uid = A4 if size == "A4" else A3
    services.connect_product(
        None,
        product,
        poster,
        [VariantChoice(variant, poster.variants.get(uid=uid), design_file_url=url, upload=upload)],
        spec_overrides=overrides or {},
    )
    return ProductMapping.objects.get(variant=variant)


def checked(mapping):
    design_files.check_pending(ProductMapping.objects.filter(pk=mapping.pk))
    mapping.refresh_from_db()
    return mapping


def test_a_good_png_passes(files, poster, sunset):
    mapping = checked(mapped(poster, sunset, f"{files}/sunset-2480x3508-300dpi.png"))
    assert mapping.file_check == FileCheck.OK, mapping.file_problem
    assert mapping.file_info["effective_dpi"] == 300
    assert (
        mapping.file_info["summary"]
        == "PNG, 2480 \u00d7 3508 px: 300 DPI at the 210 \u00d7 297 mm print area."
    )
    assert mapping.file_checked_at is not None


def test_a_landscape_file_fits_a_portrait_area_turned(files, poster, sunset):
    mapping = checked(mapped(poster, sunset, f"{files}/sunset-3508x2480.jpg"))
    assert mapping.file_check == FileCheck.OK, mapping.file_problem


def test_too_small_for_the_print_area_says_by_how_much(files, poster, sunset):
    mapping = checked(mapped(poster, sunset, f"{files}/sunset-1200x1800-72dpi.png"))
    assert mapping.file_check == FileCheck.PROBLEM
    assert mapping.file_problem == (
        "The file is 1200 \u00d7 1800 px: at the 210 \u00d7 297 mm print area that is 145 DPI; "
        "production needs at least 300 DPI (2480 \u00d7 3508 px)."
    )
    assert mapping.file_info["dpi"] == [72, 72]


def test_each_variant_is_judged_against_its_own_print_area_and_overrides(files, poster, sunset):
    url = f"{files}/sunset-2480x3508-300dpi.png"
    a4 = mapped(poster, sunset, url, size="A4")
    a3 = mapped(poster, sunset, url, size="A3")
    design_files.check_pending(ProductMapping.objects.all())  # one run, one download
    a4.refresh_from_db()
    a3.refresh_from_db()
    assert a4.file_check == FileCheck.OK
    assert a3.file_check == FileCheck.PROBLEM
    assert "at the 297 \u00d7 420 mm print area that is 212 DPI" in a3.file_problem
    # With production's agreement to 200 DPI, the same file passes for A3.
    a3 = checked(mapped(poster, sunset, url, size="A3", overrides={"min_dpi": 200}))
    assert a3.file_check == FileCheck.OK


def test_one_url_is_fetched_once_per_run(files, poster, sunset, monkeypatch):
    url = f"{files}/sunset-2480x3508-300dpi.png"
    mapped(poster, sunset, url, size="A4")
    mapped(poster, sunset, url, size="A3")
    fetched = []
    real_fetch = design_files.fetch
    monkeypatch.setattr(design_files, "fetch", lambda url: fetched.append(url) or real_fetch(url))
    assert design_files.check_pending(ProductMapping.objects.all()) == 2
    assert fetched == [url]


def test_a_pdf_past_pypdfs_limits_is_a_problem_in_words(files, poster, sunset, monkeypatch):
    """pypdf refuses some hostile PDFs (a page tree listing millions of pages) with errors of its
    own: the mapping says the file cannot be read rather than staying pending for ever."""

    def refuse(*args, **kwargs):
        raise LimitReachedError("too many pages")

    monkeypatch.setattr(design_files, "PdfReader", refuse)
    mapping = checked(mapped(poster, sunset, f"{files}/sunset-216x303mm.pdf"))
    assert mapping.file_check == FileCheck.PROBLEM
    assert mapping.file_problem == "The PDF could not be read: it may be damaged. Export it again."


def test_a_file_that_breaks_its_reader_does_not_stop_the_others(files, poster, sunset, monkeypatch):
    broken = f"{files}/broken-303x426mm.pdf"
    good = f"{files}/sunset-2480x3508-300dpi.png"
    first, second = mapped(poster, sunset, broken, size="A3"), mapped(poster, sunset, good, size="A4")
    real_inspect = design_files.inspect

    def inspect(handle):
        is_pdf = handle.read(4) == b"%PDF"
        handle.seek(0)
        if is_pdf:
            raise RecursionError("a reader's bug")
        return real_inspect(handle)

    monkeypatch.setattr(design_files, "inspect", inspect)
    assert design_files.check_pending(ProductMapping.objects.all()) == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.file_check == FileCheck.PROBLEM and "could not be read" in first.file_problem
    assert second.file_check == FileCheck.OK


def test_a_good_pdf_with_bleed_passes_and_one_without_bleed_does_not(files, poster, sunset):
    mapping = checked(mapped(poster, sunset, f"{files}/sunset-216x303mm.pdf"))
    assert mapping.file_check == FileCheck.OK, mapping.file_problem
    assert mapping.file_info["summary"] == "PDF, 1 page(s) of 216 \u00d7 303 mm."
    mapping = checked(mapped(poster, sunset, f"{files}/sunset-210x297mm.pdf"))
    assert mapping.file_problem == (
        "The PDF page is 210 \u00d7 297 mm; this product needs at least 216 \u00d7 303 mm "
        "(the 210 \u00d7 297 mm print area and 3 mm bleed on each side)."
    )


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("sunset-2480x3508.gif", "The file is a GIF file; this product takes PDF, PNG or JPG files."),
        ("sunset-2480x3508.tif", "The file is a TIFF file; this product takes PDF, PNG or JPG files."),
        ("logo.svg", "The file is a SVG file; this product takes PDF, PNG or JPG files."),
        ("notes.txt", "The file is not a design file Printfront can read"),
    ],
)
def test_unsupported_formats_are_named(files, poster, sunset, name, problem):
    mapping = checked(mapped(poster, sunset, f"{files}/{name}"))
    assert mapping.file_check == FileCheck.PROBLEM
    assert mapping.file_problem.startswith(problem)


def test_svg_is_accepted_as_vector_where_the_product_takes_it(files, poster, sunset):
    poster.file_formats = ["pdf", "svg"]
    poster.save()
    mapping = checked(mapped(poster, sunset, f"{files}/logo.svg"))
    assert mapping.file_check == FileCheck.OK


def test_a_redirect_is_followed_through_the_guard(files, poster, sunset):
    mapping = checked(mapped(poster, sunset, f"{files}/redirect/sunset-2480x3508-300dpi.png"))
    assert mapping.file_check == FileCheck.OK, mapping.file_problem


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("{files}/missing.png", "The design file could not be downloaded: 127.0.0.1 answered 404 Not Found."),
        (
            "http://nowhere.invalid/sunset.png",
            "Printfront could not download the design file from nowhere.invalid: Could not find the server",
        ),
    ],
)
def test_an_unreachable_file_says_so(files, poster, sunset, url, problem):
    mapping = checked(mapped(poster, sunset, url.format(files=files)))
    assert mapping.file_check == FileCheck.PROBLEM
    assert mapping.file_problem.startswith(problem)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://10.0.0.1/x.png", "10.0.0.1 is a private address"),
        ("http://127.0.0.1:9/x.png", "127.0.0.1 is a loopback address"),  # local, but not the sandbox
        ("http://169.254.169.254/latest/meta-data", "169.254.169.254 is a link-local address"),
    ],
)
def test_private_addresses_are_refused(files, poster, sunset, url, problem):
    mapping = checked(mapped(poster, sunset, url))
    assert mapping.file_check == FileCheck.PROBLEM
    assert mapping.file_problem.startswith("Printfront refused the design file URL: ")
    assert problem in mapping.file_problem


def test_a_file_over_the_size_limit_is_not_read_to_the_end(files, poster, sunset, settings):
    settings.DESIGN_FILE_MAX_BYTES = 1000
    mapping = checked(mapped(poster, sunset, f"{files}/sunset-2480x3508-300dpi.png"))
    assert "files can be at most 1000\xa0bytes" in mapping.file_problem


def png(width, height):
    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, format="PNG")
    return out.getvalue()


def test_an_uploaded_file_is_checked_too(db, poster, sunset, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("small.png", png(600, 800))
    mapping = checked(mapped(poster, sunset, upload=upload))
    assert mapping.file_check == FileCheck.PROBLEM
    assert mapping.file_problem.startswith("The file is 600 \u00d7 800 px")
    assert mapping.file_info["name"] == "small.png"


@pytest.mark.worker
def test_connect_queues_the_check_and_the_worker_answers(client, acme, poster, sunset, files, celery_worker):
    client.force_login(acme.user(Role.ADMIN))
    a4 = sunset.variants.get(options__Size="A4")
    response = client.post(
        reverse("catalog:product_connect", args=[sunset.code]),
        {
            "catalog_product": str(poster.code),
            f"uid_{a4.code.hex}": A4,
            "design_url": f"{files}/sunset-216x303mm.pdf",
        },
    )
    assert response.status_code == 302
    mapping = ProductMapping.objects.get(variant=a4)
    assert wait_for(
        lambda: ProductMapping.objects.get(pk=mapping.pk).file_check != FileCheck.PENDING, timeout=60
    )
    mapping.refresh_from_db()
    assert mapping.file_check == FileCheck.OK, mapping.file_problem
    # The page part the browser polls now shows the verdict and stops polling.
    part = client.get(reverse("catalog:product_files", args=[sunset.code])).text
    assert "File OK" in part and "hx-trigger" not in part


def test_checks_whose_worker_message_was_lost_are_sent_again(files, poster, sunset, celery_worker):
    mapping = mapped(poster, sunset, f"{files}/sunset-2480x3508-300dpi.png")
    assert wait_for(lambda: ProductMapping.objects.get(pk=mapping.pk).file_check == FileCheck.OK)
    # A second check was asked for, and its message lost.
    ProductMapping.objects.filter(pk=mapping.pk).update(file_check=FileCheck.PENDING)
    assert design_files.lost_checks() == []  # just asked for: its check may be on its way
    ProductMapping.objects.filter(pk=mapping.pk).update(
        updated_at=timezone.now() - design_files.CHECK_LOST_AFTER - timedelta(seconds=1)
    )
    assert design_files.lost_checks() == [sunset.pk]
    requeue_lost_catalog_work.delay()
    assert wait_for(lambda: ProductMapping.objects.get(pk=mapping.pk).file_check == FileCheck.OK)
    assert design_files.lost_checks() == []
