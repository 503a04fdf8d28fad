"""Etsy listings as integrations.types values.

FOLD NOTE for the lead: a stand-in, written so the incremental sync of branch `staysync` can be
tested before branch `sync` lands; that branch's `source_product` and
`EtsyAdapter.iter_product_pages` (integrations/etsy/adapter.py) replace this module and the
method of the same name at the end of EtsyAdapter here. Same interface, same state mapping."""

from datetime import UTC, datetime
from decimal import Decimal

from integrations.types import SourceProduct, SourceVariant

# Listing states an app can list, and what each is to Printfront. Sold-out and expired
# listings cannot be bought until restocked or renewed: shown as inactive.
LISTING_STATES = ("active", "draft", "inactive", "expired", "sold_out")
PRODUCT_STATES = {
    "active": "active",
    "draft": "draft",
    "inactive": "archived",
    "expired": "archived",
    "sold_out": "archived",
}


def _money(money):
    if not money or not money.get("divisor"):
        return None
    return Decimal(money["amount"]) / Decimal(money["divisor"])


def etsy_product(listing):
    """A listing read with includes=Inventory: each inventory product is a variant."""
    variants, names = [], []
    for product in (listing.get("inventory") or {}).get("products") or ():
        if product.get("is_deleted"):
            continue
        options = {}
        for prop in product.get("property_values") or ():
            options[prop["property_name"]] = ", ".join(prop.get("values") or ())
            if prop["property_name"] not in names:
                names.append(prop["property_name"])
        offerings = [o for o in product.get("offerings") or () if not o.get("is_deleted")]
        variants.append(
            SourceVariant(
                external_id=str(product["product_id"]),
                sku=product.get("sku") or "",
                title=" / ".join(options.values()),
                options=options,
                price=_money(offerings[0].get("price")) if offerings else None,
            )
        )
    updated = listing.get("updated_timestamp") or listing.get("last_modified_timestamp")
    return SourceProduct(
        external_id=str(listing["listing_id"]),
        title=listing.get("title") or "",
        state=PRODUCT_STATES.get(listing.get("state"), "draft"),
        option_names=tuple(names),
        variants=tuple(variants),
        updated_at=datetime.fromtimestamp(updated, tz=UTC) if updated else None,
    )
