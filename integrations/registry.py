"""Which platforms a store can be connected to, and where each one's code lives.

Adding a platform is one line here plus its package (see CONTRIBUTING.md). The Stores page
shows one tile per entry, in this order.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class PlatformEntry:
    key: str  # storefronts.Store.Platform value
    label: str
    summary: str
    connect_url_name: str


PLATFORMS = {
    "woocommerce": PlatformEntry(
        "woocommerce",
        "WooCommerce",
        _("Your WordPress shop, through a WooCommerce REST API key."),
        "integrations:connect_woocommerce",
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
