"""Import orders from CSV into a manual store: every row checked first (errors by row, nothing
imported), then a preview, then every order in one transaction; never twice."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from catalog.models import FileCheck, ProductMapping
from core.models import AuditEvent
from core.tenancy import Role
from integrations.types import Address
from orders import csv_import, import_runs
from orders.manual import ManualItem, ManualOrder, ReferenceTaken, import_orders
from orders.models import Hold, Order, OrderImport

from .manual_helpers import card_variant, mapped_card

pytestmark = pytest.mark.django_db

ADDRESS = ["Ana García", "", "Calle Mayor 1", "", "Madrid", "", "28013", "ES", "+34 600 000 000"]


def row(
    reference, sku_or_uid, quantity="1", url="", *, address=None, name="Ana García", email="ana@example.com"
):
    return [reference, name, email, *(address or ADDRESS), sku_or_uid, quantity, url]


def csv_file(rows, header=None):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header or csv_import.COLUMNS)
    writer.writerows(rows)
    return SimpleUploadedFile("orders.csv", buffer.getvalue().encode(), content_type="text/csv")


def check_url(store):
    return reverse("orders:manual_import", kwargs={"code": store.code})


def checked(client, store, rows):
    """Upload a file whose rows are right: its import, checked and ready."""
    response = client.post(check_url(store), {"file": csv_file(rows)})
    assert response.status_code == 302, response.context and response.context["plan"].errors
    return OrderImport.objects.get(code=response.url.rstrip("/").rsplit("/", 1)[-1])


def page_of(client, run):
    return client.get(reverse("orders:order_import", kwargs={"code": run.code})).content.decode()


def start(client, run):
    return client.post(reverse("orders:order_import_start", kwargs={"code": run.code}))


@pytest.fixture
def manager(client, acme):
    client.force_login(acme.user(Role.ORDER_MANAGER))
    return client


def good_rows(acme):
    mapped_card(acme.store, sku="CARD-1")
    uid = card_variant().uid
    return [
        row("1001", "CARD-1", "2"),
        row("1001", uid, "100", "https://files.example/card.pdf"),
        row("1002", uid, "5", "https://files.example/other.pdf", name="Bo", email=""),
    ]


def test_a_good_file_is_previewed_then_imported_in_one_go(manager, acme):
    run = checked(manager, acme.store, good_rows(acme))
    html = page_of(manager, run)
    assert "Import 2 orders" in html and run.summary["totals"] == {"orders": 2, "items": 3, "pieces": 107}
    assert not Order.objects.exists()  # the preview changes nothing

    assert start(manager, run).status_code == 302
    run.refresh_from_db()
    assert run.state == OrderImport.State.IMPORTING
    import_runs.run(run.pk)  # the worker's task (tests/test_browser_manual_orders.py runs a real one)
    assert "Imported 2 orders." in page_of(manager, run)
    first, second = Order.objects.order_by("external_id")
    assert (first.external_id, first.source, first.items.count()) == ("1001", Order.Source.CSV, 2)
    mapped, catalog = first.items.order_by("position")
    assert (mapped.sku, mapped.quantity, mapped.product_uid) == ("CARD-1", 2, card_variant().uid)
    assert (catalog.quantity, catalog.design_file_url) == (100, "https://files.example/card.pdf")
    assert first.shipping_address["phone"] == "+34 600 000 000" and first.hold == Hold.FILE_PENDING
    assert catalog.file_check == FileCheck.PENDING
    assert second.customer_name == "Bo" and first.placed_by == acme.user(Role.ORDER_MANAGER)
    audit = AuditEvent.objects.get(verb="orders.imported")
    assert (audit.data["orders"], audit.data["items"], audit.target) == (2, 3, acme.store.name)


def test_one_bad_row_imports_nothing_and_is_listed(manager, acme):
    rows = good_rows(acme)
    uid = card_variant().uid
    rows += [
        row("1003", "NO-SUCH-SKU"),
        row("1004", uid, "0", "https://files.example/a.pdf"),
        row("1005", uid, "1", "ftp://files.example/a.pdf"),
        row("1006", uid, "1"),
        row("1007", uid, "1", "https://files.example/a.pdf", address=["", "", "", "", "", "", "", "XX", ""]),
        row(
            "1001",
            uid,
            "1",
            "https://files.example/a.pdf",
            address=["Ana García", "", "Gran Vía 2", *ADDRESS[3:]],
        ),
        row("1008", uid, "²", "https://files.example/a.pdf"),  # a digit to isdigit(), not to int()
        row("1009", uid, "9" * 5000, "https://files.example/a.pdf"),  # past int()'s digit limit
    ]
    response = manager.post(check_url(acme.store), {"file": csv_file(rows)})
    assert response.status_code == 400
    errors = {(error["row"], error["column"]): error["message"] for error in response.context["plan"].errors}
    assert "neither a SKU of this store nor a product UID" in errors[(5, "sku_or_uid")]
    assert "“0” is not a quantity" in errors[(6, "quantity")]
    assert "Only http and https" in errors[(7, "design_file_url")]
    assert "needs the print file" in errors[(8, "design_file_url")]
    assert "every order needs its shipping address" in errors[(9, "ship_line1")]
    assert "“XX” is not a country code" in errors[(9, "ship_country")]
    assert "belongs to order 1001, but its ship_line1 differ from row 2" in errors[(10, "")]
    assert "“²” is not a quantity" in errors[(11, "quantity")]
    assert "is not a quantity" in errors[(12, "quantity")]
    html = response.content.decode()
    assert "Nothing was imported." in html and "NO-SUCH-SKU" in html
    assert not OrderImport.objects.exists() and not Order.objects.exists()


def test_a_file_imported_already_is_refused(manager, acme):
    rows = good_rows(acme)
    run = checked(manager, acme.store, rows)
    start(manager, run)
    import_runs.run(run.pk)
    # "Import" again (a second click), the worker's task again, and the same file uploaded again.
    assert "imported already" in manager.get(start(manager, run).url).content.decode()
    import_runs.run(run.pk)
    response = manager.post(check_url(acme.store), {"file": csv_file(rows)})
    assert response.status_code == 400
    assert {error["row"] for error in response.context["plan"].errors} == {2, 4}
    assert "already has an order 1001" in response.content.decode()
    assert Order.objects.count() == 2 and AuditEvent.objects.filter(verb="orders.imported").count() == 1


def test_checked_again_when_imported(manager, acme):
    run = checked(manager, acme.store, good_rows(acme))
    start(manager, run)
    ProductMapping.objects.all().delete()  # CARD-1 is no longer mapped
    import_runs.run(run.pk)
    run.refresh_from_db()
    assert run.state == OrderImport.State.INVALID
    assert "CARD-1 is not mapped" in run.errors[0]["message"] and run.errors[0]["row"] == 2
    assert "Nothing was imported." in page_of(manager, run) and not Order.objects.exists()


def test_a_lost_import_is_sent_again_once(manager, acme):
    run = checked(manager, acme.store, good_rows(acme))
    start(manager, run)
    later = timezone.now() + import_runs.STALLED_AFTER + timedelta(seconds=1)
    assert import_runs.lost() == [] and import_runs.lost(later) == [run.pk]
    import_runs.send_again([run.pk])
    run.refresh_from_db()
    assert import_runs.lost(run.queued_at + import_runs.STALLED_AFTER) == []  # it waits as long again


def test_all_or_nothing_when_one_order_cannot_be_made(acme):
    item = ManualItem(quantity=1, catalog_variant=card_variant(), design_url="https://files.example/a.pdf")
    address = Address(name="Ana", line1="Calle Mayor 1", city="Madrid", postcode="28013", country="ES")
    Order.objects.create(
        client=acme.client,
        store=acme.store,
        external_id="TAKEN",
        number="TAKEN",
        placed_at="2026-11-01T00:00Z",
    )
    with pytest.raises(ReferenceTaken):
        import_orders(
            None, acme.store, [ManualOrder("NEW", address, (item,)), ManualOrder("TAKEN", address, (item,))]
        )
    assert list(Order.objects.values_list("external_id", flat=True)) == ["TAKEN"]


def test_files_that_cannot_be_read_are_refused_in_words(manager, acme):
    check = check_url(acme.store)
    wrong = manager.post(
        check, {"file": csv_file([["1"]], header=["order_reference", "colour"])}
    ).content.decode()
    assert "missing columns: ship_name" in wrong and "unknown columns: colour" in wrong
    big = [row(str(n), "X") for n in range(csv_import.MAX_ROWS + 1)]
    too_many = manager.post(check, {"file": csv_file(big)})
    assert f"more than {csv_import.MAX_ROWS} rows" in too_many.content.decode()
    utf16 = SimpleUploadedFile("o.csv", ",".join(csv_import.COLUMNS).encode("utf-16"))
    assert "UTF-8" in manager.post(check, {"file": utf16}).content.decode()
    assert not OrderImport.objects.exists()


def test_the_template_escapes_formulas_and_imports_as_it_is(manager, acme):
    uid = card_variant().uid  # the catalog's first product, the template's example
    response = manager.get(reverse("orders:manual_import_template", kwargs={"code": acme.store.code}))
    assert response["Content-Disposition"] == 'attachment; filename="orders-template.csv"'
    header, example = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header == csv_import.COLUMNS
    assert example[header.index("phone")] == "'+34 600 000 000"  # a spreadsheet would read a formula
    assert example[header.index("sku_or_uid")] == uid
    run = checked(manager, acme.store, [example])
    start(manager, run)
    import_runs.run(run.pk)
    assert Order.objects.get().shipping_address["phone"] == "+34 600 000 000"


def test_formulas_and_markup_in_a_file_stay_text(manager, acme):
    uid = card_variant().uid
    markup = "<script>alert(1)</script>"
    rows = [row("=1+1", uid, "1", "https://files.example/a.pdf", address=[markup, *ADDRESS[1:]], name=markup)]
    run = checked(manager, acme.store, rows)
    html = page_of(manager, run)
    assert markup not in html and "&lt;script&gt;" in html
    start(manager, run)
    import_runs.run(run.pk)
    order = Order.objects.get()
    assert (order.external_id, order.customer_name) == ("=1+1", markup)


@pytest.mark.parametrize(
    ("role", "status"), [(Role.VIEWER, 403), (Role.STORE_MANAGER, 403), (Role.ADMIN, 302)]
)
def test_who_may_import(client, acme, role, status):
    client.force_login(acme.user(role))
    assert client.post(check_url(acme.store), {"file": csv_file(good_rows(acme))}).status_code == status
    run = OrderImport.objects.create(store=acme.store, file_name="o.csv", content="")
    assert start(client, run).status_code == status


def test_another_clients_store_and_imports_are_not_found(manager, globex):
    assert manager.get(check_url(globex.store)).status_code == 404
    run = OrderImport.objects.create(store=globex.store, file_name="o.csv", content="")
    assert manager.get(reverse("orders:order_import", kwargs={"code": run.code})).status_code == 404
    assert start(manager, run).status_code == 404
