"""WooCommerce's order JSON (wc/v3 orders, which is also the body of the order.* webhooks) as
integrations.types values."""

from datetime import UTC

from django.utils.dateparse import parse_datetime

from integrations.types import (
    Address,
    OrderDelivery,
    SourceOrder,
    SourceOrderLine,
    decimal_or_none,
    print_file_url,
    text_id,
)

from .products import modified_at

# Statuses of an order not paid for yet (on-hold: awaiting a bank transfer or cheque), and of
# one the shop called off.
UNPAID = {"pending", "on-hold", "failed", "checkout-draft"}
CANCELLED = {"cancelled", "refunded", "trash"}
ORDER_TOPICS = ("order.created", "order.updated")


def _text(value):
    return str(value) if value not in (None, "") else ""


def _gmt(value):
    moment = parse_datetime(value) if isinstance(value, str) and value else None
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def _name(person):
    return " ".join(
        part for part in (_text(person.get("first_name")), _text(person.get("last_name"))) if part
    )


def woocommerce_address(shipping):
    if not isinstance(shipping, dict) or not any(shipping.get(k) for k in ("address_1", "city", "country")):
        return None
    return Address(
        name=_name(shipping),
        company=_text(shipping.get("company")),
        line1=_text(shipping.get("address_1")),
        line2=_text(shipping.get("address_2")),
        city=_text(shipping.get("city")),
        region=_text(shipping.get("state")),
        postcode=_text(shipping.get("postcode")),
        country=_text(shipping.get("country")).upper()[:2],
        phone=_text(shipping.get("phone")),
    )


def woocommerce_line(line):
    """A line item. A simple product is its own variant (variation_id 0); a line with neither
    (a product since deleted, a fee added by hand) waits in "Needs mapping" with its name."""
    product_id = text_id(line.get("product_id"))
    meta = [(m.get("key"), m.get("value")) for m in line.get("meta_data") or () if isinstance(m, dict)]
    return SourceOrderLine(
        external_id=text_id(line["id"]),
        title=_text(line.get("parent_name") or line.get("name")),
        quantity=int(line.get("quantity") or 0),
        sku=_text(line.get("sku")),
        variant_title=_text(line.get("name")) if line.get("parent_name") else "",
        product_id=product_id,
        variant_id=text_id(line.get("variation_id")) or product_id,
        price=decimal_or_none(line.get("price")),
        design_url=print_file_url(meta),
    )


def woocommerce_order(payload):
    shipping = woocommerce_address(payload.get("shipping")) or woocommerce_address(payload.get("billing"))
    billing = payload.get("billing") if isinstance(payload.get("billing"), dict) else {}
    status = payload.get("status")
    return SourceOrder(
        external_id=text_id(payload["id"]),
        number=_text(payload.get("number") or payload["id"]),
        lines=tuple(woocommerce_line(line) for line in payload["line_items"]),
        paid=status not in UNPAID,
        cancelled=status in CANCELLED,
        currency=_text(payload.get("currency")),
        total=decimal_or_none(payload.get("total")),
        customer_name=(shipping.name if shipping else "") or _name(billing),
        customer_email=_text(billing.get("email")),
        shipping=shipping,
        placed_at=_gmt(payload.get("date_created_gmt")),
        updated_at=modified_at(payload),
    )


def order_delivery(topic, payload):
    """What an order.created or order.updated delivery says: the whole order. Raises
    ValueError for a body that is not an order (the topic header is not signed)."""
    if topic not in ORDER_TOPICS:
        raise ValueError(f"{topic!r} is not an order topic of WooCommerce.")
    order_id, lines = payload.get("id"), payload.get("line_items")
    if not isinstance(order_id, int) or isinstance(order_id, bool) or order_id <= 0:
        raise ValueError("The delivery names no order.")
    if not isinstance(lines, list) or not all(isinstance(line, dict) and "id" in line for line in lines):
        raise ValueError("The body of this delivery is not an order.")
    try:
        order = woocommerce_order(payload)
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        raise ValueError(f"The order in this delivery could not be read ({error}).") from None
    return OrderDelivery(external_id=order.external_id, order=order)
