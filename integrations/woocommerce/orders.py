"""WooCommerce's order JSON (wc/v3 orders, which is also the body of the order.* webhooks) as
integrations.types values."""

from datetime import UTC

from django.utils.dateparse import parse_datetime

from integrations.types import (
    Address,
    SourceOrder,
    SourceOrderLine,
    decimal_or_none,
    print_file_url,
    text,
    text_id,
    whole_order_delivery,
)

from .products import modified_at

# Statuses of an order not paid for yet (on-hold: awaiting a bank transfer or cheque), and of
# one the shop called off.
UNPAID = {"pending", "on-hold", "failed", "checkout-draft"}
CANCELLED = {"cancelled", "refunded", "trash"}
ORDER_TOPICS = ("order.created", "order.updated")


def _gmt(value):
    moment = parse_datetime(value) if isinstance(value, str) and value else None
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def _name(person):
    return " ".join(part for part in (text(person.get("first_name")), text(person.get("last_name"))) if part)


def woocommerce_address(shipping):
    if not isinstance(shipping, dict) or not any(shipping.get(k) for k in ("address_1", "city", "country")):
        return None
    return Address(
        name=_name(shipping),
        company=text(shipping.get("company")),
        line1=text(shipping.get("address_1")),
        line2=text(shipping.get("address_2")),
        city=text(shipping.get("city")),
        region=text(shipping.get("state")),
        postcode=text(shipping.get("postcode")),
        country=text(shipping.get("country")).upper()[:2],
        phone=text(shipping.get("phone")),
    )


def woocommerce_line(line):
    """A line item. A simple product is its own variant (variation_id 0); a line with neither
    (a product since deleted, a fee added by hand) waits in "Needs mapping" with its name."""
    product_id = text_id(line.get("product_id"))
    meta = [(m.get("key"), m.get("value")) for m in line.get("meta_data") or () if isinstance(m, dict)]
    return SourceOrderLine(
        external_id=text_id(line["id"]),
        title=text(line.get("parent_name") or line.get("name")),
        quantity=int(line.get("quantity") or 0),
        sku=text(line.get("sku")),
        variant_title=text(line.get("name")) if line.get("parent_name") else "",
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
        number=text(payload.get("number") or payload["id"]),
        lines=tuple(woocommerce_line(line) for line in payload["line_items"]),
        paid=status not in UNPAID,
        cancelled=status in CANCELLED,
        currency=text(payload.get("currency")),
        total=decimal_or_none(payload.get("total")),
        customer_name=(shipping.name if shipping else "") or _name(billing),
        customer_email=text(billing.get("email")),
        shipping=shipping,
        placed_at=_gmt(payload.get("date_created_gmt")),
        updated_at=modified_at(payload),
        note=text(payload.get("customer_note")),
    )


def order_delivery(topic, payload):
    """What an order.created or order.updated delivery says: the whole order."""
    return whole_order_delivery("WooCommerce", ORDER_TOPICS, topic, payload, woocommerce_order)
