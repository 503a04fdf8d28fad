"""Each platform's order JSON read as integrations.types values: ids stay exact text (never a
float), payment, test and cancellation read as each platform says them, custom items kept with
their title, a print file named on a line found by the documented property names."""

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from integrations.etsy.orders import etsy_order
from integrations.pressero.orders import order_delivery as pressero_delivery
from integrations.shopify.orders import order_delivery as shopify_delivery
from integrations.types import print_file_url, text_id
from integrations.woocommerce.orders import order_delivery as woocommerce_delivery

BIG = 2**63 - 25  # a 64-bit id: as a float it would be 9223372036854775808


def shopify(**fields):
    line = {"id": BIG - 1, "product_id": BIG - 2, "variant_id": BIG - 3, "title": "Poster", "quantity": 2}
    body = json.dumps(
        {"id": BIG, "name": "#1001", "financial_status": "paid", "line_items": [line], **fields}
    )
    return json.loads(body)  # as the worker reads a stored body


def test_shopify_ids_above_2_53_stay_exact_text():
    order = shopify_delivery("orders/create", shopify()).order
    [line] = order.lines
    assert (order.external_id, line.external_id, line.variant_id) == (str(BIG), str(BIG - 1), str(BIG - 3))


def test_an_id_that_went_through_a_float_is_refused():
    with pytest.raises(ValueError, match="names no order"):
        shopify_delivery("orders/create", {**shopify(), "id": float(BIG)})
    with pytest.raises(ValueError, match="could not be read"):
        shopify_delivery("orders/create", shopify(line_items=[{"id": 1, "variant_id": 1e19, "quantity": 1}]))
    with pytest.raises(ValueError):
        text_id(2.0**60)


@pytest.mark.parametrize(
    ("status", "paid"),
    [("paid", True), ("partially_paid", True), ("authorized", True), ("pending", False), ("voided", False)],
)
def test_shopify_financial_status_says_whether_it_is_paid(status, paid):
    assert shopify_delivery("orders/updated", shopify(financial_status=status)).order.paid is paid


def test_shopify_test_and_cancelled_orders():
    order = shopify_delivery(
        "orders/cancelled", shopify(test=True, cancelled_at="2026-11-30T10:00:00-05:00")
    ).order
    assert (order.test, order.cancelled) == (True, True)
    assert not shopify_delivery("orders/create", shopify(cancelled_at=None)).order.cancelled


def test_shopify_edits_and_refunds_count_what_is_left():
    kept = {"id": 7, "variant_id": 70, "title": "Poster", "quantity": 3, "current_quantity": 1}
    removed = {"id": 8, "variant_id": 80, "title": "Mug", "quantity": 2, "current_quantity": 0}
    order = shopify_delivery("orders/updated", shopify(line_items=[kept, removed])).order
    assert [(line.external_id, line.quantity) for line in order.lines] == [("7", 1)]
    assert shopify_delivery("orders/updated", shopify(financial_status="refunded")).order.cancelled


def test_a_shopify_custom_item_keeps_its_title():
    custom = {"id": 9, "product_id": None, "variant_id": None, "title": "Gift wrap", "quantity": 1}
    [line] = shopify_delivery("orders/create", shopify(line_items=[custom])).order.lines
    assert (line.title, line.product_id, line.variant_id) == ("Gift wrap", "", "")


def test_a_body_that_is_not_an_order_or_a_topic_that_is_not_an_order_topic():
    with pytest.raises(ValueError, match="not an order"):
        shopify_delivery("orders/create", {"id": 5, "name": "#9"})
    with pytest.raises(ValueError, match="not an order topic"):
        shopify_delivery("products/update", shopify())


@pytest.mark.parametrize("name", ["_print_file", "Print file", "print-file-url", "_PRINT_FILE_URL"])
def test_a_print_file_property_names_the_line_s_design(name):
    url = "https://files.example/art.pdf"
    assert print_file_url([("Colour", "red"), (name, url)]) == url
    line = {"id": 1, "variant_id": 2, "quantity": 1, "properties": [{"name": name, "value": url}]}
    assert shopify_delivery("orders/create", shopify(line_items=[line])).order.lines[0].design_url == url


@pytest.mark.parametrize(
    "pair", [("_print_file", "javascript:alert(1)"), ("_print_file", None), ("Design", "https://x")]
)
def test_anything_else_is_no_print_file(pair):
    assert print_file_url([pair]) == ""


def woo(**fields):
    line = {"id": 11, "name": "Poster - A4", "parent_name": "Poster", "product_id": 40, "variation_id": 41}
    return {
        "id": 1287,
        "number": "1287",
        "status": "processing",
        "date_created_gmt": "2026-11-27T18:00:00",
        "date_modified_gmt": "2026-11-27T18:05:13",
        "total": "39.00",
        "billing": {"first_name": "Ann", "last_name": "Buyer", "email": "ann@example.com"},
        "shipping": {"first_name": "Ann", "last_name": "Buyer", "address_1": "1 Main St", "country": "nl"},
        "line_items": [{**line, "quantity": 3, "price": 13.0}],
        **fields,
    }


@pytest.mark.parametrize(
    ("status", "paid", "cancelled"),
    [
        ("processing", True, False),
        ("completed", True, False),
        ("pending", False, False),
        ("on-hold", False, False),
        ("cancelled", True, True),
        ("refunded", True, True),
    ],
)
def test_woocommerce_status_says_paid_and_cancelled(status, paid, cancelled):
    order = woocommerce_delivery("order.updated", woo(status=status)).order
    assert (order.paid, order.cancelled) == (paid, cancelled)


def test_a_woocommerce_order_reads_its_times_lines_and_address():
    order = woocommerce_delivery("order.created", woo()).order
    assert order.updated_at == datetime(2026, 11, 27, 18, 5, 13, tzinfo=UTC)
    assert (order.customer_name, order.customer_email, order.shipping.country) == (
        "Ann Buyer",
        "ann@example.com",
        "NL",
    )
    [line] = order.lines
    assert (line.title, line.variant_title, line.product_id, line.variant_id, line.price) == (
        "Poster",
        "Poster - A4",
        "40",
        "41",
        Decimal("13.0"),
    )


def test_woocommerce_zero_ids_mean_none():
    simple = {"id": 12, "name": "Mug", "product_id": 50, "variation_id": 0, "quantity": 1}
    gone = {"id": 13, "name": "Deleted thing", "product_id": 0, "variation_id": 0, "quantity": 1}
    lines = woocommerce_delivery("order.created", woo(line_items=[simple, gone])).order.lines
    assert [(line.product_id, line.variant_id, line.title) for line in lines] == [
        ("50", "50", "Mug"),  # a simple product is its own variant
        ("", "", "Deleted thing"),
    ]


def test_a_pressero_envelope_names_its_order_by_number():
    envelope = {"TypeName": "OrderPlaced", "Data": {"OrderNumber": 10234, "OrderId": "5f2a"}}
    said = pressero_delivery("OrderPlaced", envelope)
    assert (said.external_id, said.order) == ("10234", None)
    for broken in (
        {"TypeName": "OrderPlaced", "Data": {}},
        {"TypeName": "OrderUpdated", "Data": {"OrderNumber": 1}},
    ):
        with pytest.raises(ValueError):
            pressero_delivery("OrderPlaced", broken)


def test_an_etsy_receipt():
    receipt = {
        "receipt_id": 3000000042,
        "status": "canceled",
        "is_paid": True,
        "name": "Ann Buyer",
        "first_line": "1 Main St",
        "city": "Utrecht",
        "country_iso": "NL",
        "grandtotal": {"amount": 2400, "divisor": 100, "currency_code": "EUR"},
        "created_timestamp": 1764500000,
        "updated_timestamp": 1764500100,
        "transactions": [
            {
                "transaction_id": 9,
                "title": "Mug",
                "quantity": 1,
                "listing_id": 7,
                "product_id": 8,
                "price": None,
            }
        ],
    }
    order = etsy_order(receipt)
    assert (order.external_id, order.cancelled, order.paid, order.total, order.currency) == (
        "3000000042",
        True,
        True,
        Decimal("24"),
        "EUR",
    )
    assert order.updated_at == datetime.fromtimestamp(1764500100, tz=UTC)
    assert (order.lines[0].product_id, order.lines[0].variant_id) == ("7", "8")


def test_tags_and_notes_are_read_where_each_platform_keeps_them():
    """What workflow rules read rush or priority markers from: Shopify's tags (a comma-separated
    text in REST, a list in GraphQL) and note, WooCommerce's customer note, Etsy's message."""
    from integrations.shopify.orders import graphql_order

    rest = shopify_delivery("orders/create", shopify(tags="rush, VIP ,,", note="Please hurry")).order
    assert (rest.tags, rest.note) == (("rush", "VIP"), "Please hurry")
    bare = shopify_delivery("orders/create", shopify(tags=None, note=None)).order
    assert (bare.tags, bare.note) == ((), "")
    node = {"legacyResourceId": "5", "name": "#1005", "tags": ["express", ""], "note": "Gift"}
    assert (graphql_order(node, []).tags, graphql_order(node, []).note) == (("express",), "Gift")
    woo_order = woocommerce_delivery("order.created", woo(customer_note="URGENT: for Friday")).order
    assert (woo_order.tags, woo_order.note) == ((), "URGENT: for Friday")
    receipt = {"receipt_id": 7, "message_from_buyer": "rush please", "transactions": []}
    assert etsy_order(receipt).note == "rush please"
