"""What every platform adapter shares: the interface, the one error type, and the connection
it reports. Adapters are found through integrations.registry; nothing else imports them."""

from dataclasses import dataclass, field
from typing import Protocol

from django.utils.translation import gettext as _


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
        """Every product of the shop, with its variants, page by page."""


class TokenRefreshing(Protocol):
    """Adapters whose access tokens expire (Shopify, Etsy)."""

    def refresh_if_needed(self, margin):
        """Renew the token if it expires within `margin`; True when it did."""


class WebhookRegistering(Protocol):
    """Adapters of platforms whose webhooks an app registers itself (Shopify, WooCommerce)."""

    def ensure_webhooks(self, delivery_url, secret):
        """Make sure our subscriptions exist; return [{"id", "topic", "status"}]."""
