"""Shopify's order JSON as integrations.types values: the REST-shaped bodies of the orders/*
webhooks, and the Admin GraphQL API's order nodes (fetch_order, reconciliation). Both give the
same ids: a GraphQL node's global id ends with the REST id."""

from django.utils.dateparse import parse_datetime

from integrations.types import (
    Address,
    SourceOrder,
    SourceOrderLine,
    decimal_or_none,
    print_file_url,
    tag_list,
    text,
    text_id,
    whole_order_delivery,
)

# Financial statuses that let an order go into production. An authorized payment counts: a
# shop that captures by hand does so when it fulfils, which would never come if we waited.
PAID = {"paid", "partially_paid", "partially_refunded", "refunded", "authorized"}
ORDER_TOPICS = ("orders/create", "orders/updated", "orders/cancelled")


def _when(value):
    return parse_datetime(value) if isinstance(value, str) else None


def _customer_name(*people):
    for person in people:
        if not isinstance(person, dict):
            continue
        name = person.get("name") or " ".join(
            part for part in (person.get("first_name") or "", person.get("last_name") or "") if part
        )
        if name:
            return str(name)
    return ""


def rest_address(address):
    if not isinstance(address, dict):
        return None  # null for apps without protected customer data access
    return Address(
        name=_customer_name(address),
        company=text(address.get("company")),
        line1=text(address.get("address1")),
        line2=text(address.get("address2")),
        city=text(address.get("city")),
        region=text(address.get("province_code") or address.get("province")),
        postcode=text(address.get("zip")),
        country=text(address.get("country_code")).upper()[:2],
        phone=text(address.get("phone")),
    )


def _current(current, original):
    """A line's quantity now: after an order edit or a refund Shopify keeps the original
    `quantity` and gives what is left as the current one."""
    return int(current if current is not None else original or 0)


def _live(lines):
    """The lines with something left to make: one edited or refunded down to 0 is gone (the
    upsert cancels its item)."""
    return tuple(line for line in lines if line.quantity > 0)


def rest_line(line):
    properties = line.get("properties") or ()
    pairs = [(p.get("name"), p.get("value")) for p in properties if isinstance(p, dict)]
    return SourceOrderLine(
        external_id=text_id(line["id"]),
        title=text(line.get("title") or line.get("name")),
        quantity=_current(line.get("current_quantity"), line.get("quantity")),
        sku=text(line.get("sku")),
        variant_title=text(line.get("variant_title")),
        # A custom item has neither: it waits in "Needs mapping" with its title.
        product_id=text_id(line.get("product_id")),
        variant_id=text_id(line.get("variant_id")),
        price=decimal_or_none(line.get("price")),
        design_url=print_file_url(pairs),
    )


def rest_order(payload):
    """The REST order JSON an orders/* delivery carries."""
    customer = payload.get("customer")
    shipping = payload.get("shipping_address")
    return SourceOrder(
        external_id=text_id(payload["id"]),
        number=text(payload.get("name") or payload.get("order_number")),
        lines=_live(rest_line(line) for line in payload["line_items"]),
        paid=payload.get("financial_status") in PAID,
        test=payload.get("test") is True,
        # Refunded in full and not cancelled: nothing is left to make.
        cancelled=bool(payload.get("cancelled_at")) or payload.get("financial_status") == "refunded",
        currency=text(payload.get("currency")),
        total=decimal_or_none(payload.get("total_price")),
        # The shipping name first, as the GraphQL report (reconciliation) reads it: the two must
        # agree, or each reconciliation would "change" the order.
        customer_name=_customer_name(shipping, customer, payload.get("billing_address")),
        customer_email=text(payload.get("email") or (customer or {}).get("email")),
        shipping=rest_address(shipping),
        placed_at=_when(payload.get("created_at")),
        updated_at=_when(payload.get("updated_at")),
        tags=tag_list(payload.get("tags")),
        note=text(payload.get("note")),
    )


def order_delivery(topic, payload):
    """What an orders/create, orders/updated or orders/cancelled delivery says: the whole order."""
    return whole_order_delivery("Shopify", ORDER_TOPICS, topic, payload, rest_order)


# --- The GraphQL API's order nodes (ORDER_FIELDS in the adapter) ---


def _legacy(global_id):
    """The REST id at the end of a global id (gid://shopify/LineItem/123 -> "123")."""
    return text_id(str(global_id or "").rsplit("/", 1)[-1])


def _amount(money_bag):
    return decimal_or_none(((money_bag or {}).get("shopMoney") or {}).get("amount"))


def graphql_address(address):
    if not isinstance(address, dict):
        return None
    return Address(
        name=text(address.get("name")),
        company=text(address.get("company")),
        line1=text(address.get("address1")),
        line2=text(address.get("address2")),
        city=text(address.get("city")),
        region=text(address.get("provinceCode")),
        postcode=text(address.get("zip")),
        country=text(address.get("countryCodeV2")).upper()[:2],
        phone=text(address.get("phone")),
    )


def graphql_line(node):
    pairs = [(a.get("key"), a.get("value")) for a in node.get("customAttributes") or ()]
    return SourceOrderLine(
        external_id=_legacy(node["id"]),
        title=text(node.get("title") or node.get("name")),
        quantity=_current(node.get("currentQuantity"), node.get("quantity")),
        sku=text(node.get("sku")),
        variant_title=text(node.get("variantTitle")),
        product_id=text_id((node.get("product") or {}).get("legacyResourceId")),
        variant_id=text_id((node.get("variant") or {}).get("legacyResourceId")),
        price=_amount(node.get("originalUnitPriceSet")),
        design_url=print_file_url(pairs),
    )


def graphql_order(node, lines):
    """An order node with all its line item nodes (`lines`: the node's may be the first page)."""
    shipping = graphql_address(node.get("shippingAddress"))
    return SourceOrder(
        external_id=text_id(node["legacyResourceId"]),
        number=text(node.get("name")),
        lines=_live(graphql_line(line) for line in lines),
        paid=str(node.get("displayFinancialStatus") or "").lower() in PAID,
        test=node.get("test") is True,
        cancelled=bool(node.get("cancelledAt")) or node.get("displayFinancialStatus") == "REFUNDED",
        currency=text(node.get("currencyCode")),
        total=_amount(node.get("totalPriceSet")),
        customer_name=shipping.name if shipping else "",
        customer_email=text(node.get("email")),
        shipping=shipping,
        placed_at=_when(node.get("createdAt")),
        updated_at=_when(node.get("updatedAt")),
        tags=tag_list(node.get("tags")),
        note=text(node.get("note")),
    )
