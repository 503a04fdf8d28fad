"""Plain values that cross the adapter interface, so no app past `integrations` ever reads a
platform's own JSON."""

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation


def text(value):
    """A platform's optional text field as text: "" when absent."""
    return str(value) if value not in (None, "") else ""


def decimal_or_none(value):
    """A platform's price (number or text) as a Decimal; None when absent or not a number."""
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


# Line properties that carry a print file's URL (docs/decisions.md, "Print files on order lines"):
# the name compared without case, leading underscores, spaces or dashes ("_print_file",
# "Print file", "print-file-url").
PRINT_FILE_PROPERTIES = ("printfile", "printfileurl")


def print_file_url(pairs):
    """The print file URL among a line's (name, value) properties, or "" when none is one."""
    for name, value in pairs:
        key = re.sub(r"[\s_-]", "", str(name or "")).lower()
        if (
            key in PRINT_FILE_PROPERTIES
            and isinstance(value, str)
            and value.startswith(("https://", "http://"))
        ):
            return value.strip()[:2000]
    return ""


def tag_list(value):
    """A platform's tags of an order (a comma-separated text, or a list) as a tuple of text."""
    parts = value.split(",") if isinstance(value, str) else value if isinstance(value, list) else ()
    return tuple(str(part).strip()[:100] for part in parts if str(part or "").strip())[:50]


ID_LIMIT = 64  # the orders' and items' external id columns


def text_id(value):
    """A platform's id as text. JSON integers stay exact (json.loads makes them int); a float
    has lost digits beyond 2**53, so it is refused; empty, 0 and null mean none."""
    if isinstance(value, bool | float):
        raise ValueError(f"{value!r} is not an id.")
    if value is None or value == "" or value == 0:
        return ""
    text = str(value) if isinstance(value, int) else value
    if isinstance(text, str) and text.isascii() and text.isdigit() and len(text) <= ID_LIMIT:
        return text
    raise ValueError(f"{value!r} is not an id.")


@dataclass(frozen=True)
class SourceVariant:
    """A variant of a shop's product. `options` maps option names to values, in the shop's order."""

    external_id: str
    sku: str = ""
    title: str = ""
    options: dict = field(default_factory=dict)
    price: Decimal | None = None


@dataclass(frozen=True)
class SourceProduct:
    """A shop's product as its platform reports it. `state` is one of catalog.models.SourceState's
    values: active, draft, archived or deleted."""

    external_id: str
    title: str
    state: str
    product_type: str = ""
    option_names: tuple = ()
    variants: tuple = ()
    updated_at: datetime | None = None


@dataclass(frozen=True)
class NewVariant:
    sku: str
    price: Decimal
    options: dict  # {"Size": "A4"}


@dataclass(frozen=True)
class NewProduct:
    """A product to create in a shop ("Publish to store"). `image` is the design preview's bytes
    (PNG), for platforms that show or require one."""

    title: str
    description: str
    product_type: str
    option_names: tuple
    variants: tuple  # of NewVariant
    image: bytes | None = None


@dataclass(frozen=True)
class ProductDelivery:
    """What a product webhook says. `product` is the state the signed body carries, when it
    carries all of it (a deleted product: state "deleted", no variants); None when only the
    platform can tell the rest (a WooCommerce variable product's variations). `updated_at` is
    when that state held, where the body says (a delete's body says nothing: None)."""

    external_id: str
    deleted: bool = False
    product: SourceProduct | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class Address:
    """Where an order goes. `country` is the ISO 3166-1 alpha-2 code."""

    name: str = ""
    company: str = ""
    line1: str = ""
    line2: str = ""
    city: str = ""
    region: str = ""
    postcode: str = ""
    country: str = ""
    phone: str = ""


@dataclass(frozen=True)
class SourceOrderLine:
    """One line of a shop's order. A custom item (no product in the shop) has no product or
    variant id: it waits in "Needs mapping" with its title. `design_url` is a print file the
    shop attached to the line (a line item property), where it did."""

    external_id: str
    title: str
    quantity: int
    sku: str = ""
    variant_title: str = ""
    product_id: str = ""
    variant_id: str = ""
    price: Decimal | None = None
    design_url: str = ""


@dataclass(frozen=True)
class SourceOrder:
    """An order as its platform reports it. Ids are text: Shopify's exceed 2**53 and must never
    pass through a float. `updated_at` orders two reports of the same order (a late
    orders/updated must not undo a newer one); None when the platform does not say."""

    external_id: str
    number: str
    lines: tuple  # of SourceOrderLine
    paid: bool = True
    test: bool = False
    cancelled: bool = False
    currency: str = ""
    total: Decimal | None = None
    customer_name: str = ""
    customer_email: str = ""
    shipping: Address | None = None
    placed_at: datetime | None = None
    updated_at: datetime | None = None
    # The shop's tags of the order and the buyer's note: workflow rules read rush or priority
    # markers from them (workflows.matching.markers_of).
    tags: tuple = ()
    note: str = ""


@dataclass(frozen=True)
class OrderDelivery:
    """What an order webhook says: the order, when the signed body carries it whole; None when
    only the platform can tell (Pressero's envelope names the order, which is then fetched)."""

    external_id: str
    order: SourceOrder | None = None


@dataclass(frozen=True)
class Shipment:
    """Tracking to send back to a shop once items ship. `line_ids` are the shop's line ids
    shipped (all of the order's when empty)."""

    order_external_id: str
    carrier: str
    tracking_code: str
    tracking_url: str = ""
    line_ids: tuple = ()


def whole_order_delivery(platform, topics, topic, payload, read):
    """What a delivery whose signed body is the whole order says (Shopify's orders/*,
    WooCommerce's order.*): `read(payload)` makes its SourceOrder. Raises ValueError for a body
    that is not an order (the topic header is not signed)."""
    if topic not in topics:
        raise ValueError(f"{topic!r} is not an order topic of {platform}.")
    order_id, lines = payload.get("id"), payload.get("line_items")
    if not isinstance(order_id, int) or isinstance(order_id, bool) or order_id <= 0:
        raise ValueError("The delivery names no order.")
    if not isinstance(lines, list) or not all(isinstance(line, dict) and "id" in line for line in lines):
        raise ValueError("The body of this delivery is not an order.")
    try:
        order = read(payload)
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        raise ValueError(f"The order in this delivery could not be read ({error}).") from None
    return OrderDelivery(external_id=order.external_id, order=order)
