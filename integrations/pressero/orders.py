"""Pressero's orders: the OrderPlaced envelope names an order (which is then fetched from the
Admin API), and the API's order details and items as integrations.types values."""

from dataclasses import replace
from datetime import UTC, datetime

from integrations.types import (
    Address,
    OrderDelivery,
    SourceOrder,
    SourceOrderLine,
    decimal_or_none,
    text,
    text_id,
)

ORDER_TOPICS = ("OrderPlaced",)


def order_delivery(topic, payload):
    """The order an OrderPlaced envelope names, by its number (what the API's order routes
    take). Raises ValueError for an envelope that names none."""
    data = payload.get("Data")
    if topic not in ORDER_TOPICS or payload.get("TypeName") != topic or not isinstance(data, dict):
        raise ValueError("The body of this delivery is not an OrderPlaced envelope.")
    number = data.get("OrderNumber")
    if isinstance(number, bool) or not isinstance(number, int | str):
        raise ValueError("The envelope names no order.")
    try:
        external_id = text_id(number)
    except ValueError:
        raise ValueError("The envelope names no order.") from None
    if not external_id:
        raise ValueError("The envelope names no order.")
    return OrderDelivery(external_id=external_id)


def _when(value):
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def pressero_address(ship_to):
    if not isinstance(ship_to, dict):
        return None
    return Address(
        name=text(ship_to.get("name") or ship_to.get("Name")),
        line1=text(ship_to.get("first_line") or ship_to.get("Address1")),
        line2=text(ship_to.get("second_line") or ship_to.get("Address2")),
        city=text(ship_to.get("city") or ship_to.get("City")),
        postcode=text(ship_to.get("zip") or ship_to.get("Postal")),
        country=text(ship_to.get("country") or ship_to.get("Country")).upper()[:2],
    )


def pressero_order(details, items):
    """An order from its Details and its items. Pressero's product id names what the printer
    maps (there are no variants: each product is its own); an item carries no update time,
    so the order's report has none (each report is applied)."""
    buyer = details.get("Buyer") or {}
    shipping = pressero_address(details.get("ShipTo"))
    if shipping and not shipping.name:
        shipping = replace(shipping, name=text(buyer.get("Name")))
    lines = tuple(
        SourceOrderLine(
            external_id=text_id(item["ItemNumber"]),
            title=text(item.get("ProductName")),
            quantity=int(item.get("Quantity") or 0),
            sku=text(item.get("IntegrationId")),
            product_id=text_id(item.get("ProductId")),
            variant_id=text_id(item.get("ProductId")),
            price=decimal_or_none(item.get("Price")),
        )
        for item in items
        if item.get("Status") not in ("Denied",)  # denied items are not to be made
    )
    return SourceOrder(
        external_id=text_id(details["OrderNumber"]),
        number=text(details["OrderNumber"]),
        lines=lines,
        currency=text(details.get("Currency")),
        total=decimal_or_none(details.get("Total")),
        customer_name=text(buyer.get("Name")),
        customer_email=text(buyer.get("Email")),
        shipping=shipping,
        placed_at=_when(details.get("OrderDate")),
    )
