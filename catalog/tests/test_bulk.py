"""Store page > Bulk operations: the products CSV exported, filled in and imported back, all or
nothing, with each kind of bad row named by row and column, and who may do what."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from catalog.mapping_csv import reading, runs
from catalog.mapping_csv.export import escape_cell
from catalog.models import CatalogVariant, FileCheck, ImportRun, ProductMapping, StoreProduct, StoreVariant
from catalog.tasks import apply_mapping_import, requeue_lost_catalog_work
from catalog.tests.bulk_helpers import (
    HEADER,
    RETIRED_UID,
    UIDS,
    csv_bytes,
    make_catalog,
    make_products,
    row_for,
    rows_of,
)
from core.models import AuditEvent
from core.tenancy import Role
from core.testing import wait_for
from storefronts.models import Store

URL = "https://files.example.com/designs/shirt.png"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def catalog(db):
    return make_catalog()


@pytest.fixture
def variants(acme, catalog):
    return make_products(acme.store)


def signed_in(client, world, role=Role.ADMIN):
    client.force_login(world.user(role))
    return client


def export(client, store):
    response = client.get(reverse("catalog:bulk_export", args=[store.code]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def upload(client, store, data, name="products.csv"):
    return client.post(
        reverse("catalog:bulk_import", args=[store.code]),
        {"file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )


def last_run():
    return ImportRun.objects.latest("created_at")


def apply(client, run):
    return client.post(reverse("catalog:import_apply", args=[run.code]), follow=True)


def map_variant(variant, uid=UIDS[0], url=""):
    return ProductMapping.objects.create(
        store=variant.store,
        variant=variant,
        catalog_variant=CatalogVariant.objects.get(uid=uid),
        design_file_url=url,
        file_check=FileCheck.OK if url else FileCheck.NONE,
    )


# --- Export ----------------------------------------------------------------------------------


def test_export_columns_and_content(client, acme, globex, variants):
    map_variant(variants[1], UIDS[1], URL)
    make_products(globex.store, prefix="20")
    content = export(signed_in(client, acme, Role.VIEWER), acme.store)
    assert content.startswith(b"\xef\xbb\xbf")
    rows = rows_of(content)
    assert rows[0] == HEADER
    assert len(rows) == 1 + len(variants)  # Globex's variants are not in Acme's file
    assert rows[1] == [
        "1001",
        "100100",
        "SHIRT-1-S",
        "Shirt 1",
        "S / Black",
        "Size: S; Colour: Black",
        "",
        "",
    ]
    assert rows[2] == [
        "1001",
        "100101",
        "SHIRT-1-M",
        "Shirt 1",
        "M / Black",
        "Size: M; Colour: Black",
        UIDS[1],
        URL,
    ]
    assert {row[0] for row in rows[1:]} == {"1001", "1002"}


def test_export_escapes_formula_prefixes(client, acme, catalog):
    product = StoreProduct.objects.create(store=acme.store, external_id="-5", title='=HYPERLINK("http://x")')
    cells = ["+1", "-2", "@SUM(A1)", "\tTab", "\rCR"]
    for position, text in enumerate(cells):
        StoreVariant.objects.create(
            store=acme.store,
            product=product,
            external_id=f"v{position}",
            sku=text,
            title="plain",
            position=position,
        )
    rows = rows_of(export(signed_in(client, acme), acme.store))[1:]
    assert [row[2] for row in rows] == ["'+1", "'-2", "'@SUM(A1)", "'\tTab", "'\rCR"]
    assert {row[0] for row in rows} == {"'-5"}
    assert {row[3] for row in rows} == {'\'=HYPERLINK("http://x")'}
    assert {row[4] for row in rows} == {"plain"}
    assert escape_cell("a=b") == "a=b"
    # The escaped id reads back as the variant it names.
    data = csv_bytes([HEADER, [rows[0][0], rows[0][1], "", "", "", "", UIDS[0], ""]])
    upload(client, acme.store, data)
    assert last_run().state == ImportRun.State.READY
    assert last_run().summary["new"] == 1


# --- Import: preview, apply, idempotence -------------------------------------------------------


def test_preview_then_apply(client, acme, variants):
    signed_in(client, acme)
    rows = rows_of(export(client, acme.store))
    rows[1][6], rows[1][7] = UIDS[0], URL
    rows[2][6] = UIDS[1]
    data = csv_bytes(rows, bom=True)
    response = upload(client, acme.store, data, name="filled.csv")
    run = last_run()
    assert response.status_code == 302 and response.url == reverse("catalog:import_run", args=[run.code])
    assert run.state == ImportRun.State.READY
    assert run.summary | {"preview": None} == {
        "new": 2,
        "changed": 0,
        "unchanged": 0,
        "cleared": 0,
        "left_alone": len(variants) - 2,
        "rows": len(variants),
        "error_count": 0,
        "preview": None,
    }
    assert not ProductMapping.objects.exists()  # a preview changes nothing
    page = client.get(response.url).text
    assert "New mappings" in page and "Apply" in page and UIDS[0] in page and "Shirt 1" in page

    page = apply(client, run).content.decode()
    run.refresh_from_db()
    assert run.state == ImportRun.State.DONE
    assert "The file is applied." in page
    first = ProductMapping.objects.get(variant=variants[0])
    assert (first.catalog_variant.uid, first.design_file_url, first.file_check) == (UIDS[0], URL, "pending")
    assert first.updated_by == acme.user(Role.ADMIN)
    second = ProductMapping.objects.get(variant=variants[1])
    assert (second.catalog_variant.uid, second.design_file_url, second.file_check) == (UIDS[1], "", "")
    assert ProductMapping.objects.count() == 2
    event = AuditEvent.objects.get(verb="products.imported")
    assert (event.client, event.target, event.data["new"]) == (acme.client, acme.store.name, 2)


def test_reimporting_the_export_changes_nothing(client, acme, variants):
    signed_in(client, acme)
    map_variant(variants[0], UIDS[0], URL)
    map_variant(variants[1], UIDS[1])
    before = {m.pk: (m.updated_at, m.file_check) for m in ProductMapping.objects.all()}
    upload(client, acme.store, export(client, acme.store))
    run = last_run()
    assert run.summary["unchanged"] == 2 and run.summary["new"] == run.summary["changed"] == 0
    apply(client, run)
    run.refresh_from_db()
    assert run.state == ImportRun.State.DONE
    assert {m.pk: (m.updated_at, m.file_check) for m in ProductMapping.objects.all()} == before


def test_changed_and_cleared(client, acme, variants):
    signed_in(client, acme)
    map_variant(variants[0], UIDS[0], URL)
    map_variant(variants[1], UIDS[0], URL)
    map_variant(variants[2], UIDS[0])
    data = csv_bytes(
        [
            HEADER,
            row_for(variants[0], UIDS[0], ""),  # URL cleared
            row_for(variants[1], UIDS[1], URL),  # UID changed
            row_for(variants[2], UIDS[0], URL + "?v=2"),  # URL added
        ]
    )
    upload(client, acme.store, data)
    run = last_run()
    assert (run.summary["cleared"], run.summary["changed"]) == (1, 2)
    apply(client, run)
    cleared, uid_changed, url_added = (ProductMapping.objects.get(variant=v) for v in variants[:3])
    assert (cleared.design_file_url, cleared.file_check) == ("", "")
    # The same file, checked again against the new UID's print area.
    assert (uid_changed.catalog_variant.uid, uid_changed.file_check) == (UIDS[1], "pending")
    assert (url_added.design_file_url, url_added.file_check) == (URL + "?v=2", "pending")


def test_a_url_replaces_an_uploaded_design_file(client, acme, variants):
    """A file uploaded in Connect product, then a URL set by CSV: the URL is the design file
    from then on, so the download link serves what the check judges."""
    signed_in(client, acme)
    uploaded = map_variant(variants[0], UIDS[0])
    both = map_variant(variants[1], UIDS[0], URL)  # left so by the old import
    ProductMapping.objects.filter(pk__in=[uploaded.pk, both.pk]).update(
        design_file="design-files/2026/01/old.png", file_check=FileCheck.OK
    )
    kept = map_variant(variants[2], UIDS[0])
    ProductMapping.objects.filter(pk=kept.pk).update(design_file="design-files/2026/01/kept.png")
    data = csv_bytes(
        [
            HEADER,
            row_for(variants[0], UIDS[0], URL),
            row_for(variants[1], UIDS[0], URL),
            row_for(variants[2], UIDS[1], ""),  # no URL: the upload stays
        ]
    )
    upload(client, acme.store, data)
    run = last_run()
    assert run.summary["changed"] == 3
    apply(client, run)
    for mapping in (uploaded, both):
        mapping.refresh_from_db()
        assert (mapping.design_file.name, mapping.design_file_url) == ("", URL)
        assert mapping.file_check == FileCheck.PENDING
    kept.refresh_from_db()
    assert (kept.design_file.name, kept.design_file_url) == ("design-files/2026/01/kept.png", "")


# --- Import: all or nothing, and each kind of bad row ------------------------------------------


def test_one_bad_row_among_good_ones_changes_nothing(client, acme, variants):
    signed_in(client, acme)
    map_variant(variants[0], UIDS[0], URL)
    data = csv_bytes(
        [
            HEADER,
            row_for(variants[0], UIDS[2], ""),
            row_for(variants[1], UIDS[1], URL),
            row_for(variants[2], "no_such_uid", ""),
            row_for(variants[3], UIDS[0], URL),
        ]
    )
    response = upload(client, acme.store, data)
    run = last_run()
    assert run.state == ImportRun.State.INVALID
    assert run.errors == [
        {"row": 4, "column": "product_uid", "message": "Unknown product UID no_such_uid."},
    ]
    page = client.get(response.url).text
    assert "The file has one error." in page and "Nothing was applied." in page
    assert "Unknown product UID no_such_uid." in page and "Apply" not in page
    assert apply(client, run).status_code == 200
    mapping = ProductMapping.objects.get()
    assert (mapping.catalog_variant.uid, mapping.design_file_url) == (UIDS[0], URL)


@pytest.mark.parametrize(
    ("uid", "url", "column", "message"),
    [
        ("no_such_uid", "", "product_uid", "Unknown product UID no_such_uid."),
        (RETIRED_UID, "", "product_uid", "no longer offered in the catalog"),
        (UIDS[0], "ftp://files.example.com/a.png", "design_file_url", "Only http and https URLs"),
        (UIDS[0], "files.example.com/a.png", "design_file_url", "Only http and https URLs"),
        (UIDS[0], "http://10.0.0.5/a.png", "design_file_url", "10.0.0.5 is a private address"),
        (UIDS[0], "http://127.1/a.png", "design_file_url", "127.1 is 127.0.0.1, which is a loopback address"),
        (UIDS[0], "https://user:pw@files.example.com/a.png", "design_file_url", "user name or password"),
        (UIDS[0], "https://files.example.com/" + "a" * 2000, "design_file_url", "longer than 2000"),
        ("", URL, "product_uid", "A design file URL needs a product UID"),
    ],
)
def test_each_bad_value_is_named(client, acme, variants, uid, url, column, message):
    signed_in(client, acme)
    upload(
        client, acme.store, csv_bytes([HEADER, row_for(variants[0], UIDS[0]), row_for(variants[1], uid, url)])
    )
    run = last_run()
    assert run.state == ImportRun.State.INVALID
    [error] = run.errors
    assert (error["row"], error["column"]) == (3, column)
    assert message in error["message"]
    assert not ProductMapping.objects.exists()


def test_unknown_and_duplicate_variants(client, acme, variants):
    signed_in(client, acme)
    data = csv_bytes(
        [
            HEADER,
            row_for(variants[0], UIDS[0]),
            ["1001", "999999", "", "", "", "", UIDS[0], ""],
            [],  # a blank line keeps its row number
            row_for(variants[0], UIDS[1]),
            ["", "100101", "", "", "", "", UIDS[0], ""],
            ["1001", "100102", "", "", "", "", UIDS[0], "", "extra"],
        ]
    )
    upload(client, acme.store, data)
    errors = [(e["row"], e["column"], e["message"]) for e in last_run().errors]
    assert errors == [
        (3, "store_variant_id", "Unknown variant: this store has no variant 999999 of product 1001."),
        (5, "store_variant_id", "The same variant as row 2: each variant may appear once."),
        (6, "store_product_id", "Empty: every row needs the store product id and variant id."),
        (7, "", "This row has 9 cells; the header names 8 columns."),
    ]
    assert not ProductMapping.objects.exists()


def test_another_clients_variants_are_unknown(client, acme, globex, variants):
    theirs = make_products(globex.store, prefix="20")
    mapping = map_variant(theirs[0], UIDS[0], URL)
    signed_in(client, acme)
    upload(
        client,
        acme.store,
        csv_bytes([HEADER, row_for(variants[0], UIDS[1]), row_for(theirs[0], UIDS[2], "")]),
    )
    run = last_run()
    assert [(e["row"], e["column"]) for e in run.errors] == [(3, "store_variant_id")]
    assert "Unknown variant" in run.errors[0]["message"]
    mapping.refresh_from_db()
    assert (mapping.catalog_variant.uid, mapping.design_file_url) == (UIDS[0], URL)
    assert ProductMapping.objects.count() == 1


@pytest.mark.parametrize(
    ("header", "named"),
    [
        (["store_variant_id", "product_uid", "design_file_url"], "missing columns: store_product_id"),
        ([*HEADER, "colour"], "unknown columns: colour"),
        (
            ["variant", "uid"],
            "missing columns: store_product_id, store_variant_id, product_uid, design_file_url",
        ),
        ([*HEADER[:7], "product_uid"], "columns named twice: product_uid"),
    ],
)
def test_wrong_columns_are_refused_by_name(client, acme, variants, header, named):
    signed_in(client, acme)
    response = upload(client, acme.store, csv_bytes([header, ["1001"] * len(header)]))
    assert response.status_code == 400
    assert named in response.content.decode()
    assert not ImportRun.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            csv_bytes([HEADER, ["1001", "100100", "", "Café", "", "", UIDS[0], ""]], encoding="latin-1"),
            "not UTF-8",
        ),
        (
            csv_bytes([HEADER, ["1001", "100100", "", "", "", "", UIDS[0], ""]], encoding="utf-16"),
            "not UTF-8",
        ),
        (csv_bytes([HEADER]), "has a header but no rows"),
        (b"", "The submitted file is empty."),
    ],
)
def test_unreadable_files_are_refused(client, acme, variants, data, message):
    signed_in(client, acme)
    response = upload(client, acme.store, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportRun.objects.exists()


def test_too_large_a_file_is_refused(client, acme, variants, monkeypatch):
    monkeypatch.setattr(reading, "MAX_BYTES", 100)
    signed_in(client, acme)
    response = upload(client, acme.store, csv_bytes([HEADER, row_for(variants[0], UIDS[0])] * 3))
    assert response.status_code == 400
    assert "The file is larger than" in response.content.decode()


def test_the_catalog_changing_after_the_preview_applies_nothing(client, acme, variants):
    signed_in(client, acme)
    upload(
        client, acme.store, csv_bytes([HEADER, row_for(variants[0], UIDS[0]), row_for(variants[1], UIDS[1])])
    )
    run = last_run()
    assert run.state == ImportRun.State.READY
    CatalogVariant.objects.filter(uid=UIDS[1]).update(active=False)
    apply(client, run)
    run.refresh_from_db()
    assert run.state == ImportRun.State.INVALID
    assert [(e["row"], e["column"]) for e in run.errors] == [(3, "product_uid")]
    assert not ProductMapping.objects.exists()


def test_applying_twice_applies_once(client, acme, variants):
    signed_in(client, acme)
    upload(client, acme.store, csv_bytes([HEADER, row_for(variants[0], UIDS[0])]))
    run = last_run()
    apply(client, run)
    page = apply(client, run).content.decode()
    assert "not ready to apply" in page
    assert AuditEvent.objects.filter(verb="products.imported").count() == 1


# --- Who may do what --------------------------------------------------------------------------


def test_view_only_exports_but_does_not_import(client, acme, variants):
    signed_in(client, acme, Role.VIEWER)
    page = client.get(reverse("catalog:bulk", args=[acme.store.code])).text
    assert "Export products" in page and "Check file" not in page
    assert len(rows_of(export(client, acme.store))) == 1 + len(variants)
    assert upload(client, acme.store, csv_bytes([HEADER, row_for(variants[0], UIDS[0])])).status_code == 403
    run = ImportRun.objects.create(store=acme.store, file_name="x.csv", state=ImportRun.State.READY)
    assert client.post(reverse("catalog:import_apply", args=[run.code])).status_code == 403
    assert not ProductMapping.objects.exists()


def test_order_manager_neither_exports_nor_imports(client, acme, variants):
    signed_in(client, acme, Role.ORDER_MANAGER)
    assert client.get(reverse("catalog:bulk", args=[acme.store.code])).status_code == 403
    assert client.get(reverse("catalog:bulk_export", args=[acme.store.code])).status_code == 403
    assert upload(client, acme.store, csv_bytes([HEADER, row_for(variants[0], UIDS[0])])).status_code == 403


def test_store_manager_only_on_their_stores(client, acme, variants):
    other = Store.objects.create(client=acme.client, platform=Store.Platform.MANUAL, name="Acme outlet")
    theirs = make_products(other, prefix="30")
    signed_in(client, acme, Role.STORE_MANAGER)
    store_page = client.get(reverse("integrations:store", args=[acme.store.code])).text
    assert reverse("catalog:bulk", args=[acme.store.code]) in store_page
    assert client.get(reverse("catalog:bulk", args=[other.code])).status_code == 404
    assert client.get(reverse("catalog:bulk_export", args=[other.code])).status_code == 404
    assert upload(client, other, csv_bytes([HEADER, row_for(theirs[0], UIDS[0])])).status_code == 404
    run = ImportRun.objects.create(store=other, file_name="x.csv", state=ImportRun.State.READY)
    assert client.get(reverse("catalog:import_run", args=[run.code])).status_code == 404
    assert client.post(reverse("catalog:import_apply", args=[run.code])).status_code == 404
    # Their own store works.
    upload(client, acme.store, csv_bytes([HEADER, row_for(variants[0], UIDS[0])]))
    apply(client, last_run())
    assert ProductMapping.objects.get().variant == variants[0]


# --- Large files: the worker, with progress ---------------------------------------------------


def test_progress_is_polled_while_the_worker_has_the_file(client, acme):
    run = ImportRun.objects.create(
        store=acme.store,
        file_name="big.csv",
        state=ImportRun.State.VALIDATING,
        rows_total=50000,
        rows_done=20000,
    )
    signed_in(client, acme)
    part = client.get(reverse("catalog:import_status", args=[run.code])).text
    assert 'hx-trigger="every 2s"' in part
    assert '<progress class="meter" max="50000" value="20000"' in part and "20,000 of 50,000 rows" in part
    ImportRun.objects.filter(pk=run.pk).update(state=ImportRun.State.DONE, summary={"new": 3})
    assert "hx-trigger" not in client.get(reverse("catalog:import_status", args=[run.code])).text


def test_a_large_file_runs_in_the_worker(client, acme, catalog, celery_worker, sandbox_url, settings):
    settings.SANDBOX_ENABLED = True
    count = runs.WORKER_ROWS // 3 + 50
    variants = make_products(acme.store, count=count, prefix="4")
    signed_in(client, acme)
    # One design for every row, on the sandbox's file host: the checks that follow the import
    # fetch it once for the whole store.
    design = f"{sandbox_url}/files/shirt-4000x4000.png"
    rows = [HEADER] + [row_for(v, UIDS[i % 3], design) for i, v in enumerate(variants)]
    response = upload(client, acme.store, csv_bytes(rows), name="large.csv")
    run = last_run()
    assert response.url == reverse("catalog:import_run", args=[run.code])
    assert run.rows_total == len(variants) > runs.WORKER_ROWS
    assert wait_for(lambda: ImportRun.objects.get(pk=run.pk).state == ImportRun.State.READY, timeout=60)
    run.refresh_from_db()
    assert run.rows_done == run.rows_total and run.summary["new"] == len(variants)
    assert not ProductMapping.objects.exists()

    client.post(reverse("catalog:import_apply", args=[run.code]))
    part = client.get(reverse("catalog:import_status", args=[run.code])).text
    assert "Applying" in part or "The file is applied." in part
    assert wait_for(lambda: ImportRun.objects.get(pk=run.pk).state == ImportRun.State.DONE, timeout=60)
    run.refresh_from_db()
    assert run.rows_done == run.rows_total == len(variants)
    assert "The file is applied." in client.get(reverse("catalog:import_run", args=[run.code])).text
    mappings = ProductMapping.objects.filter(store=acme.store)
    assert mappings.count() == len(variants)
    assert wait_for(lambda: not mappings.filter(file_check=FileCheck.PENDING).exists(), timeout=60)
    assert set(mappings.values_list("file_check", flat=True)) <= {FileCheck.OK, FileCheck.PROBLEM}


def test_imports_whose_worker_message_was_lost_are_finished_by_the_sweep(
    client, acme, variants, celery_worker
):
    """A broker outage loses the task of an upload and of an apply: the minute's sweep sends
    both again, and the second delivery of an apply finds it applied."""
    signed_in(client, acme)
    rows = [HEADER] + [row_for(v, UIDS[0]) for v in variants]
    checking = ImportRun.objects.create(
        store=acme.store,
        file=SimpleUploadedFile("a.csv", csv_bytes(rows)),
        file_name="a.csv",
        state=ImportRun.State.VALIDATING,
    )
    applying = ImportRun.objects.create(
        store=acme.store,
        file=SimpleUploadedFile("b.csv", csv_bytes(rows)),
        file_name="b.csv",
        state=ImportRun.State.APPLYING,
    )
    ImportRun.objects.filter(pk__in=[checking.pk, applying.pk]).update(
        queued_at=timezone.now() - runs.STALLED_AFTER - timedelta(seconds=1)
    )
    assert runs.lost_runs() == ([checking.pk], [applying.pk])

    requeue_lost_catalog_work.delay()
    apply_mapping_import.delay(applying.pk)  # the lost message turns up after all
    assert wait_for(lambda: ImportRun.objects.get(pk=checking.pk).state == ImportRun.State.READY)
    assert wait_for(lambda: ImportRun.objects.get(pk=applying.pk).state == ImportRun.State.DONE)
    assert ProductMapping.objects.filter(store=acme.store).count() == len(variants)
    assert runs.lost_runs() == ([], [])


def test_an_import_applied_long_after_its_upload_is_not_sent_again_while_it_runs(client, acme, variants):
    """The sweep goes by when the run last went to the worker, not by its upload; and once it
    sent a run again, it waits as long before sending it once more."""
    signed_in(client, acme)
    upload(client, acme.store, csv_bytes([HEADER] + [row_for(v, UIDS[0]) for v in variants]))
    run = last_run()
    long_ago = timezone.now() - timedelta(hours=1)
    ImportRun.objects.filter(pk=run.pk).update(created_at=long_ago, queued_at=long_ago)
    assert run.state == ImportRun.State.READY
    assert runs.claim_for_apply(run)  # the person clicks Apply an hour after the upload
    assert runs.lost_runs() == ([], [])
    later = timezone.now() + runs.STALLED_AFTER + timedelta(seconds=1)
    assert runs.lost_runs(later) == ([], [run.pk])
    runs.sent_again([run.pk], later)
    assert runs.lost_runs(later + timedelta(minutes=1)) == ([], [])
