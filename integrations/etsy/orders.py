"""Etsy's receipts (Open API v3 ShopReceipt, with its transactions) as integrations.types values.
Etsy sends no order webhooks to apps without commercial access: receipts are polled."""

from datetime import UTC, datetime
from decimal import Decimal

from integrations.types import Address, SourceOrder, SourceOrderLine, text, text_id


def money_of(money):
    if not isinstance(money, dict) or not money.get("divisor"):
        return None
    return Decimal(money["amount"]) / Decimal(money["divisor"])


def _moment(stamp):
    return datetime.fromtimestamp(stamp, tz=UTC) if isinstance(stamp, int | float) and stamp else None


def etsy_line(transaction):
    """A transaction: its listing is the product, its inventory product the variant (what the
    shop's synced variants are keyed on)."""
    chosen = [text(v.get("formatted_value")) for v in transaction.get("variations") or ()]
    return SourceOrderLine(
        external_id=text_id(transaction["transaction_id"]),
        title=text(transaction.get("title")),
        quantity=int(transaction.get("quantity") or 0),
        sku=text(transaction.get("sku")),
        variant_title=" / ".join(value for value in chosen if value),
        product_id=text_id(transaction.get("listing_id")),
        variant_id=text_id(transaction.get("product_id")),
        price=money_of(transaction.get("price")),
    )


def etsy_order(receipt):
    grandtotal = receipt.get("grandtotal") or {}
    shipping = Address(
        name=text(receipt.get("name")),
        line1=text(receipt.get("first_line")),
        line2=text(receipt.get("second_line")),
        city=text(receipt.get("city")),
        region=text(receipt.get("state")),
        postcode=text(receipt.get("zip")),
        country=text(receipt.get("country_iso")).upper()[:2],
    )
    return SourceOrder(
        external_id=text_id(receipt["receipt_id"]),
        number=text(receipt["receipt_id"]),
        lines=tuple(etsy_line(t) for t in receipt.get("transactions") or ()),
        paid=receipt.get("is_paid") is True,
        cancelled=receipt.get("status") == "canceled",
        currency=text(grandtotal.get("currency_code")),
        total=money_of(grandtotal),
        customer_name=shipping.name,
        customer_email=text(receipt.get("buyer_email")),
        shipping=shipping if shipping.line1 or shipping.city else None,
        placed_at=_moment(receipt.get("created_timestamp") or receipt.get("create_timestamp")),
        updated_at=_moment(receipt.get("updated_timestamp") or receipt.get("update_timestamp")),
        note=text(receipt.get("message_from_buyer")),
    )
