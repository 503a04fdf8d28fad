"""The guide's test order: a sandbox store's page asks the sandbox shop to place an order, which
then reaches Printfront the way a buyer's would (the shop's webhook), never by a shortcut."""

from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from core import http
from storefronts.models import Store

SHOPIFY_DOMAIN = ".myshopify.com"
# Platforms whose sandbox shops announce a placed order by webhook (Etsy's are polled).
BASE_URL_PLATFORMS = (Store.Platform.WOOCOMMERCE, Store.Platform.PRESSERO)


class TestOrderRefused(Exception):
    """The sandbox would not place the order; the message is for people."""


def sandbox_shop(store):
    """The sandbox's (platform, handle) of the shop behind this store, or None when the store
    is not one of the sandbox's shops (or the sandbox is off)."""
    if not settings.SANDBOX_ENABLED or store.state == Store.State.DISCONNECTED:
        return None
    if store.platform == Store.Platform.SHOPIFY and store.shop_identity.endswith(SHOPIFY_DOMAIN):
        # Every Shopify shop is the sandbox's while it is on (SHOPIFY_ADMIN_URL points there).
        return store.platform, store.shop_identity.removesuffix(SHOPIFY_DOMAIN)
    if store.platform in BASE_URL_PLATFORMS and store.base_url.startswith(f"{settings.SANDBOX_URL}/"):
        parts = urlsplit(store.base_url).path.strip("/").split("/")
        if len(parts) >= 2 and parts[0] == store.platform:
            return store.platform, parts[1]
    return None


def place_test_order(store):
    """Ask the sandbox shop to place an order for one of its active products. Returns the
    order's number as the shop shows it ("#1002"). Raises TestOrderRefused."""
    shop = sandbox_shop(store)
    if shop is None:
        raise TestOrderRefused(_("Test orders can be placed only in the sandbox's demo shops."))
    platform, handle = shop
    try:
        response = http.post(f"{settings.SANDBOX_URL}/shops/{platform}/{handle}/orders", json={})
    except http.OutboundError:
        raise TestOrderRefused(_("The sandbox did not answer. Try again in a moment.")) from None
    answer = _json(response)
    if response.status_code != 201 or "number" not in answer:
        problem = answer.get("error") or _("The sandbox answered %(status)s.") % {
            "status": response.status_code
        }
        raise TestOrderRefused(problem)
    return f"#{answer['number']}"


def _json(response):
    try:
        answer = response.json()
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}
