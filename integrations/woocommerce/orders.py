"""WooCommerce's order.created / order.updated bodies as integrations.types values.

A minimal reading, enough for `make faults` and the benchmarks on this branch; the full parser
(print files, addresses, every status) comes with the arrival of orders and replaces it."""

from datetime import UTC

from django.utils.dateparse import parse_datetime

from integrations.types import Address, OrderDelivery, SourceOrder, SourceOrderLine, decimal_or_none

ORDER_TOPICS = ("order.created", "order.updated")
UNPAID = {"pending", "on-hold", "failed", "checkout-draft"}
CANCELLED = {"cancelled", "refunded", "trash"}


def _gmt(value):
    moment = parse_datetime(value) if isinstance(value, str) and value else None
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def _line(line):
    product = str(line.get("product_id") or "")
    return SourceOrderLine(
        external_id=str(line["id"]),
        title=str(line.get("name") or ""),
        quantity=int(line.get("quantity") or 0),
        sku=str(line.get("sku") or ""),
        product_id=product,
        variant_id=str(line.get("variation_id") or "") or product,
        price=decimal_or_none(line.get("price")),
    )


def order_delivery(topic, payload):
    """The whole order an order.* delivery carries. ValueError for a body that is not one."""
    if topic not in ORDER_TOPICS:
        raise ValueError(f"{topic!r} is not an order topic of WooCommerce.")
    try:
        shipping, billing = payload.get("shipping") or {}, payload.get("billing") or {}
        name = f"{shipping.get('first_name', '')} {shipping.get('last_name', '')}".strip()
        order = SourceOrder(
            external_id=str(int(payload["id"])),
            number=str(payload.get("number") or payload["id"]),
            lines=tuple(_line(line) for line in payload["line_items"]),
            paid=payload.get("status") not in UNPAID,
            cancelled=payload.get("status") in CANCELLED,
            currency=str(payload.get("currency") or ""),
            total=decimal_or_none(payload.get("total")),
            customer_name=name,
            customer_email=str(billing.get("email") or ""),
            shipping=Address(
                name=name,
                line1=str(shipping.get("address_1") or ""),
                city=str(shipping.get("city") or ""),
                postcode=str(shipping.get("postcode") or ""),
                country=str(shipping.get("country") or "")[:2],
            ),
            placed_at=_gmt(payload.get("date_created_gmt")),
            updated_at=_gmt(payload.get("date_modified_gmt")),
        )
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        raise ValueError(f"The body of this delivery is not an order ({error}).") from None
    return OrderDelivery(external_id=order.external_id, order=order)
