"""WooCommerce through its REST API (wc/v3).

We sign requests ourselves instead of using the `woocommerce` package: it sends requests
outside our one HTTP client (no SSRF guard, no retries), duplicates query parameters and
defaults to a 5 s timeout. It stays in the tests, as an independent client of the sandbox.
Over https WooCommerce takes HTTP Basic auth; over plain http only OAuth 1.0a signatures.
"""

import time
from datetime import UTC
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from core import http
from core.signing import oauth1_signature, random_token
from integrations.base import AdapterError, Connection, answer_of, busy, is_busy, unreachable
from integrations.types import SourceProduct

from .orders import woocommerce_order
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
        self.resume = None  # where iter_product_pages goes on from after its last page
        self.old_variations_route = False  # the shop's WooCommerce has no store-wide variations route

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

    def iter_product_pages(self, since=None, resume=None, per_page=100):
        """Every product (modified after `since`, if given) as lists of SourceProduct, one list
        per page of 100 products. After each page, `self.resume` is the page a later call goes
        on from (None after the last); pass it back as `resume`.

        A variable product's JSON names its variations by id only. Their details come from
        WooCommerce's store-wide `variations` route (WooCommerce 10.3 and later) filtered by
        `parent` to this page's products: a call per 100 variations rather than one per product.
        Where that route is missing (older WooCommerce), from `products/<id>/variations`."""
        page = int(resume or 1)
        params = {"per_page": per_page, "status": "any", "orderby": "id", "order": "asc"}
        if since:
            params.update(
                modified_after=since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"), dates_are_gmt="true"
            )
        while True:
            response = self.call("GET", "products", params={**params, "page": page})
            self._raise_for_auth(response)
            products = answer_of(response, "WooCommerce")
            variations = self._variations_of([p for p in products if p.get("variations")])
            last = page >= int(response.headers.get("X-WP-TotalPages") or 1) or not products
            self.resume = None if last else page + 1
            yield [woocommerce_product(product, variations.get(product["id"], [])) for product in products]
            if last:
                return
            page += 1

    def _variations_of(self, products):
        """{product id: [its variations' JSON]} for these variable products."""
        if not products:
            return {}
        found = {}
        if not self.old_variations_route:
            ids = ",".join(str(product["id"]) for product in products)
            page = 1
            while True:
                response = self.call(
                    "GET",
                    "variations",
                    params={"parent": ids, "per_page": 100, "page": page, "orderby": "id"},
                )
                if response.status_code == 404 and page == 1:
                    self.old_variations_route = True  # WooCommerce before 10.3
                    break
                self._raise_for_auth(response)
                for variation in answer_of(response, "WooCommerce"):
                    found.setdefault(variation.get("parent_id"), []).append(variation)
                if page >= int(response.headers.get("X-WP-TotalPages") or 1):
                    return found
                page += 1
        for product in products:
            found.setdefault(product["id"], []).extend(self._variations(product["id"]))
        return found

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

    # --- Staying in sync (product webhooks) ---

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
        variations = self._variations(external_id) if product.get("type") == "variable" else None
        return woocommerce_product(product, variations)

    # --- Orders ---

    def fetch_order(self, external_id):
        """One order as it is now. AdapterError (permanent) when the shop has no such order."""
        response = self.call("GET", f"orders/{external_id}") if str(external_id).isdigit() else None
        if response is None or response.status_code in (400, 404):
            raise AdapterError(_("WooCommerce has no order %(id)s.") % {"id": external_id}, permanent=True)
        self._raise_for_auth(response)
        return woocommerce_order(answer_of(response, "WooCommerce"))

    def iter_orders_changed(self, since, per_page=100):
        """Every order modified after `since`, oldest change first, as SourceOrders."""
        params = {
            "per_page": per_page,
            "status": "any",
            "orderby": "modified",
            "order": "asc",
            "modified_after": since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
            "dates_are_gmt": "true",
        }
        page = 1
        while True:
            response = self.call("GET", "orders", params={**params, "page": page})
            self._raise_for_auth(response)
            orders = answer_of(response, "WooCommerce")
            for order in orders:
                yield woocommerce_order(order)
            if not orders or page >= int(response.headers.get("X-WP-TotalPages") or 1):
                return
            page += 1

    # --- Publishing ---

    def publish_product(self, new_product, existing_id=None, on_created=None):
        """Create `new_product` as a variable product with one attribute per option, then its
        variations in one batch (at most BATCH_LIMIT a request, as WooCommerce allows).
        `existing_id`: a product an earlier attempt created, which gets the variations it lacks;
        `on_created(external_id)` hears of a new product before its variations are added."""
        if existing_id is None:
            body = {
                "name": new_product.title,
                "type": "variable",
                "status": "publish",
                "description": new_product.description,
                "attributes": [
                    {
                        "name": name,
                        "position": position,
                        "visible": True,
                        "variation": True,
                        "options": list(dict.fromkeys(v.options[name] for v in new_product.variants)),
                    }
                    for position, name in enumerate(new_product.option_names)
                ],
            }
            created = self._written(self.call("POST", "products", json=body))
            existing_id = str(created["id"])
            if on_created:
                on_created(existing_id)
        have = {variation["sku"] for variation in self._variations(existing_id)}
        missing = [variant for variant in new_product.variants if variant.sku not in have]
        for start in range(0, len(missing), BATCH_LIMIT):
            chunk = missing[start : start + BATCH_LIMIT]
            create = [
                {
                    "sku": variant.sku,
                    "regular_price": str(variant.price),
                    "attributes": [
                        {"name": name, "option": variant.options[name]} for name in new_product.option_names
                    ],
                }
                for variant in chunk
            ]
            answer = self._written(
                self.call("POST", f"products/{existing_id}/variations/batch", json={"create": create})
            )
            refused = [item["error"]["message"] for item in answer.get("create", []) if item.get("error")]
            if refused:
                raise AdapterError(
                    _("WooCommerce refused a variation: %(errors)s") % {"errors": "; ".join(refused)},
                    permanent=True,
                )
        # What the shop now has, read as every sync reads it (woocommerce_product), so the next
        # sync finds this product as publishing stored it.
        return self.fetch_product(existing_id)

    def _variations(self, product_id):
        """Every variation of one product, page by page (`products/<id>/variations`)."""
        page, found = 1, []
        while True:
            response = self.call(
                "GET", f"products/{product_id}/variations", params={"per_page": 100, "page": page}
            )
            found.extend(self._written(response))
            if page >= int(response.headers.get("X-WP-TotalPages") or 1):
                return found
            page += 1

    # --- Tracking back to the shop ---

    def push_shipment(self, shipment):
        """Tell the customer the tracking in a customer note, then mark the order completed.
        Safe to repeat: a customer note with this tracking code already there is not added again,
        and completing a completed order changes nothing. (WooCommerce has no partial shipping
        in its core API: the note names the tracking, the order completes with its first one.)"""
        order_path = f"orders/{shipment.order_external_id}"
        notes = self._order_answer(
            self.call("GET", f"{order_path}/notes", params={"type": "customer"}), shipment
        )
        if not any(shipment.tracking_code in str(note.get("note", "")) for note in notes):
            self._order_answer(
                self.call(
                    "POST",
                    f"{order_path}/notes",
                    json={"note": tracking_note(shipment), "customer_note": True},
                ),
                shipment,
            )
        self._order_answer(self.call("PUT", order_path, json={"status": "completed"}), shipment)

    def _order_answer(self, response, shipment):
        if response.status_code == 404:
            raise AdapterError(
                _("WooCommerce has no order %(id)s any more.") % {"id": shipment.order_external_id},
                permanent=True,
            )
        if response.status_code == 400:
            raise AdapterError(
                _("WooCommerce refused the order update: %(message)s")
                % {"message": answer_of(response, "WooCommerce").get("message") or response.status_code},
                permanent=True,
            )
        self._raise_for_auth(response)
        return answer_of(response, "WooCommerce")

    def _written(self, response):
        """The answer to a product call, or an AdapterError in WooCommerce's own words (a 400's
        message says which field, a 404 that the product is gone)."""
        if response.status_code in (400, 404, 409, 413):
            answer = answer_of(response, "WooCommerce")
            raise AdapterError(
                _("WooCommerce refused the product: %(message)s")
                % {"message": answer.get("message") or response.status_code},
                permanent=True,
            )
        self._raise_for_auth(response)
        return answer_of(response, "WooCommerce")


BATCH_LIMIT = 100  # WooCommerce's most items in one batch request


def tracking_note(shipment):
    """The customer note WooCommerce shows and emails: carrier, tracking code and link."""
    note = _("Your order has shipped with %(carrier)s, tracking code %(code)s.") % {
        "carrier": shipment.carrier,
        "code": shipment.tracking_code,
    }
    return f"{note} {shipment.tracking_url}" if shipment.tracking_url else note
