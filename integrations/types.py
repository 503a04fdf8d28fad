"""Plain values that cross the adapter interface, so no app past `integrations` ever reads a
platform's own JSON."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation


def decimal_or_none(value):
    """A platform's price (number or text) as a Decimal; None when absent or not a number."""
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


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
