"""WooCommerce through its REST API (wc/v3).

We sign requests ourselves instead of using the `woocommerce` package: it sends requests
outside our one HTTP client (no SSRF guard, no retries), duplicates query parameters and
defaults to a 5 s timeout. It stays in the tests, as an independent client of the sandbox.
Over https WooCommerce takes HTTP Basic auth; over plain http only OAuth 1.0a signatures.
"""

import time
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from core import http
from core.signing import oauth1_signature, random_token
from integrations.base import AdapterError, Connection, answer_of, busy, is_busy, unreachable
from integrations.types import SourceProduct

from .products import STATES, woocommerce_product

API_PATH = "/wp-json/wc/v3/"
WEBHOOK_TOPICS = ("order.created", "order.updated", "product.updated", "product.deleted")


def normalise_store_url(url):
    """'Bücher.example/' -> 'https://xn--bcher-kva.example': scheme added, host in its ASCII
    form (people see it in Unicode: core.http.unicode_url), trailing slash and query dropped."""
    url = url.strip()
    if "://" not in url:
        url = f"https://{url}"
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{http.ascii_netloc(parts.netloc)}{parts.path.rstrip('/')}"


class WooCommerceAdapter:
    def __init__(self, base_url, consumer_key, consumer_secret):
        self.base_url = normalise_store_url(base_url)
        self.consumer_key = consumer_key.strip()
        self.consumer_secret = consumer_secret.strip()

    @classmethod
    def from_store(cls, store):
        return cls(store.base_url, **store.credentials)

    def call(self, method, path, *, params=None, json=None):
        url = self.base_url + API_PATH + path
        params = dict(params or {})
        auth = None
        if url.startswith("https://"):
            auth = (self.consumer_key, self.consumer_secret)
        else:
            params.update(self._oauth_params(method, url, params))
        try:
            return http.request(method, url, params=params, json=json, auth=auth)
        except http.OutboundError as error:
            raise unreachable("WooCommerce", error) from error

    def _oauth_params(self, method, url, params):
        oauth = {
            "oauth_consumer_key": self.consumer_key,
            "oauth_nonce": random_token(16),
            "oauth_signature_method": "HMAC-SHA256",
            "oauth_timestamp": str(int(time.time())),
        }
        all_params = [(k, str(v)) for k, v in {**params, **oauth}.items()]
        oauth["oauth_signature"] = oauth1_signature(method, url, all_params, self.consumer_secret)
        return oauth

    def verify(self):
        """Check that the URL is a WooCommerce REST API and that the key may read and write.
        Each failure names its cause."""
        name = self._check_is_woocommerce()
        status = self.call("GET", "system_status")
        if status.status_code == 401:
            raise AdapterError(
                _(
                    "WooCommerce refused the consumer key or secret: check both, as shown when the key was created."
                ),
                permanent=True,
            )
        self._raise_for_status(status)
        # An empty batch changes nothing but needs write permission, which webhooks need.
        write = self.call("POST", "webhooks/batch", json={})
        if write.status_code == 401:
            raise AdapterError(
                _(
                    "This key is read-only. Create a key with Read/Write permission in WooCommerce > Settings > Advanced > REST API."
                ),
                permanent=True,
            )
        self._raise_for_status(write)
        return Connection(
            name=name,
            shop_identity=self.base_url,
            base_url=self.base_url,
            credentials={"consumer_key": self.consumer_key, "consumer_secret": self.consumer_secret},
            scopes=["read", "write"],
        )

    def _check_is_woocommerce(self):
        try:
            index = http.get(self.base_url + "/wp-json/")
        except http.OutboundError as error:
            raise unreachable("WooCommerce", error) from error
        if is_busy(index):  # a busy site is not a wrong address
            raise busy("WooCommerce", index)
        try:
            body = index.json() if index.ok else {}
        except ValueError:
            body = {}
        if "wc/v3" not in body.get("namespaces", []):
            raise AdapterError(
                _(
                    "%(url)s does not answer as a WooCommerce REST API. Check the address, and that WooCommerce is installed and permalinks are not set to Plain."
                )
                % {"url": http.unicode_url(self.base_url)},
                permanent=True,
            )
        return body.get("name") or urlsplit(http.unicode_url(self.base_url)).netloc

    def _raise_for_status(self, response):
        if is_busy(response):
            raise busy("WooCommerce", response)
        if not response.ok:
            raise AdapterError(
                _("WooCommerce answered HTTP %(status)s.") % {"status": response.status_code}, permanent=True
            )

    def iter_products(self, per_page=100):
        """Every product, page by page (WooCommerce allows at most 100 a page)."""
        page = 1
        while True:
            response = self.call(
                "GET", "products", params={"per_page": per_page, "page": page, "status": "any"}
            )
            self._raise_for_auth(response)
            yield from answer_of(response, "WooCommerce")
            if page >= int(response.headers.get("X-WP-TotalPages", 1)):
                return
            page += 1

    def ensure_webhooks(self, delivery_url, secret):
        """Make sure an active webhook with our secret delivers each order topic to us.
        Returns what WooCommerce then has: [{"id", "topic", "status"}]."""
        listing = self.call("GET", "webhooks", params={"per_page": 100})
        self._raise_for_auth(listing)
        hooks = answer_of(listing, "WooCommerce")
        ours = {hook.get("topic"): hook for hook in hooks if hook.get("delivery_url") == delivery_url}
        registered = []
        for topic in WEBHOOK_TOPICS:
            hook = ours.get(topic)
            if hook is None:
                body = {
                    "name": f"Printfront {topic}",
                    "topic": topic,
                    "delivery_url": delivery_url,
                    "secret": secret,
                }
                response = self.call("POST", "webhooks", json={**body, "status": "active"})
            elif hook["status"] != "active" or hook.get("secret") != secret:
                response = self.call(
                    "PUT", f"webhooks/{hook['id']}", json={"status": "active", "secret": secret}
                )
            else:
                registered.append({"id": hook["id"], "topic": topic, "status": hook["status"]})
                continue
            self._raise_for_auth(response)
            hook = answer_of(response, "WooCommerce")
            registered.append({"id": hook["id"], "topic": topic, "status": hook["status"]})
        return registered

    def remove_webhooks(self, hooks):
        """Delete our webhooks. WooCommerce cannot trash a webhook, so it asks for force=true."""
        for hook in hooks:
            response = self.call("DELETE", f"webhooks/{hook['id']}", params={"force": "true"})
            if response.status_code != 404:  # 404: already gone
                self._raise_for_auth(response)

    def _raise_for_auth(self, response):
        if response.status_code == 401:
            raise AdapterError(
                _("WooCommerce refused our key (%(message)s). Connect the store again with a Read/Write key.")
                % {"message": answer_of(response, "WooCommerce").get("message", "401")},
                permanent=True,
            )
        self._raise_for_status(response)

    # --- staying in sync (product webhooks) ---

    webhook_topics = WEBHOOK_TOPICS

    def fetch_product(self, external_id):
        """One product as it is now, with its variations; state "deleted" when the shop no
        longer has it, or has it in the trash."""
        gone = SourceProduct(external_id=str(external_id), title="", state="deleted")
        if not str(external_id).isdigit():
            return gone
        response = self.call("GET", f"products/{external_id}")
        if response.status_code == 404:
            return gone
        self._raise_for_auth(response)
        product = answer_of(response, "WooCommerce")
        if STATES.get(product.get("status")) == "deleted":
            return gone
        variations = None
        if product.get("type") == "variable":
            variations = list(self._variations(external_id))
        return woocommerce_product(product, variations)

    def _variations(self, product_id, per_page=100):
        page = 1
        while True:
            response = self.call(
                "GET", f"products/{product_id}/variations", params={"per_page": per_page, "page": page}
            )
            self._raise_for_auth(response)
            yield from answer_of(response, "WooCommerce")
            if page >= int(response.headers.get("X-WP-TotalPages", 1)):
                return
            page += 1
