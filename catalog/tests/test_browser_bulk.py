"""Bulk operations in a real browser: export the products, fill in the file, import it, see the
preview, apply it and read the summary; and a file with bad rows shows them, changing nothing."""

import re

import pytest
from playwright.sync_api import expect

from catalog.models import ImportRun, ProductMapping
from catalog.tests.bulk_helpers import HEADER, UIDS, csv_bytes, make_catalog, make_products, row_for, rows_of
from core.tenancy import Role
from core.testing import PASSWORD

pytestmark = pytest.mark.browser

URL = "https://files.example.com/designs/shirt-{}.png"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def bulk_page(page, live_server, acme):
    make_catalog()
    variants = make_products(acme.store)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(acme.user(Role.STORE_MANAGER).email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Stores").click()
    page.get_by_role("link", name=acme.store.name).click()
    page.get_by_role("link", name="Bulk operations").click()
    expect(page.get_by_role("heading", name="Bulk operations", level=1)).to_be_visible()
    return page, variants


def test_export_fill_import_preview_apply(bulk_page, tmp_path):
    page, variants = bulk_page
    with page.expect_download() as download:
        page.get_by_role("link", name="Export products").click()
    rows = rows_of(download.value.path().read_bytes())
    assert rows[0] == HEADER and len(rows) == 1 + len(variants)
    # Fill in the first three variants as a person would in a spreadsheet.
    for n, row in enumerate(rows[1:4]):
        row[6], row[7] = UIDS[n], URL.format(n)
    filled = tmp_path / "filled.csv"
    filled.write_bytes(csv_bytes(rows, bom=True))

    page.get_by_label("CSV file").set_input_files(filled)
    page.get_by_role("button", name="Check file").click()
    expect(page.get_by_text("Every row is checked and nothing has changed yet.")).to_be_visible()
    counts = page.locator("dl.import-counts")
    expect(counts).to_contain_text("New mappings3")
    expect(counts).to_contain_text(f"Left as they are (no UID, no URL){len(variants) - 3}")
    expect(page.get_by_role("cell", name=UIDS[1])).to_be_visible()
    assert not ProductMapping.objects.exists()

    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("The file is applied.").first).to_be_visible()
    expect(page.locator("dl.import-counts")).to_contain_text("New mappings3")
    mapped = {m.variant_id: (m.catalog_variant.uid, m.design_file_url) for m in ProductMapping.objects.all()}
    assert mapped == {variants[n].pk: (UIDS[n], URL.format(n)) for n in range(3)}


def test_bad_rows_are_listed_and_nothing_changes(bulk_page, tmp_path):
    page, variants = bulk_page
    bad = tmp_path / "bad.csv"
    bad.write_bytes(
        csv_bytes(
            [
                HEADER,
                row_for(variants[0], UIDS[0], URL.format(0)),
                row_for(variants[1], "no_such_uid", ""),
                row_for(variants[2], UIDS[1], "ftp://files.example.com/x.png"),
                row_for(variants[0], UIDS[2], ""),
            ]
        )
    )
    page.get_by_label("CSV file").set_input_files(bad)
    page.get_by_role("button", name="Check file").click()
    expect(page.get_by_text("The file has 3 errors.")).to_be_visible()
    expect(page.get_by_text("Nothing was applied.")).to_be_visible()
    table = page.get_by_role("table", name="Errors by row")
    expect(table.locator("tbody tr")).to_have_count(3)
    rows = table.locator("tbody tr")
    expect(rows.nth(0).locator("td")).to_have_text(["3", "product_uid", "Unknown product UID no_such_uid."])
    expect(rows.nth(1).locator("td")).to_have_text(
        ["4", "design_file_url", re.compile("^Only http and https URLs")]
    )
    expect(rows.nth(2).locator("td")).to_have_text(
        ["5", "store_variant_id", re.compile("^The same variant as row 2")]
    )
    expect(page.get_by_role("button", name="Apply")).to_have_count(0)
    assert ImportRun.objects.get().state == ImportRun.State.INVALID
    assert not ProductMapping.objects.exists()
