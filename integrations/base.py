"""What every platform adapter shares: the interface, the one error type, and the connection
it reports. Adapters are found through integrations.registry; nothing else imports them."""

import logging
from dataclasses import dataclass, field
from typing import Protocol

from django.utils.translation import gettext as _

from core import http

logger = logging.getLogger(__name__)


class AdapterError(Exception):
    """A platform call failed. `permanent` says whether trying again can help (bad credentials,
    revoked access, refused addresses: no; timeouts, 429, 5xx: yes, after `retry_after`)."""

    def __init__(self, message, *, permanent=False, retry_after=None):
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after


def answer_of(response, platform):
    """The JSON a platform answered with, or an AdapterError saying it answered something else
    (a proxy's HTML error page, an empty body)."""
    try:
        return response.json()
    except ValueError:
        raise AdapterError(
            _("%(platform)s answered with something that is not JSON (HTTP %(status)s).")
            % {"platform": platform, "status": response.status_code},
            permanent=response.status_code < 500,
        ) from None


def unreachable(platform, error):
    """An AdapterError for a call that got no answer. Its message names the platform and the
    cause; which host and method failed stays in core.http's log."""
    if error.permanent:  # a refused or malformed address: the message says which and why
        return AdapterError(str(error), permanent=True)
    if isinstance(error, http.TimedOut):
        message = _("%(platform)s did not answer in time.")
    else:
        message = _("Could not connect to %(platform)s.")
    return AdapterError(message % {"platform": platform})


def busy(platform, response):
    """An AdapterError for a 429 or 5xx answer: the platform is busy or having trouble, and
    trying again later can help. Only the log shows the status."""
    logger.info("%s answered HTTP %s", platform, response.status_code)
    if response.status_code == 429:
        message = _("%(platform)s is busy and asked Printfront to slow down.")
    else:
        message = _("%(platform)s is having trouble on its side (a server error).")
    return AdapterError(message % {"platform": platform}, retry_after=response.headers.get("Retry-After"))


def is_busy(response):
    return response.status_code == 429 or response.status_code >= 500


def error_text(errors):
    """Platforms give errors as a string, a list of strings or a list of {"message": ...}."""
    if isinstance(errors, str):
        return errors
    if isinstance(errors, dict):
        return "; ".join(f"{key}: {value}" for key, value in errors.items())
    return "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors or [])


@dataclass(frozen=True)
class Connection:
    """What connecting a store found out: who the shop is and what it granted us."""

    name: str
    shop_identity: str
    base_url: str
    credentials: dict
    scopes: list = field(default_factory=list)


class PlatformAdapter(Protocol):
    """What the rest of Printfront may ask of a platform. Each adapter talks to its platform only
    through core.http, with its base URL taken from configuration or from the store."""

    @classmethod
    def from_store(cls, store):
        """An adapter for a connected store, with its stored credentials."""

    def verify(self):
        """Check the connection works now; raise AdapterError saying why not."""


class ProductSource(Protocol):
    """Adapters of shops whose catalogue Printfront reads (Shopify, WooCommerce, Etsy)."""

    def iter_products(self):
        """Every product of the shop, with its variants, page by page (the platform's JSON)."""

    def iter_product_pages(self, since=None):
        """Every product of the shop (changed since `since`, where the platform can filter),
        as lists of integrations.types.SourceProduct, one list per page fetched."""

    def fetch_product(self, external_id):
        """One product as a SourceProduct; state "deleted" when the shop no longer has it."""


class ProductPublishing(Protocol):
    """Adapters of shops Printfront can create products in (Shopify, WooCommerce, Etsy)."""

    def publish_product(self, new_product):
        """Create an integrations.types.NewProduct in the shop; return it as a SourceProduct."""


class TokenRefreshing(Protocol):
    """Adapters whose access tokens expire (Shopify, Etsy)."""

    def refresh_if_needed(self, margin):
        """Renew the token if it expires within `margin`; True when it did."""


class WebhookRegistering(Protocol):
    """Adapters of platforms whose webhooks an app registers itself (Shopify, WooCommerce)."""

    def ensure_webhooks(self, delivery_url, secret):
        """Make sure our subscriptions exist; return [{"id", "topic", "status"}]."""

    def remove_webhooks(self, hooks):
        """Delete these subscriptions of ours ([{"id", ...}]); one already gone counts as removed."""
