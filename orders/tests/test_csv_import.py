"""Import orders from CSV into a manual store: every row checked first (errors by row, nothing
imported), then a preview, then every order in one transaction; never twice."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.models import FileCheck
from core.models import AuditEvent
from core.tenancy import Role
from integrations.types import Address
from orders import csv_import
from orders.manual import ManualItem, ManualOrder, ReferenceTaken, import_orders
from orders.models import Hold, Order

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


def urls(store):
    return (
        reverse("orders:manual_import", kwargs={"code": store.code}),
        reverse("orders:manual_import_apply", kwargs={"code": store.code}),
    )


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
    check, apply = urls(acme.store)
    response = manager.post(check, {"file": csv_file(good_rows(acme))})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Import 2 orders" in html and "2 orders with 3 items (107 pieces)" in html
    assert not Order.objects.exists()  # the preview changes nothing

    response = manager.post(apply, {"token": response.context["token"]})
    assert (
        response.status_code == 200
        and "Imported 2 orders with 3 items (107 pieces)." in response.content.decode()
    )
    first, second = Order.objects.order_by("external_id")
    assert (first.external_id, first.source, first.items.count()) == ("1001", Order.Source.CSV, 2)
    mapped, catalog = first.items.order_by("position")
    assert (mapped.sku, mapped.quantity, mapped.product_uid) == ("CARD-1", 2, card_variant().uid)
    assert (catalog.quantity, catalog.design_file_url) == (100, "https://files.example/card.pdf")
    assert first.shipping_address["phone"] == "+34 600 000 000" and first.hold == Hold.FILE_PENDING
    assert catalog.file_check == FileCheck.PENDING
    assert second.customer_name == "Bo"
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
    ]
    check, _ = urls(acme.store)
    response = manager.post(check, {"file": csv_file(rows)})
    assert response.status_code == 400
    errors = {(error["row"], error["column"]): error["message"] for error in response.context["plan"].errors}
    assert "neither a SKU of this store nor a product UID" in errors[(5, "sku_or_uid")]
    assert "“0” is not a quantity" in errors[(6, "quantity")]
    assert "Only http and https" in errors[(7, "design_file_url")]
    assert "needs the print file" in errors[(8, "design_file_url")]
    assert "every order needs its shipping address" in errors[(9, "ship_line1")]
    assert "“XX” is not a country code" in errors[(9, "ship_country")]
    assert "belongs to order 1001, but its ship_line1 differ from row 2" in errors[(10, "")]
    html = response.content.decode()
    assert "Nothing was imported." in html and "NO-SUCH-SKU" in html
    assert "token" not in response.context and not Order.objects.exists()


def test_a_file_imported_already_is_refused(manager, acme):
    check, apply = urls(acme.store)
    rows = good_rows(acme)
    token = manager.post(check, {"file": csv_file(rows)}).context["token"]
    assert manager.post(apply, {"token": token}).status_code == 200
    # The same preview sent again (a second click), and the same file uploaded again.
    again = manager.post(apply, {"token": token})
    assert again.status_code == 400
    assert "already has an order 1001" in again.content.decode()
    response = manager.post(check, {"file": csv_file(rows)})
    assert response.status_code == 400
    assert {error["row"] for error in response.context["plan"].errors} == {2, 4}
    assert Order.objects.count() == 2 and AuditEvent.objects.filter(verb="orders.imported").count() == 1


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


def test_a_preview_cannot_be_changed_or_taken_to_another_store(manager, acme):
    check, apply = urls(acme.store)
    token = manager.post(check, {"file": csv_file(good_rows(acme))}).context["token"]
    response = manager.post(apply, {"token": token[:-2] + "xx"})
    assert response.status_code == 400 and "Upload the file again" in response.content.decode()
    other = acme.store.__class__.objects.create(client=acme.client, platform="manual", name="Second shop")
    response = manager.post(urls(other)[1], {"token": token})
    assert response.status_code == 400 and "another store" in response.content.decode()
    assert not Order.objects.exists()


def test_files_that_cannot_be_read_are_refused_in_words(manager, acme):
    check, _ = urls(acme.store)
    wrong = manager.post(check, {"file": csv_file([["1"]], header=["order_reference", "colour"])})
    assert (
        "missing columns: ship_name" in wrong.content.decode()
        and "unknown columns: colour" in wrong.content.decode()
    )
    big = [row(str(n), "X") for n in range(csv_import.MAX_ROWS + 1)]
    too_many = manager.post(check, {"file": csv_file(big)})
    assert f"more than {csv_import.MAX_ROWS} rows" in too_many.content.decode()
    utf16 = SimpleUploadedFile("o.csv", ",".join(csv_import.COLUMNS).encode("utf-16"))
    assert "UTF-8" in manager.post(check, {"file": utf16}).content.decode()
    assert not Order.objects.exists()


def test_the_template_escapes_formulas_and_imports_as_it_is(manager, acme):
    uid = card_variant().uid  # the catalog's first product, the template's example
    response = manager.get(reverse("orders:manual_import_template", kwargs={"code": acme.store.code}))
    assert response["Content-Disposition"] == 'attachment; filename="orders-template.csv"'
    text = response.content.decode("utf-8-sig")
    header, example = list(csv.reader(io.StringIO(text)))
    assert header == csv_import.COLUMNS
    assert example[header.index("phone")] == "'+34 600 000 000"  # a spreadsheet would read a formula
    assert example[header.index("sku_or_uid")] == uid
    check, _ = urls(acme.store)
    template = SimpleUploadedFile("template.csv", response.content)
    preview = manager.post(check, {"file": template})
    assert preview.status_code == 200, preview.context["plan"].errors
    assert preview.context["plan"].manual_orders()[0].shipping.phone == "+34 600 000 000"


def test_formulas_and_markup_in_a_file_stay_text(manager, acme):
    check, apply = urls(acme.store)
    uid = card_variant().uid
    markup = "<script>alert(1)</script>"
    rows = [row("=1+1", uid, "1", "https://files.example/a.pdf", address=[markup, *ADDRESS[1:]], name=markup)]
    response = manager.post(check, {"file": csv_file(rows)})
    assert (
        "<script>alert(1)" not in response.content.decode() and "&lt;script&gt;" in response.content.decode()
    )
    manager.post(apply, {"token": response.context["token"]})
    order = Order.objects.get()
    assert (order.external_id, order.customer_name) == ("=1+1", "<script>alert(1)</script>")


@pytest.mark.parametrize(
    ("role", "status"), [(Role.VIEWER, 403), (Role.STORE_MANAGER, 403), (Role.ADMIN, 200)]
)
def test_who_may_import(client, acme, role, status):
    client.force_login(acme.user(role))
    check, _ = urls(acme.store)
    assert client.post(check, {"file": csv_file(good_rows(acme))}).status_code == status


def test_another_clients_store_is_not_found(manager, globex):
    check, apply = urls(globex.store)
    assert manager.get(check).status_code == 404
    assert manager.post(apply, {"token": "x"}).status_code == 404
