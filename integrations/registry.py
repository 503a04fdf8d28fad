"""Which platforms a store can be connected to, and where each one's code lives.

Adding a platform is one line here plus its package (see CONTRIBUTING.md). The Stores page
shows one tile per entry, in this order.
"""

from dataclasses import dataclass

from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from .base import AdapterError

RECONNECT_NEEDED = _(
    "Printfront can no longer read this store's saved credentials (its encryption key was changed). "
    "Connect the store again."
)


@dataclass(frozen=True)
class PlatformEntry:
    key: str  # storefronts.Store.Platform value
    label: str
    summary: str
    connect_url_name: str
    adapter: str = ""  # dotted path of the adapter class; none for manual stores


PLATFORMS = {
    "shopify": PlatformEntry(
        "shopify",
        "Shopify",
        _("Approve Printfront on Shopify's own screen."),
        "integrations:connect_shopify",
        "integrations.shopify.adapter.ShopifyAdapter",
    ),
    "etsy": PlatformEntry(
        "etsy",
        "Etsy",
        _("Sign in on Etsy and allow access; orders are fetched every few minutes."),
        "integrations:connect_etsy",
        "integrations.etsy.adapter.EtsyAdapter",
    ),
    "woocommerce": PlatformEntry(
        "woocommerce",
        "WooCommerce",
        _("Your WordPress shop, through a WooCommerce REST API key."),
        "integrations:connect_woocommerce",
        "integrations.woocommerce.adapter.WooCommerceAdapter",
    ),
    "pressero": PlatformEntry(
        "pressero",
        "Pressero",
        _("Your B2B web-to-print site: it sends orders to Printfront by webhook."),
        "integrations:connect_pressero",
        "integrations.pressero.adapter.PresseroAdapter",
    ),
    "manual": PlatformEntry(
        "manual",
        _("Manual store"),
        _("Orders you type in or import from a CSV file."),
        "integrations:connect_manual",
    ),
}


def connectable_platforms():
    return list(PLATFORMS.values())


def reads_products(store):
    """Whether Printfront can read this store's products (its adapter is a ProductSource)."""
    entry = PLATFORMS.get(store.platform)
    return bool(entry and entry.adapter) and hasattr(import_string(entry.adapter), "iter_product_pages")


def adapter_for(store):
    """The adapter that talks to a connected store's platform, or None for a manual store.
    Raises AdapterError if the store's saved credentials cannot be read."""
    entry = PLATFORMS.get(store.platform)
    if entry is None or not entry.adapter:
        return None
    if store.needs_reconnect:
        raise AdapterError(RECONNECT_NEEDED, permanent=True)
    return import_string(entry.adapter).from_store(store)
