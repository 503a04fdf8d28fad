"""Shopify's product JSON as integrations.types values: the Admin GraphQL API's product nodes,
and the REST-shaped products webhooks still carry (products/update, products/delete)."""

from django.utils.dateparse import parse_datetime

from integrations.types import ProductDelivery, SourceProduct, SourceVariant, decimal_or_none

# Shopify's product statuses -> catalog.models.SourceState values. UNLISTED products can still be
# bought through a direct link, so they count as active.
STATES = {"ACTIVE": "active", "UNLISTED": "active", "DRAFT": "draft", "ARCHIVED": "archived"}
# A product without options has one, "Title", whose only value is "Default Title".
NO_OPTIONS = ("Title", "Default Title")


def _when(value):
    return parse_datetime(value) if isinstance(value, str) else None


def _options(pairs):
    """{name: value} of a variant's options, without Shopify's placeholder for none."""
    return {name: value for name, value in pairs if (name, value) != NO_OPTIONS and value is not None}


def shopify_product(node):
    """A product node of the GraphQL API (PRODUCT_PAGES_QUERY, PRODUCT_QUERY), with all its
    variants. A product without options of its own has Shopify's one "Title" option with the
    value "Default Title": that is left out."""
    names = tuple(option["name"] for option in node.get("options") or ())
    variants = tuple(
        SourceVariant(
            external_id=str(variant["legacyResourceId"]),
            sku=variant.get("sku") or "",
            title=variant.get("title") or "",
            options=_options((o["name"], o["value"]) for o in variant.get("selectedOptions") or ()),
            price=decimal_or_none(variant.get("price")),
        )
        for variant in node["variants"]["nodes"]
    )
    if names == (NO_OPTIONS[0],) and all(not variant.options for variant in variants):
        names = ()
    return SourceProduct(
        external_id=str(node["legacyResourceId"]),
        title=node.get("title") or "",
        state=STATES.get(node.get("status"), "draft"),
        product_type=node.get("productType") or "",
        option_names=names,
        variants=variants,
        updated_at=_when(node.get("updatedAt")),
    )


def rest_product(payload):
    """The REST product JSON of a products/update delivery (id, title, status, options with
    names, variants with option1..option3)."""
    names = [option.get("name", "") for option in sorted(payload.get("options") or (), key=_position)]
    variants = []
    for variant in sorted(payload["variants"], key=_position):
        values = [variant.get(f"option{n}") for n in (1, 2, 3)]
        variants.append(
            SourceVariant(
                external_id=str(variant["id"]),
                sku=variant.get("sku") or "",
                title=variant.get("title") or "",
                options=_options(zip(names, values, strict=False)),
                price=decimal_or_none(variant.get("price")),
            )
        )
    return SourceProduct(
        external_id=str(payload["id"]),
        title=str(payload.get("title") or ""),
        state=payload.get("status") if payload.get("status") in STATES.values() else "active",
        product_type=str(payload.get("product_type") or ""),
        option_names=tuple(name for name in names if name != NO_OPTIONS[0] or len(names) > 1),
        variants=tuple(variants),
        updated_at=_when(payload.get("updated_at")),
    )


def _position(item):
    return item.get("position") or 0 if isinstance(item, dict) else 0


def product_delivery(topic, payload):
    """What a products/update or products/delete delivery says. Raises ValueError for a body
    that is not one (the topic header is not signed: an order's body sent as products/update,
    or a product's as products/delete, must not pass)."""
    product_id = payload.get("id")
    if not isinstance(product_id, int) or isinstance(product_id, bool) or product_id <= 0:
        raise ValueError("The delivery names no product.")
    if topic == "products/delete":
        if set(payload) != {"id"}:
            raise ValueError("The body of this products/delete delivery is not a deleted product.")
        gone = SourceProduct(external_id=str(product_id), title="", state="deleted")
        return ProductDelivery(external_id=str(product_id), deleted=True, product=gone)
    variants = payload.get("variants")
    if not isinstance(variants, list) or not all(isinstance(v, dict) and "id" in v for v in variants):
        raise ValueError("The body of this products/update delivery is not a product.")
    try:
        product = rest_product(payload)
    except (KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"The product in this delivery could not be read ({error}).") from None
    return ProductDelivery(external_id=product.external_id, product=product, updated_at=product.updated_at)
