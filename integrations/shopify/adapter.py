"""Shopify through OAuth and the Admin GraphQL API.

Not through the `ShopifyAPI` package: it keeps the shop, token and API version in global
session state, builds https://{shop} URLs itself and calls out with urllib, around our HTTP
client (so no SSRF guard, no retries). The calls we need are a handful of GraphQL documents,
sent here through core.http; tests check every one against Shopify's published schema.
"""

import logging
import re
import time
from datetime import UTC, timedelta
from functools import partial
from html import escape
from urllib.parse import urlencode

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from core import http
from integrations.base import AdapterError, Connection, answer_of, busy, error_text, is_busy, unreachable
from integrations.types import SourceProduct
from storefronts.services import save_credentials

from .orders import graphql_order
from .products import shopify_product

logger = logging.getLogger(__name__)

SHOP_HOSTNAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9\-]*\.myshopify\.com$")
ADMIN_STORE_URL = re.compile(r"^admin\.shopify\.com/store/([a-zA-Z0-9][a-zA-Z0-9\-]*)")
REFRESH_MARGIN = timedelta(minutes=5)
THROTTLE_RETRIES = 3

SHOP_QUERY = "query Shop { shop { name myshopifyDomain } }"
VARIANT_FIELDS = "id legacyResourceId title sku price selectedOptions { name value }"
# A page of products with their first variants stays under Shopify's 1000-point cost cap;
# products with more variants get the rest through VARIANTS_QUERY.
PRODUCTS_QUERY = f"""
query Products($first: Int!, $after: String) {{
  products(first: $first, after: $after) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{
      id legacyResourceId title status productType
      variants(first: 40) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ {VARIANT_FIELDS} }} }}
    }}
  }}
}}
"""
VARIANTS_QUERY = f"""
query Variants($id: ID!, $after: String) {{
  product(id: $id) {{
    variants(first: 100, after: $after) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ {VARIANT_FIELDS} }} }}
  }}
}}
"""
# The full sync's page: 40 products with their options and first 10 variants cost 882 points,
# under the 1000-point cap; a product with more variants gets the rest through VARIANTS_QUERY.
SYNC_PAGE_SIZE, SYNC_VARIANTS = 40, 10
PRODUCT_PAGES_QUERY = f"""
query ProductPages($first: Int!, $after: String, $query: String) {{
  products(first: $first, after: $after, query: $query, sortKey: ID) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{
      id legacyResourceId title status productType updatedAt
      options {{ name }}
      variants(first: {SYNC_VARIANTS}) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ {VARIANT_FIELDS} }} }}
    }}
  }}
}}
"""
# Our subscriptions to one delivery URL (uri): a shop may hold more than a page of the app's
# subscriptions, left by earlier connections of it.
WEBHOOKS_QUERY = (
    "query Webhooks($uri: String) { webhookSubscriptions(first: 50, uri: $uri) { nodes { id topic uri } } }"
)
WEBHOOK_CREATE = """
mutation CreateWebhook($topic: WebhookSubscriptionTopic!, $uri: String!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: {uri: $uri, format: JSON}) {
    webhookSubscription { id topic uri }
    userErrors { field message }
  }
}
"""
WEBHOOK_DELETE = """
mutation DeleteWebhook($id: ID!) {
  webhookSubscriptionDelete(id: $id) {
    deletedWebhookSubscriptionId
    userErrors { field message }
  }
}
"""
# One product with its first variants; the rest come through VARIANTS_QUERY.
PRODUCT_QUERY = f"""
query Product($id: ID!) {{
  product(id: $id) {{
    id legacyResourceId title status productType updatedAt options {{ name }}
    variants(first: 100) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ {VARIANT_FIELDS} }} }}
  }}
}}
"""
# What an order still has to ship, and what it shipped already (to recognise a repeat).
FULFILLMENT_ORDERS_QUERY = """
query FulfillmentOrders($id: ID!) {
  order(id: $id) {
    id
    fulfillments(first: 20) { trackingInfo(first: 5) { number } }
    fulfillmentOrders(first: 5) {
      nodes { id status lineItems(first: 50) { nodes { id remainingQuantity lineItem { id } } } }
    }
  }
}
"""
FULFILLMENT_CREATE = """
mutation CreateFulfillment($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id status }
    userErrors { field message }
  }
}
"""
# Fulfillment orders whose lines can be fulfilled now; closed, cancelled and incomplete ones are
# done with, and on-hold or scheduled ones wait for the merchant.
FULFILLABLE = {"OPEN", "IN_PROGRESS"}
DONE_WITH = {"CLOSED", "CANCELLED", "INCOMPLETE"}
# What an order report needs (integrations.shopify.orders.graphql_order); an order's first
# lines come with it, the rest through ORDER_LINES_QUERY (100 lines cost 603).
LINE_FIELDS = """
id name title quantity currentQuantity sku variantTitle
product { legacyResourceId } variant { legacyResourceId }
customAttributes { key value } originalUnitPriceSet { shopMoney { amount } }
"""


def order_fields(lines):
    """An order's fields with its first `lines` line items (the cost grows with them)."""
    return f"""
id legacyResourceId name email createdAt updatedAt cancelledAt test currencyCode displayFinancialStatus
tags note
totalPriceSet {{ shopMoney {{ amount }} }}
shippingAddress {{ name company address1 address2 city provinceCode zip countryCodeV2 phone }}
lineItems(first: {lines}) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ {LINE_FIELDS} }} }}
"""


ORDER_QUERY = f"query Order($id: ID!) {{ order(id: $id) {{ {order_fields(50)} }} }}"  # costs 306
# Orders changed since a moment, oldest change first, so a run cut short has read a prefix.
# 10 orders with their first 10 lines cost 642 of the 1000-point cap.
ORDERS_QUERY = f"""
query Orders($first: Int!, $after: String, $query: String) {{
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{ {order_fields(10)} }}
  }}
}}
"""
ORDER_LINES_QUERY = f"""
query OrderLines($id: ID!, $after: String) {{
  order(id: $id) {{
    lineItems(first: 100, after: $after) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ {LINE_FIELDS} }} }}
  }}
}}
"""
ORDERS_PAGE_SIZE = 10
WEBHOOK_TOPICS = (
    "ORDERS_CREATE",
    "ORDERS_UPDATED",
    "ORDERS_CANCELLED",
    "APP_UNINSTALLED",
    "PRODUCTS_UPDATE",
    "PRODUCTS_DELETE",
)
# Every document we send, for the schema test.
DOCUMENTS = (
    SHOP_QUERY,
    PRODUCTS_QUERY,
    PRODUCT_PAGES_QUERY,
    VARIANTS_QUERY,
    WEBHOOKS_QUERY,
    WEBHOOK_CREATE,
    WEBHOOK_DELETE,
    PRODUCT_QUERY,
    FULFILLMENT_ORDERS_QUERY,
    FULFILLMENT_CREATE,
    ORDER_QUERY,
    ORDERS_QUERY,
    ORDER_LINES_QUERY,
)


def normalise_shop(value):
    """'demo', 'demo.myshopify.com', 'https://demo.myshopify.com/admin' or
    'admin.shopify.com/store/demo' -> 'demo.myshopify.com'; None if it is none of those."""
    value = value.strip().lower()
    value = re.sub(r"^https?://", "", value)
    admin = ADMIN_STORE_URL.match(value)
    host = f"{admin.group(1)}.myshopify.com" if admin else value.split("/", 1)[0]
    if "." not in host:
        host = f"{host}.myshopify.com"
    return host if SHOP_HOSTNAME.match(host) else None


def admin_url(shop):
    return settings.SHOPIFY_ADMIN_URL.format(shop=shop)


def authorize_url(shop, state, redirect_uri):
    """Where to send the merchant to approve Printfront (an offline token: no per-user grant)."""
    query = {
        "client_id": settings.SHOPIFY_API_KEY,
        "scope": ",".join(settings.SHOPIFY_SCOPES),
        "redirect_uri": redirect_uri,
        "state": state,
        "grant_options[]": "",
    }
    return f"{admin_url(shop)}/admin/oauth/authorize?{urlencode(query)}"


def token_credentials(answer):
    """Our credential bundle from a token answer (expiring tokens carry refresh data)."""
    now = timezone.now()
    credentials = {"access_token": answer["access_token"]}
    if "refresh_token" in answer:
        credentials.update(
            refresh_token=answer["refresh_token"],
            expires_at=(now + timedelta(seconds=answer["expires_in"])).isoformat(),
            refresh_expires_at=(now + timedelta(seconds=answer["refresh_token_expires_in"])).isoformat(),
        )
    return credentials


class ShopifyAdapter:
    def __init__(self, shop, credentials=None, on_refresh=None):
        self.shop = shop
        self.credentials = credentials or {}
        self.on_refresh = on_refresh  # called with new credentials after a refresh
        self.resume = None  # where iter_product_pages goes on from after its last page

    @classmethod
    def from_store(cls, store):
        return cls(store.shop_identity, store.credentials, on_refresh=partial(save_credentials, store))

    # --- OAuth ---

    def _token_request(self, body):
        payload = {
            "client_id": settings.SHOPIFY_API_KEY,
            "client_secret": settings.SHOPIFY_API_SECRET,
            **body,
        }
        try:
            response = http.post(f"{admin_url(self.shop)}/admin/oauth/access_token", json=payload)
        except http.OutboundError as error:
            raise unreachable("Shopify", error) from error
        if response.status_code in (400, 401):
            answer = answer_of(response, "Shopify")
            raise AdapterError(
                _("Shopify refused the request: %(reason)s")
                % {"reason": answer.get("error_description") or error_text(answer.get("errors"))},
                permanent=True,
            )
        if is_busy(response):
            raise busy("Shopify", response)
        if not response.ok:
            raise AdapterError(_("Shopify answered HTTP %(status)s.") % {"status": response.status_code})
        return answer_of(response, "Shopify")

    def exchange_code(self, code):
        """Trade the callback's code for an expiring offline token; check what was granted."""
        answer = self._token_request({"code": code, "expiring": "1"})
        granted = set(answer.get("scope", "").split(","))
        missing = set(settings.SHOPIFY_SCOPES) - granted
        if missing:
            raise AdapterError(
                _("Shopify granted less than Printfront needs; missing: %(scopes)s.")
                % {"scopes": ", ".join(sorted(missing))},
                permanent=True,
            )
        self.credentials = token_credentials(answer)
        shop = self.graphql(SHOP_QUERY)["shop"]
        return Connection(
            name=shop["name"],
            shop_identity=self.shop,
            base_url=admin_url(self.shop),
            credentials=self.credentials,
            scopes=sorted(granted),
        )

    def refresh_if_needed(self, margin=REFRESH_MARGIN):
        """Swap a token about to expire for a new one (the refresh token rotates too)."""
        expires_at = self.credentials.get("expires_at")
        if not expires_at or parse_datetime(expires_at) - margin > timezone.now():
            return False
        answer = self._token_request(
            {"grant_type": "refresh_token", "refresh_token": self.credentials["refresh_token"]}
        )
        self.credentials = token_credentials(answer)
        if self.on_refresh:
            self.on_refresh(self.credentials)
        return True

    # --- Admin API ---

    def graphql(self, query, variables=None):
        """Run one GraphQL document; wait out THROTTLED answers as Shopify says to."""
        self.refresh_if_needed()
        url = f"{admin_url(self.shop)}/admin/api/{settings.SHOPIFY_API_VERSION}/graphql.json"
        headers = {"X-Shopify-Access-Token": self.credentials.get("access_token", "")}
        for _attempt in range(THROTTLE_RETRIES + 1):
            try:
                response = http.post(
                    url, json={"query": query, "variables": variables or {}}, headers=headers
                )
            except http.OutboundError as error:
                raise unreachable("Shopify", error) from error
            if response.status_code == 401:
                raise AdapterError(
                    _(
                        "Shopify refused our access token: the app was uninstalled or access was revoked. Connect the store again."
                    ),
                    permanent=True,
                )
            if response.status_code == 404:
                raise AdapterError(
                    _(
                        "Shopify has no Admin API at this shop's address for API version %(version)s: check the shop and the SHOPIFY_API_VERSION setting."
                    )
                    % {"version": settings.SHOPIFY_API_VERSION},
                    permanent=True,
                )
            if is_busy(response):
                raise busy("Shopify", response)
            warn_if_version_differs(response)
            body = answer_of(response, "Shopify")
            wait = throttle_wait(body)
            if wait is None:
                break
            if http.no_time_for(wait):  # a person is waiting: say so rather than outwait the deadline
                raise AdapterError(_("Shopify is busy and asked Printfront to slow down."), retry_after=wait)
            http.sleep(wait)
        else:
            raise AdapterError(
                _("Shopify kept throttling our requests; try again shortly."), retry_after=wait
            )
        if body.get("errors") or not body.get("data"):
            raise AdapterError(
                _("Shopify refused the query: %(errors)s")
                % {"errors": error_text(body.get("errors")) or "no data"},
                permanent=True,
            )
        return body["data"]

    def verify(self):
        return self.graphql(SHOP_QUERY)["shop"]

    def ensure_webhooks(self, delivery_url, secret=None):
        """Subscribe our URL to each topic we need, once. Shopify signs deliveries with the
        app's secret, so `secret` (a per-store one) is not used here."""
        existing = self.graphql(WEBHOOKS_QUERY, {"uri": delivery_url})["webhookSubscriptions"]["nodes"]
        ours = {hook["topic"]: hook for hook in existing if hook["uri"] == delivery_url}
        registered = []
        for topic in WEBHOOK_TOPICS:
            hook = ours.get(topic)
            if hook is None:
                answer = self.graphql(WEBHOOK_CREATE, {"topic": topic, "uri": delivery_url})[
                    "webhookSubscriptionCreate"
                ]
                if answer["userErrors"]:
                    raise AdapterError(
                        _("Shopify refused a webhook: %(errors)s")
                        % {"errors": error_text(answer["userErrors"])},
                        permanent=True,
                    )
                hook = answer["webhookSubscription"]
            registered.append({"id": hook["id"], "topic": topic, "status": "active"})
        return registered

    def remove_webhooks(self, hooks):
        """Delete our subscriptions. One Shopify no longer has (deleted with an uninstall, or by
        hand) comes back as a userError on `id`, and counts as removed."""
        for hook in hooks:
            answer = self.graphql(WEBHOOK_DELETE, {"id": hook["id"]})["webhookSubscriptionDelete"]
            if answer["userErrors"] and not all(
                error.get("field") == ["id"] for error in answer["userErrors"]
            ):
                raise AdapterError(
                    _("Shopify refused to remove a webhook: %(errors)s")
                    % {"errors": error_text(answer["userErrors"])},
                    permanent=True,
                )

    def iter_products(self, page_size=10):
        """Every product with all its variants, page by page."""
        cursor = None
        while True:
            page = self.graphql(PRODUCTS_QUERY, {"first": page_size, "after": cursor})["products"]
            for product in page["nodes"]:
                product["variants"]["nodes"].extend(self._more_variants(product))
                yield product
            if not page["pageInfo"]["hasNextPage"]:
                return
            cursor = page["pageInfo"]["endCursor"]

    def iter_product_pages(self, since=None, resume=None, page_size=SYNC_PAGE_SIZE):
        """Every product (updated after `since`, if given) as lists of SourceProduct, one list
        per page. After each page, `self.resume` is where a later call goes on from (None once
        the last page was given); pass it back as `resume`."""
        cursor = resume
        search = f"updated_at:>'{search_time(since)}'" if since else None
        while True:
            page = self.graphql(PRODUCT_PAGES_QUERY, {"first": page_size, "after": cursor, "query": search})
            page = page["products"]
            for product in page["nodes"]:
                product["variants"]["nodes"].extend(self._more_variants(product))
            cursor = page["pageInfo"]["endCursor"] if page["pageInfo"]["hasNextPage"] else None
            self.resume = cursor
            yield [shopify_product(product) for product in page["nodes"]]
            if cursor is None:
                return

    def _more_variants(self, product):
        info = product["variants"]["pageInfo"]
        while info["hasNextPage"]:
            variants = self.graphql(VARIANTS_QUERY, {"id": product["id"], "after": info["endCursor"]})
            page = variants["product"]["variants"]
            yield from page["nodes"]
            info = page["pageInfo"]

    # --- Staying in sync (product webhooks) ---

    webhook_topics = WEBHOOK_TOPICS

    def fetch_product(self, external_id):
        """One product as it is now, with all its variants; state "deleted" when the shop no
        longer has it (or the id is not one of Shopify's)."""
        if not str(external_id).isdigit():
            return SourceProduct(external_id=str(external_id), title="", state="deleted")
        node = self.graphql(PRODUCT_QUERY, {"id": f"gid://shopify/Product/{external_id}"})["product"]
        if node is None:
            return SourceProduct(external_id=str(external_id), title="", state="deleted")
        node["variants"]["nodes"].extend(self._more_variants(node))
        return shopify_product(node)

    # --- Orders ---

    def fetch_order(self, external_id):
        """One order as it is now, with all its lines. AdapterError (permanent) when the shop
        has no such order."""
        node = None
        if str(external_id).isdigit():
            node = self.graphql(ORDER_QUERY, {"id": f"gid://shopify/Order/{external_id}"})["order"]
        if node is None:
            raise AdapterError(_("Shopify has no order %(id)s.") % {"id": external_id}, permanent=True)
        return self._source_order(node)

    def iter_orders_changed(self, since, page_size=ORDERS_PAGE_SIZE):
        """Every order updated after `since`, oldest change first, as SourceOrders."""
        cursor, search = None, f"updated_at:>'{search_time(since)}'"
        while True:
            page = self.graphql(ORDERS_QUERY, {"first": page_size, "after": cursor, "query": search})[
                "orders"
            ]
            for node in page["nodes"]:
                yield self._source_order(node)
            if not page["pageInfo"]["hasNextPage"]:
                return
            cursor = page["pageInfo"]["endCursor"]

    def _source_order(self, node):
        lines = list(node["lineItems"]["nodes"])
        info = node["lineItems"]["pageInfo"]
        while info["hasNextPage"]:
            more = self.graphql(ORDER_LINES_QUERY, {"id": node["id"], "after": info["endCursor"]})
            lines.extend(more["order"]["lineItems"]["nodes"])
            info = more["order"]["lineItems"]["pageInfo"]
        return graphql_order(node, lines)

    # --- Publishing ---

    def publish_product(self, new_product, existing_id=None, on_created=None):
        """Create `new_product` (an integrations.types.NewProduct) and return it as a
        SourceProduct. Shopify makes a product with its options and one standalone variant, then
        productVariantsBulkCreate adds ours in its place. `existing_id`: a product an earlier
        attempt created (its missing variants are added); `on_created(external_id)` hears of a
        new product before its variants are added, so a retry never makes a second one."""
        if existing_id is None:
            answer = self.graphql(PRODUCT_CREATE, {"product": product_input(new_product)})["productCreate"]
            refuse_user_errors(answer["userErrors"])
            existing_id = answer["product"]["legacyResourceId"]
            if on_created:
                on_created(existing_id)
        product_gid = f"gid://shopify/Product/{existing_id}"
        found = self.graphql(PRODUCT_QUERY, {"id": product_gid})["product"]
        if found is None:
            raise AdapterError(
                _("The product Printfront created in Shopify is gone; publish it again."), permanent=True
            )
        have = {variant["sku"] for variant in found["variants"]["nodes"]}
        missing = [variant for variant in new_product.variants if variant.sku not in have]
        if missing:
            answer = self.graphql(
                VARIANTS_BULK_CREATE,
                {
                    "productId": product_gid,
                    "variants": [variant_input(new_product, variant) for variant in missing],
                    # The standalone variant goes, unless an earlier attempt already replaced it.
                    "strategy": "REMOVE_STANDALONE_VARIANT"
                    if len(missing) == len(new_product.variants)
                    else "DEFAULT",
                },
            )["productVariantsBulkCreate"]
            refuse_user_errors(answer["userErrors"])
            found = self.graphql(PRODUCT_QUERY, {"id": product_gid})["product"]
        return shopify_product(found)

    # --- Tracking back to the shop ---

    def push_shipment(self, shipment):
        """Fulfil the shipped lines (all the order's when `line_ids` is empty) on their
        fulfillment orders, with the tracking, and let Shopify tell the customer. Safe to repeat:
        a fulfillment with this tracking number already there, or lines with nothing left to
        fulfil, mean an earlier attempt (whose answer was lost) did it."""
        order = self.graphql(
            FULFILLMENT_ORDERS_QUERY, {"id": global_id("Order", shipment.order_external_id)}
        )["order"]
        if order is None:
            raise AdapterError(
                _("Shopify has no order %(id)s any more.") % {"id": shipment.order_external_id},
                permanent=True,
            )
        sent = {info["number"] for done in order["fulfillments"] for info in done["trackingInfo"]}
        if shipment.tracking_code in sent and not shipment.line_ids:
            # The whole order went with this parcel already. (Lines shipped one move at a time
            # may share a parcel: for them, what is left to fulfil says what was done.)
            return
        wanted = {legacy_of(line_id) for line_id in shipment.line_ids}
        known = {
            legacy_of(line["lineItem"]["id"])
            for fulfillment_order in order["fulfillmentOrders"]["nodes"]
            for line in fulfillment_order["lineItems"]["nodes"]
        }
        if wanted - known:
            raise AdapterError(
                _("Shopify's order has no line %(lines)s.") % {"lines": ", ".join(sorted(wanted - known))},
                permanent=True,
            )
        groups, waiting = [], []
        for fulfillment_order in order["fulfillmentOrders"]["nodes"]:
            lines = [
                {"id": line["id"], "quantity": line["remainingQuantity"]}
                for line in fulfillment_order["lineItems"]["nodes"]
                if line["remainingQuantity"] > 0
                and (not wanted or legacy_of(line["lineItem"]["id"]) in wanted)
            ]
            if not lines or fulfillment_order["status"] in DONE_WITH:
                continue
            if fulfillment_order["status"] in FULFILLABLE:
                groups.append(
                    {"fulfillmentOrderId": fulfillment_order["id"], "fulfillmentOrderLineItems": lines}
                )
            else:
                waiting.append(fulfillment_order["status"].lower().replace("_", " "))
        if waiting and not groups:
            raise AdapterError(
                _("Shopify cannot fulfil this order now: its fulfillment is %(status)s.")
                % {"status": ", ".join(waiting)},
                permanent=True,
            )
        if not groups:
            return  # nothing left to fulfil: the shop already counts these lines as shipped
        tracking = {"company": shipment.carrier, "number": shipment.tracking_code}
        if shipment.tracking_url:
            tracking["url"] = shipment.tracking_url
        answer = self.graphql(
            FULFILLMENT_CREATE,
            {
                "fulfillment": {
                    "lineItemsByFulfillmentOrder": groups,
                    "trackingInfo": tracking,
                    "notifyCustomer": True,
                }
            },
        )["fulfillmentCreate"]
        if answer["userErrors"]:
            raise AdapterError(
                _("Shopify refused the fulfillment: %(errors)s")
                % {"errors": error_text(answer["userErrors"])},
                permanent=True,
            )


def global_id(kind, external_id):
    """Our stored ids are Shopify's legacy numbers; GraphQL wants gid://shopify/<kind>/<n>."""
    external_id = str(external_id)
    return external_id if external_id.startswith("gid://") else f"gid://shopify/{kind}/{external_id}"


def legacy_of(external_id):
    return str(external_id).rsplit("/", 1)[-1]


def search_time(moment):
    """A datetime as Shopify's search syntax takes it: UTC, seconds, Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def warn_if_version_differs(response):
    """Shopify serves an unsupported version as the oldest supported one and says so in a
    header; it is time to update SHOPIFY_API_VERSION."""
    served = response.headers.get("X-Shopify-API-Version")
    if served and served != settings.SHOPIFY_API_VERSION:
        logger.warning(
            "Shopify served API version %s instead of %s; update SHOPIFY_API_VERSION.",
            served,
            settings.SHOPIFY_API_VERSION,
        )


def throttle_wait(body):
    """Seconds to wait before retrying a THROTTLED answer, or None if it was not throttled."""
    codes = {
        error.get("extensions", {}).get("code")
        for error in body.get("errors") or []
        if isinstance(error, dict)
    }
    if "THROTTLED" not in codes:
        return None
    cost = body["extensions"]["cost"]
    status = cost["throttleStatus"]
    missing = cost["requestedQueryCost"] - status["currentlyAvailable"]
    return max(missing / status["restoreRate"], 0.1)


def callback_is_fresh(timestamp, now=None, window=90):
    """Shopify's callback timestamp must be within `window` seconds of now, as its own
    library requires."""
    try:
        stamp = int(timestamp)
    except (TypeError, ValueError):
        return False
    return abs((now or time.time()) - stamp) <= window


# --- Publishing: the documents "Publish to store" sends (the schema test checks them too) ---

PRODUCT_CREATE = """
mutation CreateProduct($product: ProductCreateInput!) {
  productCreate(product: $product) {
    product { id legacyResourceId }
    userErrors { field message }
  }
}
"""
VARIANTS_BULK_CREATE = """
mutation CreateVariants($productId: ID!, $variants: [ProductVariantsBulkInput!]!, $strategy: ProductVariantsBulkCreateStrategy) {
  productVariantsBulkCreate(productId: $productId, variants: $variants, strategy: $strategy) {
    productVariants { id }
    userErrors { field message code }
  }
}
"""
PUBLISH_DOCUMENTS = (PRODUCT_CREATE, VARIANTS_BULK_CREATE)


def product_input(new_product):
    """ProductCreateInput: the options with every value the variants use, in their order."""
    options = []
    for position, name in enumerate(new_product.option_names, start=1):
        values = list(dict.fromkeys(variant.options[name] for variant in new_product.variants))
        options.append({"name": name, "position": position, "values": [{"name": v} for v in values]})
    return {
        "title": new_product.title,
        "descriptionHtml": html_paragraphs(new_product.description),
        "productType": new_product.product_type,
        "status": "ACTIVE",
        "productOptions": options,
    }


def variant_input(new_product, variant):
    return {
        "price": str(variant.price),
        "inventoryItem": {"sku": variant.sku},
        "optionValues": [
            {"optionName": name, "name": variant.options[name]} for name in new_product.option_names
        ],
    }


def html_paragraphs(text):
    """Plain text as Shopify's descriptionHtml: escaped, one paragraph per blank-line block."""
    blocks = [block.strip() for block in re.split(r"\n\s*\n", text or "") if block.strip()]
    return "".join(f"<p>{escape(block)}</p>" for block in blocks)


def refuse_user_errors(errors):
    if errors:
        raise AdapterError(
            _("Shopify refused the product: %(errors)s") % {"errors": error_text(errors)}, permanent=True
        )
