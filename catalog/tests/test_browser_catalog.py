"""The catalog in a real browser: staff add a product with two attributes and see its UIDs; a
client's user then finds it in the Storefronts catalog by a UID and copies it."""

import pytest
from playwright.sync_api import expect

from catalog.models import CatalogProduct
from core.tenancy import Role
from core.testing import PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page, base, email):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_staff_add_a_product_and_a_client_finds_it_by_uid(live_server, browser, staff, acme):
    base = live_server.url
    staff_page = browser.new_page()
    sign_in(staff_page, base, staff.email)
    staff_page.get_by_role("link", name="Catalog").click()
    assert staff_page.get_by_role("heading", name="No catalog products yet").is_visible()
    staff_page.get_by_role("link", name="Add catalog product").first.click()
    staff_page.get_by_label("Name").fill("Gallery poster")
    staff_page.get_by_label("Product type").select_option(label="Posters")
    staff_page.get_by_label("UID prefix").fill("gallery_poster")
    # First a line the form cannot read: it says which, and nothing is saved.
    staff_page.get_by_label("Attributes and values").fill("pf Size a4, a3")
    staff_page.get_by_label("Print width (mm)").fill("297")
    staff_page.get_by_label("Print height (mm)").fill("420")
    staff_page.get_by_label("PDF").check()
    staff_page.get_by_label("PNG").check()
    staff_page.get_by_role("button", name="Add to catalog").click()
    assert staff_page.get_by_text("Line 1: write").is_visible()
    assert not CatalogProduct.objects.exists()

    staff_page.get_by_label("Attributes and values").fill(
        "pf Size: a4=A4 (210x297), a3=A3 (297x420)\npt Paper: 170-gsm-uncoated=170 gsm uncoated, 250-gsm-silk=250 gsm silk"
    )
    staff_page.get_by_role("button", name="Add to catalog").click()
    assert staff_page.get_by_text("Gallery poster added to the catalog with 4 variants.").is_visible()
    for uid in (
        "gallery_poster_pf_a4_pt_170-gsm-uncoated",
        "gallery_poster_pf_a4_pt_250-gsm-silk",
        "gallery_poster_pf_a3_pt_170-gsm-uncoated",
        "gallery_poster_pf_a3_pt_250-gsm-silk",
    ):
        assert staff_page.get_by_text(uid, exact=True).is_visible()
    staff_page.close()

    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    sign_in(page, base, acme.user(Role.VIEWER).email)
    page.get_by_role("link", name="Catalog").click()
    page.get_by_placeholder("Search by name or UID").fill("a3_pt_250")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Gallery poster").click()
    assert page.get_by_role("heading", name="Gallery poster").is_visible()
    uid = "gallery_poster_pf_a3_pt_250-gsm-silk"
    assert page.get_by_text(uid, exact=True).is_visible()
    # The product page kept the search: only the matching variant is listed.
    assert page.locator("code.uid").count() == 1

    status = page.locator(".copy-status")
    page.get_by_role("button", name="Copy").click()
    expect(status).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == uid
    # Without the clipboard API (an old browser, a page not served securely) the UID is
    # selected for the person to copy.
    page.evaluate("document.querySelector('.copy-status').textContent = ''")
    page.evaluate("window.getSelection().removeAllRanges()")
    page.evaluate("Object.defineProperty(navigator, 'clipboard', {value: undefined})")
    page.get_by_role("button", name="Copy").click()
    expect(status).not_to_have_text("")
    assert page.evaluate("window.getSelection().toString()") == uid
    context.close()
