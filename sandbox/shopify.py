"""The Shopify emulator: OAuth (consent screen, code exchange, expiring offline tokens with
rotating refresh tokens) and the Admin GraphQL API of one demo shop per hostname, at
/shopify/<handle>.myshopify.com/admin/...

Strict where Shopify is: the callback carries a hex HMAC of its other parameters keyed with
the app's secret; codes work once; only one expiring token is active per shop; every GraphQL
document is validated against Shopify's published schema; queries cost points from a bucket
that refills at a fixed rate, and a query that does not fit is THROTTLED.
"""

import base64
import gzip
import hashlib
import hmac
import json
import secrets
import time
import uuid
from datetime import timedelta
from functools import cache
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from graphql import FieldNode, build_client_schema, execute, parse, validate
from graphql.error import GraphQLSyntaxError

from . import delivery
from .demo_keys import SHOPIFY_APP_CLIENT_ID, SHOPIFY_APP_CLIENT_SECRET, SHOPIFY_APP_REDIRECT_PATH
from .faults import apply_fault
from .models import AccessToken, AuthorizationCode, Product, Shop, Webhook

SCHEMA_FILE = Path(__file__).parent / "schemas" / "shopify-admin-graphql-2026-10.json.gz"
API_VERSION = "2026-10"
DOMAIN = ".myshopify.com"
CODE_LIFETIME = timedelta(minutes=10)
TOKEN_LIFETIME = timedelta(hours=1)
REFRESH_LIFETIME = timedelta(days=90)
BUCKET_SIZE, RESTORE_RATE, MAX_QUERY_COST = 1000.0, 50.0, 1000
MAX_PAGE = 250
STATUS = {"active": "ACTIVE", "draft": "DRAFT", "archived": "ARCHIVED"}


@cache
def schema():
    with gzip.open(SCHEMA_FILE) as file:
        built = build_client_schema(json.load(file)["data"])
    built._validation_errors = []  # Shopify serves a schema graphql-js calls inconsistent
    return built


def shop_for(hostname):
    if not hostname.endswith(DOMAIN):
        return None
    return Shop.objects.filter(platform=Shop.Platform.SHOPIFY, handle=hostname.removesuffix(DOMAIN)).first()


def signed_query(params):
    """The callback's query string with its hex HMAC, computed as Shopify documents it."""
    message = "&".join(f"{key}={value}" for key, value in sorted(params.items()))
    digest = hmac.new(SHOPIFY_APP_CLIENT_SECRET.encode(), message.encode(), hashlib.sha256).hexdigest()
    return urlencode({**params, "hmac": digest})


# --- OAuth ---------------------------------------------------------------------------------------


def authorize(request, hostname):
    """The consent screen: the scopes the app asks for, Install or Cancel."""
    shop = shop_for(hostname)
    if shop is None:
        return render(
            request,
            "sandbox/shopify_error.html",
            {"message": "There is no shop at this address."},
            status=404,
        )
    params = request.GET if request.method == "GET" else request.POST
    client_id, redirect_uri, state = (
        params.get("client_id"),
        params.get("redirect_uri", ""),
        params.get("state", ""),
    )
    scopes = [scope for scope in params.get("scope", "").split(",") if scope]
    if client_id != SHOPIFY_APP_CLIENT_ID:
        return render(
            request, "sandbox/shopify_error.html", {"message": "Unknown app (client_id)."}, status=400
        )
    if urlsplit(redirect_uri).path != SHOPIFY_APP_REDIRECT_PATH:
        return render(
            request,
            "sandbox/shopify_error.html",
            {"message": "The redirect_uri is not allow-listed in the app's configuration."},
            status=400,
        )
    if request.method == "POST":
        if request.POST.get("decision") != "install":
            # Shopify itself just leaves the merchant in the admin; the sandbox tells the app.
            return redirect(f"{redirect_uri}?{urlencode({'error': 'access_denied', 'state': state})}")
        grant = AuthorizationCode.objects.create(
            shop=shop, code=secrets.token_hex(16), scopes=scopes, redirect_uri=redirect_uri
        )
        callback = {
            "code": grant.code,
            "host": "YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUv" + shop.handle.encode().hex(),
            "shop": hostname,
            "state": state,
            "timestamp": str(int(time.time())),
        }
        return redirect(f"{redirect_uri}?{signed_query(callback)}")
    return render(
        request,
        "sandbox/shopify_consent.html",
        {"shop": shop, "scopes": scopes, "params": params.items()},
    )


def oauth_error(description, status=400):
    return JsonResponse({"error": "invalid_request", "error_description": description}, status=status)


@csrf_exempt
def access_token(request, hostname):
    """Exchange a code, or a refresh token, for tokens."""
    shop = shop_for(hostname)
    if shop is None or request.method != "POST":
        return JsonResponse({"errors": "Not Found"}, status=404)
    fault = apply_fault(shop)
    if fault is not None:
        return fault
    try:
        body = json.loads(request.body) if request.content_type == "application/json" else request.POST.dict()
    except ValueError:
        return oauth_error("The body is not valid JSON.")
    if body.get("client_id") != SHOPIFY_APP_CLIENT_ID or not hmac.compare_digest(
        str(body.get("client_secret", "")), SHOPIFY_APP_CLIENT_SECRET
    ):
        return oauth_error("Invalid client credentials.", status=401)
    if body.get("grant_type") == "refresh_token":
        previous = AccessToken.objects.filter(
            shop=shop, refresh_token=str(body.get("refresh_token", "")), revoked=False
        ).first()
        if previous is None or previous.refresh_expires_at < timezone.now():
            return oauth_error("The refresh token is invalid or expired.")
        return issue_token(shop, previous.scopes, expiring=True)
    grant = AuthorizationCode.objects.filter(shop=shop, code=str(body.get("code", "")), used=False).first()
    if grant is None or grant.created_at < timezone.now() - CODE_LIFETIME:
        return oauth_error("The authorization code was not found or was already used.")
    grant.used = True
    grant.save(update_fields=["used"])
    return issue_token(shop, grant.scopes, expiring=str(body.get("expiring")) == "1")


def issue_token(shop, scopes, *, expiring):
    """A new token; an expiring one revokes every earlier token of the shop (one active)."""
    now = timezone.now()
    if expiring:
        AccessToken.objects.filter(shop=shop, revoked=False).update(revoked=True)
    token = AccessToken.objects.create(
        shop=shop,
        access_token=f"shpua_{secrets.token_hex(16)}",
        refresh_token=f"shprt_{secrets.token_hex(16)}" if expiring else "",
        scopes=scopes,
        expires_at=now + TOKEN_LIFETIME if expiring else None,
        refresh_expires_at=now + REFRESH_LIFETIME if expiring else None,
    )
    answer = {"access_token": token.access_token, "scope": ",".join(scopes)}
    if expiring:
        answer.update(
            expires_in=int(TOKEN_LIFETIME.total_seconds()),
            refresh_token=token.refresh_token,
            refresh_token_expires_in=int(REFRESH_LIFETIME.total_seconds()),
        )
    return JsonResponse(answer)


# --- Admin GraphQL API ----------------------------------------------------------------------------


def graphql_error(message, code, status=200, cost=None):
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    if cost:
        body["extensions"] = {"cost": cost}
    return JsonResponse(body, status=status)


@csrf_exempt
def graphql(request, hostname, version):
    shop = shop_for(hostname)
    if shop is None or request.method != "POST":
        return JsonResponse({"errors": "Not Found"}, status=404)
    fault = apply_fault(shop)
    if fault is not None:
        return fault
    token = AccessToken.objects.filter(
        shop=shop, access_token=request.headers.get("X-Shopify-Access-Token", ""), revoked=False
    ).first()
    if (
        token is None
        or shop.fault == Shop.Fault.REVOKED
        or (token.expires_at and token.expires_at < timezone.now())
    ):
        return JsonResponse(
            {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"},
            status=401,
        )
    try:
        payload = json.loads(request.body)
        document = parse(payload["query"])
    except (ValueError, KeyError, TypeError):
        return HttpResponseBadRequest('{"errors":{"query":"Required parameter missing or invalid"}}')
    except GraphQLSyntaxError as error:
        return JsonResponse({"errors": [error.formatted]})
    errors = validate(schema(), document)
    if errors:
        return JsonResponse({"errors": [error.formatted for error in errors]})
    variables = payload.get("variables") or {}
    requested = query_cost(document, variables)
    if requested > MAX_QUERY_COST:
        return graphql_error(
            f"Query cost is {requested}, which exceeds the single query max cost limit ({MAX_QUERY_COST}).",
            "MAX_COST_EXCEEDED",
        )
    available = refill_bucket(shop)
    status = {"maximumAvailable": BUCKET_SIZE, "currentlyAvailable": available, "restoreRate": RESTORE_RATE}
    if requested > available:
        return graphql_error(
            "Throttled",
            "THROTTLED",
            cost={"requestedQueryCost": requested, "actualQueryCost": None, "throttleStatus": status},
        )
    result = execute(schema(), document, root_value=Root(shop), variable_values=variables)
    actual = requested  # the sandbox charges what was asked for
    shop.bucket_available = available - actual
    shop.save(update_fields=["bucket_available", "bucket_checked_at"])
    body = {"data": result.data}
    if result.errors:
        body["errors"] = [error.formatted for error in result.errors]
    status["currentlyAvailable"] = shop.bucket_available
    body["extensions"] = {
        "cost": {"requestedQueryCost": requested, "actualQueryCost": actual, "throttleStatus": status}
    }
    response = JsonResponse(body)
    response["X-Shopify-API-Version"] = version
    return response


def refill_bucket(shop):
    now = timezone.now()
    if shop.bucket_checked_at is not None:
        elapsed = (now - shop.bucket_checked_at).total_seconds()
        shop.bucket_available = min(BUCKET_SIZE, shop.bucket_available + elapsed * RESTORE_RATE)
    shop.bucket_checked_at = now
    return shop.bucket_available


WRAPPERS = {"nodes", "edges", "node", "pageInfo"}


def query_cost(document, variables):
    """Shopify's requested cost, close enough: each object costs 1, a connection costs its
    page size (first/last) times what one of its nodes costs, the wrappers of a connection
    (nodes, edges, pageInfo) cost nothing, and the query itself 2."""

    def argument(field, name):
        for arg in field.arguments or ():
            if arg.name.value == name:
                node = arg.value
                if node.kind == "variable":
                    return variables.get(node.name.value)
                return int(node.value) if node.kind == "int_value" else None
        return None

    def selection_cost(selection_set):
        total = 0
        for field in selection_set.selections if selection_set else []:
            if not isinstance(field, FieldNode) or field.selection_set is None:
                continue  # scalars and enums are free
            inner = selection_cost(field.selection_set)
            size = argument(field, "first") or argument(field, "last")
            if size:
                total += size * (1 + inner)
            else:
                total += inner + (0 if field.name.value in WRAPPERS else 1)
        return total

    return 2 + sum(selection_cost(getattr(d, "selection_set", None)) for d in document.definitions)


# --- Resolvers: plain objects that graphql-core's default resolver reads ----------------------


def gid(kind, pk):
    return f"gid://shopify/{kind}/{pk}"


def page_of(items, first, after, node):
    if first is not None and not 0 < first <= MAX_PAGE:
        raise ValueError(f"The page size must be between 1 and {MAX_PAGE}.")
    start = int(after) if after and after.isdigit() else 0
    chunk = items[start : start + (first or MAX_PAGE)]
    end = start + len(chunk)
    return {
        "nodes": [node(item) for item in chunk],
        "edges": [{"cursor": str(start + i + 1), "node": node(item)} for i, item in enumerate(chunk)],
        "pageInfo": {
            "hasNextPage": end < len(items),
            "hasPreviousPage": start > 0,
            "endCursor": str(end) if chunk else None,
            "startCursor": str(start + 1) if chunk else None,
        },
    }


def product_node(product):
    variants = list(product.variants.all())
    return {
        "id": gid("Product", product.id),
        "legacyResourceId": str(product.id),
        "title": product.title,
        "handle": product.title.lower().replace(" ", "-"),
        "status": STATUS[product.status],
        "productType": product.product_type,
        "vendor": product.shop.name,
        "updatedAt": product.updated_at.isoformat(),
        "createdAt": product.created_at.isoformat(),
        "options": [
            {"id": gid("ProductOption", i), "name": name, "position": i + 1}
            for i, name in enumerate(product.option_names)
        ],
        "variants": lambda info, first=None, after=None, **kwargs: page_of(
            variants, first, after, lambda v: variant_node(product, v)
        ),
    }


def variant_node(product, variant):
    return {
        "id": gid("ProductVariant", variant.id),
        "legacyResourceId": str(variant.id),
        "title": " / ".join(variant.options) or "Default Title",
        "sku": variant.sku,
        "price": str(variant.price),
        "selectedOptions": [
            {"name": n, "value": v} for n, v in zip(product.option_names, variant.options, strict=True)
        ],
    }


ORDER_ID_BASE = 5000000000  # Shopify's ids are large: the orders' REST ids start here


def order_node(order):
    closed = bool(order.shipments)
    line_items = [
        {
            "id": gid("FulfillmentOrderLineItem", order.id * 100 + line["line_id"]),
            "sku": line["sku"],
            "totalQuantity": line["quantity"],
            "remainingQuantity": 0 if closed else line["quantity"],
            "lineItem": {
                "id": gid("LineItem", 9000000000 + order.id * 100 + line["line_id"]),
                "sku": line["sku"],
                "name": line["title"],
                "quantity": line["quantity"],
            },
        }
        for line in order.lines
    ]
    fulfillment_order = {
        "id": gid("FulfillmentOrder", order.id),
        "status": "CLOSED" if closed else "OPEN",
        "requestStatus": "UNSUBMITTED",
        "lineItems": lambda info, first=None, after=None, **kwargs: page_of(
            line_items, first, after, lambda item: item
        ),
    }
    return {
        "id": gid("Order", ORDER_ID_BASE + order.id),
        "name": f"#{order.number}",
        "fulfillmentOrders": lambda info, first=None, after=None, **kwargs: page_of(
            [fulfillment_order], first, after, lambda fo: fo
        ),
    }


def subscription_node(hook):
    return {
        "id": gid("WebhookSubscription", hook.id),
        "topic": hook.topic,
        "uri": hook.delivery_url,
        "format": "JSON",
    }


def uninstall(shop):
    """The merchant uninstalls the app: tokens die, app/uninstalled is delivered, and the
    subscriptions go (Shopify deletes them)."""
    AccessToken.objects.filter(shop=shop).update(revoked=True)
    body = json.dumps(
        {
            "id": shop.id,
            "name": shop.name,
            "domain": shop.handle + DOMAIN,
            "myshopify_domain": shop.handle + DOMAIN,
        }
    ).encode()
    for hook in shop.webhooks.filter(topic="APP_UNINSTALLED"):
        send_webhook(shop, hook, "app/uninstalled", body)
    shop.webhooks.all().delete()


def send_webhook(shop, hook, topic, body):
    signature = base64.b64encode(hmac.new(SHOPIFY_APP_CLIENT_SECRET.encode(), body, hashlib.sha256).digest())
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": signature.decode(),
        "X-Shopify-Shop-Domain": shop.handle + DOMAIN,
        "X-Shopify-API-Version": API_VERSION,
        "X-Shopify-Webhook-Id": str(uuid.uuid4()),
        "X-Shopify-Event-Id": str(uuid.uuid4()),
        "X-Shopify-Triggered-At": timezone.now().isoformat(),
    }
    delivery.send(shop, topic, hook.delivery_url, body, headers)


class Root:
    """The query root for one shop."""

    def __init__(self, shop):
        self.shop = {
            "id": gid("Shop", shop.id),
            "name": shop.name,
            "myshopifyDomain": shop.handle + DOMAIN,
            "currencyCode": "EUR",
        }
        self._shop = shop

    def webhookSubscriptions(self, info, first=None, after=None, **kwargs):
        hooks = list(self._shop.webhooks.order_by("id"))
        return page_of(hooks, first, after, subscription_node)

    def webhookSubscriptionCreate(self, info, topic, webhookSubscription, **kwargs):
        uri = webhookSubscription.get("uri") or ""
        if not uri.startswith(("https://", "http://")):
            return {
                "webhookSubscription": None,
                "userErrors": [{"field": ["webhookSubscription", "uri"], "message": "Address is invalid"}],
            }
        if self._shop.webhooks.filter(topic=topic, delivery_url=uri).exists():
            return {
                "webhookSubscription": None,
                "userErrors": [
                    {
                        "field": ["webhookSubscription", "uri"],
                        "message": "Address for this topic has already been taken",
                    }
                ],
            }
        hook = Webhook.objects.create(shop=self._shop, topic=topic, delivery_url=uri)
        return {"webhookSubscription": subscription_node(hook), "userErrors": []}

    def productCreate(self, info, product=None, **kwargs):
        """The new product gets its options and one default variant, as Shopify does; more
        variants would come through productVariantsBulkCreate."""
        product = product or {}
        title = (product.get("title") or "").strip()
        if not title:
            return {
                "product": None,
                "userErrors": [{"field": ["product", "title"], "message": "Title can't be blank"}],
            }
        options = product.get("productOptions") or []
        created = Product.objects.create(
            shop=self._shop,
            title=title,
            product_type=product.get("productType") or "",
            status={"ACTIVE": "active", "ARCHIVED": "archived"}.get(product.get("status"), "draft"),
            option_names=[option["name"] for option in options],
        )
        defaults = [option["values"][0]["name"] for option in options if option.get("values")]
        created.variants.create(sku="", price=0, options=defaults)
        return {"product": product_node(created), "userErrors": []}

    def order(self, info, id, **kwargs):
        found = self._order(id, "Order", ORDER_ID_BASE)
        return order_node(found) if found else None

    def fulfillmentCreate(self, info, fulfillment, **kwargs):
        groups = fulfillment.get("lineItemsByFulfillmentOrder") or []
        found = self._order(groups[0]["fulfillmentOrderId"], "FulfillmentOrder", 0) if groups else None
        if found is None:
            return {
                "fulfillment": None,
                "userErrors": [{"field": ["fulfillment"], "message": "Fulfillment order does not exist."}],
            }
        if found.shipments:
            return {
                "fulfillment": None,
                "userErrors": [{"field": ["fulfillment"], "message": "Fulfillment order is closed."}],
            }
        tracking = fulfillment.get("trackingInfo") or {}
        shipment = {
            "company": tracking.get("company"),
            "number": tracking.get("number"),
            "url": tracking.get("url"),
        }
        found.shipments.append(shipment)
        found.save(update_fields=["shipments", "updated_at"])
        return {
            "fulfillment": {
                "id": gid("Fulfillment", found.id),
                "status": "SUCCESS",
                "trackingInfo": [shipment],
            },
            "userErrors": [],
        }

    def _order(self, global_id, kind, base):
        prefix = f"gid://shopify/{kind}/"
        number = global_id.removeprefix(prefix)
        if not global_id.startswith(prefix) or not number.isdigit():
            return None
        return self._shop.orders.filter(id=int(number) - base).first()

    def product(self, info, id, **kwargs):
        pk = id.rsplit("/", 1)[-1]
        found = Product.objects.filter(shop=self._shop, pk=pk).first() if pk.isdigit() else None
        return product_node(found) if found else None

    def products(self, info, first=None, after=None, **kwargs):
        products = list(Product.objects.filter(shop=self._shop).prefetch_related("variants").order_by("id"))
        return page_of(products, first, after, product_node)
