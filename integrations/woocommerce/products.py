"""WooCommerce's product JSON (wc/v3 products and their variations, and the product.* webhook
bodies, which are the same JSON) as integrations.types values."""

from datetime import UTC

from django.utils.dateparse import parse_datetime

from integrations.types import ProductDelivery, SourceProduct, SourceVariant, decimal_or_none

# WooCommerce's post statuses -> catalog.models.SourceState values.
STATES = {
    "publish": "active",
    "draft": "draft",
    "pending": "draft",
    "future": "draft",
    "private": "archived",
    "trash": "deleted",
}
PRODUCT_TYPES = ("simple", "variable", "grouped", "external")


def modified_at(json):
    """date_modified_gmt is UTC without an offset."""
    moment = parse_datetime(json.get("date_modified_gmt") or "") if json.get("date_modified_gmt") else None
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def is_variable(json):
    return json.get("type") == "variable"


def woocommerce_product(json, variations=None):
    """A product; `variations` (the variations routes' JSON) for a variable one, in the order the
    product lists them. A simple product is its own single variant, as WooCommerce's order lines
    name it."""
    names = tuple(a.get("name", "") for a in json.get("attributes") or () if a.get("variation"))
    if is_variable(json):
        order = {variation_id: i for i, variation_id in enumerate(json.get("variations") or ())}
        variations = sorted(variations or (), key=lambda v: order.get(v["id"], len(order)))
        variants = tuple(
            SourceVariant(
                external_id=str(variation["id"]),
                sku=variation.get("sku") or "",
                title=" / ".join(a.get("option", "") for a in variation.get("attributes") or ()),
                options={a.get("name", ""): a.get("option", "") for a in variation.get("attributes") or ()},
                price=decimal_or_none(variation.get("price")),
            )
            for variation in variations
        )
    else:
        names = ()
        variants = (
            SourceVariant(
                external_id=str(json["id"]),
                sku=json.get("sku") or "",
                title=json.get("name") or "",
                price=decimal_or_none(json.get("price")),
            ),
        )
    categories = [c.get("name", "") for c in json.get("categories") or () if c.get("name")]
    return SourceProduct(
        external_id=str(json["id"]),
        title=str(json.get("name") or ""),
        state=STATES.get(json.get("status"), "draft"),
        product_type=categories[0] if categories else "",
        option_names=names,
        variants=variants,
        updated_at=modified_at(json),
    )


def product_delivery(topic, payload):
    """What a product.updated or product.deleted delivery says. A variable product's body lists
    its variations by id only, so it carries no complete state (product None: ask the shop).
    Raises ValueError for a body that is not one (the topic header is not signed)."""
    product_id = payload.get("id")
    if not isinstance(product_id, int) or isinstance(product_id, bool) or product_id <= 0:
        raise ValueError("The delivery names no product.")
    if topic == "product.deleted":
        if set(payload) != {"id"}:
            raise ValueError("The body of this product.deleted delivery is not a deleted product.")
        gone = SourceProduct(external_id=str(product_id), title="", state="deleted")
        return ProductDelivery(external_id=str(product_id), deleted=True, product=gone)
    if payload.get("type") not in PRODUCT_TYPES or "name" not in payload:
        raise ValueError("The body of this product.updated delivery is not a product.")
    try:
        product = None if is_variable(payload) else woocommerce_product(payload)
    except (KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"The product in this delivery could not be read ({error}).") from None
    return ProductDelivery(external_id=str(product_id), product=product, updated_at=modified_at(payload))
