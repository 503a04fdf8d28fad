"""The Shopify emulator: OAuth (consent screen, code exchange, expiring offline tokens with
rotating refresh tokens) and the Admin GraphQL API of one demo shop per hostname, at
/shopify/<handle>.myshopify.com/admin/...

Strict where Shopify is: the redirect_uri must be one of the app's allowed URLs exactly; the
callback carries a hex HMAC of its other parameters keyed with the app's secret, and `host` (base64
of admin.shopify.com/store/<handle>); codes work once; only one expiring token is active per shop;
only well-formed API versions are served (old ones fall forward to the oldest supported); every
GraphQL document is validated against Shopify's published schema (errors with graphql-ruby's
codes), its variables are coerced before anything runs, each field needs the access scope Shopify
requires, connections need `first` or `last`; queries cost points from a bucket that refills at a
fixed rate, and a query that does not fit is THROTTLED. Ids are 64-bit numbers above 2**53 and
DateTimes are UTC with a `Z`. Webhooks time out after 5 s and are retried 8 times over 4 hours,
then the subscription is removed.
"""

import base64
import gzip
import hashlib
import hmac
import json
import re
import secrets
import time
import uuid
from datetime import UTC, datetime, timedelta
from datetime import time as dt_time
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from urllib.parse import urlencode

from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.csrf import csrf_exempt
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    build_client_schema,
    execute,
    get_operation_ast,
    parse,
    print_ast,
    specified_rules,
    validate,
)
from graphql.error import GraphQLSyntaxError
from graphql.execution.values import get_variable_values

from . import delivery
from .demo_keys import SHOPIFY_APP_CLIENT_ID, SHOPIFY_APP_CLIENT_SECRET, SHOPIFY_APP_REDIRECT_PATH
from .faults import apply_fault
from .models import AccessToken, AuthorizationCode, Product, Shop, Variant, Webhook
from .oauth import allowed_redirect_uris, redirect_uri_allowed

SCHEMA_FILE = Path(__file__).parent / "schemas" / "shopify-admin-graphql-2026-10.json.gz"
API_VERSION = "2026-10"  # the newest stable version: the schema the sandbox serves
# Stable versions are supported for a year; an older one falls forward to the oldest supported.
SUPPORTED_VERSIONS = ("2026-01", "2026-04", "2026-07", API_VERSION, "unstable")
STABLE_VERSION = re.compile(r"^\d{4}-(01|04|07|10)$")
DOMAIN = ".myshopify.com"
CODE_LIFETIME = timedelta(minutes=10)
TOKEN_LIFETIME = timedelta(hours=1)
REFRESH_LIFETIME = timedelta(days=90)
BUCKET_SIZE, RESTORE_RATE, MAX_QUERY_COST = 1000.0, 50.0, 1000
MAX_PAGE = 250
MAX_VARIANTS = 2048  # a product's variants, since API version 2024-10
# Shopify waits 1 s for the connection and 5 s for the answer, then retries.
WEBHOOK_CONNECT_TIMEOUT, WEBHOOK_TIMEOUT = 1, 5
WEBHOOK_RETRIES, WEBHOOK_RETRY_WINDOW = 8, timedelta(hours=4)
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
    if not redirect_uri_allowed(redirect_uri, SHOPIFY_APP_REDIRECT_PATH):
        allowed = ", ".join(allowed_redirect_uris(SHOPIFY_APP_REDIRECT_PATH))
        return render(
            request,
            "sandbox/shopify_error.html",
            {
                "message": "The redirect_uri is not whitelisted in the app's configuration "
                f"(allowed: {allowed}; the sandbox takes them from SANDBOX_APP_URLS)."
            },
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
            "host": admin_host(shop),
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


def admin_host(shop):
    """The `host` parameter: base64 of the shop's admin address, without padding."""
    return base64.b64encode(f"admin.shopify.com/store/{shop.handle}".encode()).decode().rstrip("=")


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


def served_version(requested):
    """The API version Shopify would serve for the one in the URL, or None (no such route)."""
    if requested in SUPPORTED_VERSIONS:
        return requested
    if STABLE_VERSION.match(requested) and requested < SUPPORTED_VERSIONS[0]:
        return SUPPORTED_VERSIONS[0]
    return None


@csrf_exempt
def graphql(request, hostname, version):
    shop = shop_for(hostname)
    served = served_version(version)
    if shop is None or served is None or request.method != "POST":
        return JsonResponse({"errors": "Not Found"}, status=404)
    response = answer_graphql(request, shop)
    response["X-Shopify-API-Version"] = served
    return response


def answer_graphql(request, shop):
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
        if not isinstance(payload["query"], str):
            raise TypeError
        document, errors = checked_document(payload["query"])
        variables = payload.get("variables") or {}
        if not isinstance(variables, dict):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        return HttpResponseBadRequest('{"errors":{"query":"Required parameter missing or invalid"}}')
    except GraphQLSyntaxError as error:
        return JsonResponse({"errors": [error.formatted]})
    if errors:
        return JsonResponse({"errors": errors})
    operation = get_operation_ast(document, payload.get("operationName"))
    if operation is None:
        return JsonResponse({"errors": [{"message": "An operation name is required"}]})
    coerced = get_variable_values(schema(), operation.variable_definitions or (), variables)
    if isinstance(coerced, list):
        return JsonResponse({"errors": [variable_error(error, variables) for error in coerced]})
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    requested = query_cost(operation, fragments, coerced.coerced)
    if requested > MAX_QUERY_COST:
        return graphql_error(
            f"Query cost is {requested}, which exceeds the single query max cost limit ({MAX_QUERY_COST}).",
            "MAX_COST_EXCEEDED",
        )
    # With the shop's rate limits off (benchmarks) the bucket is always full and never drawn on.
    available = BUCKET_SIZE if shop.rate_limits_off else refill_bucket(shop)
    status = {"maximumAvailable": BUCKET_SIZE, "currentlyAvailable": available, "restoreRate": RESTORE_RATE}
    if requested > available:
        return graphql_error(
            "Throttled",
            "THROTTLED",
            cost={"requestedQueryCost": requested, "actualQueryCost": None, "throttleStatus": status},
        )
    result = execute(
        schema(),
        document,
        root_value=Root(shop),
        variable_values=variables,
        operation_name=payload.get("operationName"),
        middleware=[ScopeCheck(token.scopes)],
    )
    actual = requested  # the sandbox charges what was asked for
    if not shop.rate_limits_off:
        shop.bucket_available = available - actual
        shop.save(update_fields=["bucket_available", "bucket_checked_at"])
    body = {"data": result.data}
    if result.errors:
        body["errors"] = [error.formatted for error in result.errors]
    status["currentlyAvailable"] = available if shop.rate_limits_off else shop.bucket_available
    body["extensions"] = {
        "cost": {"requestedQueryCost": requested, "actualQueryCost": actual, "throttleStatus": status}
    }
    return JsonResponse(body)


# graphql-ruby's code (Shopify runs it) for what each of graphql-core's rules finds.
VALIDATION_CODES = {
    "ExecutableDefinitionsRule": "queryContainsSchemaDefinitions",
    "KnownOperationTypesRule": "missingMutationConfiguration",
    "UniqueOperationNamesRule": "uniquelyNamedOperations",
    "LoneAnonymousOperationRule": "uniquelyNamedOperations",
    "SingleFieldSubscriptionsRule": "notSingleSubscription",
    "KnownTypeNamesRule": "undefinedType",
    "FragmentsOnCompositeTypesRule": "fragmentOnNonCompositeType",
    "VariablesAreInputTypesRule": "variableRequiresValidType",
    "ScalarLeafsRule": "selectionMismatch",
    "FieldsOnCorrectTypeRule": "undefinedField",
    "UniqueFragmentNamesRule": "fragmentNotUnique",
    "KnownFragmentNamesRule": "useAndDefineFragment",
    "NoUnusedFragmentsRule": "useAndDefineFragment",
    "PossibleFragmentSpreadsRule": "cannotSpreadFragment",
    "NoFragmentCyclesRule": "infiniteLoop",
    "UniqueVariableNamesRule": "variableNotUnique",
    "NoUndefinedVariablesRule": "variableNotDefined",
    "NoUnusedVariablesRule": "variableNotUsed",
    "KnownDirectivesRule": "undefinedDirective",
    "UniqueDirectivesPerLocationRule": "directiveNotUniqueForLocation",
    "KnownArgumentNamesRule": "argumentNotAccepted",
    "UniqueArgumentNamesRule": "argumentNotUnique",
    "ValuesOfCorrectTypeRule": "argumentLiteralsIncompatible",
    "ProvidedRequiredArgumentsRule": "missingRequiredArguments",
    "VariablesInAllowedPositionRule": "variableMismatch",
    "OverlappingFieldsCanBeMergedRule": "fieldConflict",
    "UniqueInputFieldNamesRule": "inputFieldNotUnique",
}


@lru_cache(maxsize=256)
def checked_document(query):
    """The parsed document and its validation errors. An app sends the same few documents over
    and over, so each is parsed and validated once (a syntax error is raised every time)."""
    document = parse(query)
    return document, validation_errors(document)


def validation_errors(document):
    """The document's validation errors, each with the extensions.code Shopify gives it. The
    rules run one at a time so that each error is known by the rule that found it."""
    errors = []
    for rule in specified_rules:
        for error in validate(schema(), document, [rule]):
            formatted = error.formatted
            formatted["extensions"] = {"code": VALIDATION_CODES.get(rule.__name__, "invalidQuery")}
            errors.append(formatted)
    return errors


def variable_error(error, variables):
    """A variable that does not fit its declared type, in the words graphql-ruby uses."""
    definition = error.nodes[0] if error.nodes else None
    if definition is None or not hasattr(definition, "variable"):
        return error.formatted
    name = definition.variable.name.value
    return {
        "message": f"Variable ${name} of type {print_ast(definition.type)} was provided invalid value",
        "locations": error.formatted.get("locations", []),
        "extensions": {
            "value": variables.get(name),
            "problems": [{"path": [], "explanation": error.message.split("; ", 1)[-1]}],
        },
    }


def refill_bucket(shop):
    now = timezone.now()
    if shop.bucket_checked_at is not None:
        elapsed = (now - shop.bucket_checked_at).total_seconds()
        shop.bucket_available = min(BUCKET_SIZE, shop.bucket_available + elapsed * RESTORE_RATE)
    shop.bucket_checked_at = now
    return shop.bucket_available


WRAPPERS = {"nodes", "edges", "node", "pageInfo"}


def query_cost(operation, fragments, variables):
    """Shopify's requested cost of the operation about to run, close enough: each object costs
    1, a connection costs its page size (first/last) times what one of its nodes costs, the
    wrappers of a connection (nodes, edges, pageInfo) cost nothing, and the query itself 2.
    `variables` are already coerced to their declared types."""

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
        for selection in selection_set.selections if selection_set else []:
            if isinstance(selection, InlineFragmentNode):
                total += selection_cost(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                total += selection_cost(fragments[selection.name.value].selection_set)
            elif isinstance(selection, FieldNode) and selection.selection_set is not None:
                inner = selection_cost(selection.selection_set)
                size = argument(selection, "first") or argument(selection, "last")
                if size:
                    total += size * (1 + inner)
                else:
                    total += inner + (0 if selection.name.value in WRAPPERS else 1)
            # scalars and enums are free
        return total

    return 2 + selection_cost(operation.selection_set)


# --- Access scopes ---------------------------------------------------------------------------------

# The scopes Shopify requires of the fields the sandbox serves (any one of a set will do; a
# write_ scope includes its read_ scope). Fields not listed need none.
FULFILLMENT_ORDER_KINDS = ("merchant_managed", "assigned", "third_party")
REQUIRED_SCOPES = {
    ("QueryRoot", "products"): {"read_products"},
    ("QueryRoot", "product"): {"read_products"},
    ("QueryRoot", "order"): {"read_orders"},
    ("QueryRoot", "orders"): {"read_orders"},
    ("Order", "fulfillmentOrders"): {f"read_{kind}_fulfillment_orders" for kind in FULFILLMENT_ORDER_KINDS},
    ("Mutation", "productCreate"): {"write_products"},
    ("Mutation", "productVariantsBulkCreate"): {"write_products"},
    ("Mutation", "fulfillmentCreate"): {
        f"write_{kind}_fulfillment_orders" for kind in FULFILLMENT_ORDER_KINDS
    },
}


class ScopeCheck:
    """graphql-core middleware: a field the token's scopes do not cover resolves to null with
    Shopify's ACCESS_DENIED error, and a mutation refused this way does not run."""

    def __init__(self, scopes):
        implied = {"read_" + scope.removeprefix("write_") for scope in scopes if scope.startswith("write_")}
        self.scopes = set(scopes) | implied

    def resolve(self, next_, root, info, **arguments):
        required = REQUIRED_SCOPES.get((info.parent_type.name, info.field_name))
        if required and not required & self.scopes:
            access = " or ".join(f"`{scope}` access scope" for scope in sorted(required))
            raise GraphQLError(
                f"Access denied for {info.field_name} field. Required access: {access}.",
                extensions={
                    "code": "ACCESS_DENIED",
                    "documentation": "https://shopify.dev/api/usage/access-scopes",
                    "requiredAccess": f"{access}.",
                },
            )
        return next_(root, info, **arguments)


# --- Resolvers: plain objects that graphql-core's default resolver reads ----------------------


# Shopify's ids are 64-bit numbers and, in a shop of today, above 2**53, where a double (a
# JavaScript number, a Python float) no longer holds every integer. The sandbox's are too: each
# kind counts up from its own base, so an id read through a float comes out as another id.
ID_BASE = {
    "Shop": 7_011_000_000_000_000_000,
    "Product": 7_102_000_000_000_000_000,
    "ProductOption": 7_103_000_000_000_000_000,
    "ProductVariant": 7_204_000_000_000_000_000,
    "Order": 6_305_000_000_000_000_000,
    "LineItem": 6_406_000_000_000_000_000,
    "FulfillmentOrder": 6_507_000_000_000_000_000,
    "FulfillmentOrderLineItem": 6_608_000_000_000_000_000,
    "Fulfillment": 6_709_000_000_000_000_000,
    "WebhookSubscription": 8_010_000_000_000_000_000,
}


def legacy_id(kind, pk):
    """The REST id (legacyResourceId) of the sandbox's object `pk` of this kind."""
    return ID_BASE[kind] + pk


def gid(kind, pk):
    return f"gid://shopify/{kind}/{legacy_id(kind, pk)}"


def pk_of(global_id, kind):
    """The sandbox's own key in a global id of this kind, or None."""
    prefix = f"gid://shopify/{kind}/"
    number = global_id.removeprefix(prefix)
    if not global_id.startswith(prefix) or not number.isdigit():
        return None
    return int(number) - ID_BASE[kind]


def line_pk(order, line):
    """One key per order line, for its LineItem and its FulfillmentOrderLineItem."""
    return order.id * 1000 + line["line_id"]


def datetime_z(moment):
    """A DateTime as Shopify's GraphQL API writes it: UTC, seconds, `Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def cursor_position(cursor, default):
    return int(cursor) if cursor and cursor.isdigit() else default


def page_of(items, node, *, first=None, after=None, last=None, before=None):
    """One page of a connection: `first` items after the cursor `after`, or the `last` ones
    before `before`. Shopify requires one of first and last."""
    if first is None and last is None:
        raise GraphQLError("you must provide one of first or last")
    size = first if first is not None else last
    if not 0 < size <= MAX_PAGE:
        raise GraphQLError(f"The page size must be between 1 and {MAX_PAGE}.")
    low = cursor_position(after, 0)  # a cursor is the 1-based position of its item
    high = min(cursor_position(before, len(items) + 1) - 1, len(items))
    low, high = (low, min(high, low + size)) if first is not None else (max(low, high - size), high)
    chunk = items[low:high] if low < high else []
    return {
        "nodes": [node(item) for item in chunk],
        "edges": [{"cursor": str(low + i + 1), "node": node(item)} for i, item in enumerate(chunk)],
        "pageInfo": {
            "hasNextPage": high < len(items),
            "hasPreviousPage": low > 0,
            "endCursor": str(low + len(chunk)) if chunk else None,
            "startCursor": str(low + 1) if chunk else None,
        },
    }


def connection(items, node):
    """The resolver of a connection field over `items`."""

    def resolve(info, first=None, after=None, last=None, before=None, **kwargs):
        return page_of(items, node, first=first, after=after, last=last, before=before)

    return resolve


def product_node(product):
    variants = list(product.variants.all())
    return {
        "id": gid("Product", product.id),
        "legacyResourceId": str(legacy_id("Product", product.id)),
        "title": product.title,
        "handle": product.title.lower().replace(" ", "-"),
        "status": STATUS[product.status],
        "productType": product.product_type,
        "vendor": product.shop.name,
        "updatedAt": datetime_z(product.updated_at),
        "createdAt": datetime_z(product.created_at),
        "options": [
            {"id": gid("ProductOption", product.id * 100 + i), "name": name, "position": i + 1}
            for i, name in enumerate(product.option_names)
        ],
        "variants": connection(variants, lambda variant: variant_node(product, variant)),
    }


def variant_node(product, variant):
    return {
        "id": gid("ProductVariant", variant.id),
        "legacyResourceId": str(legacy_id("ProductVariant", variant.id)),
        "title": " / ".join(variant.options) or "Default Title",
        "sku": variant.sku,
        "price": str(variant.price),
        "selectedOptions": [
            {"name": n, "value": v} for n, v in zip(product.option_names, variant.options, strict=True)
        ],
    }


SEARCH_TERM = re.compile(r"(updated_at|created_at|status):(>=|<=|>|<)?'?([^'\s]+)'?")
SEARCH_LOOKUPS = {">": "gt", ">=": "gte", "<": "lt", "<=": "lte", None: "exact"}


def search_terms(products, query):
    """Shopify's search syntax over products or orders, the terms the sandbox knows: updated_at and created_at with a
    comparison (`updated_at:>'2026-01-01T00:00:00Z'`) and status (`status:draft`)."""
    for field, comparison, value in SEARCH_TERM.findall(query or ""):
        if field == "status":
            products = products.filter(status__in=value.lower().split(","))
            continue
        moment = parse_datetime(value) or (
            parse_date(value) and datetime.combine(parse_date(value), dt_time())
        )
        if moment is None:
            continue
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        products = products.filter(**{f"{field}__{SEARCH_LOOKUPS[comparison or None]}": moment})
    return products


def shipped_lines(order):
    """The keys (line_pk) of the lines a fulfillment covered; one without a list covered all."""
    every = {line_pk(order, line) for line in order.lines}
    shipped = set()
    for shipment in order.shipments:
        shipped |= set(shipment.get("lines") or every)
    return shipped


def order_node(order):
    shipped = shipped_lines(order)
    line_items = [
        {
            "id": gid("FulfillmentOrderLineItem", line_pk(order, line)),
            "sku": line["sku"],
            "totalQuantity": line["quantity"],
            "remainingQuantity": 0 if line_pk(order, line) in shipped else line["quantity"],
            "lineItem": {
                "id": gid("LineItem", line_pk(order, line)),
                "sku": line["sku"],
                "name": line["title"],
                "quantity": line["quantity"],
            },
        }
        for line in order.lines
    ]
    remaining = [item for item in line_items if item["remainingQuantity"]]
    fulfillment_order = {
        "id": gid("FulfillmentOrder", order.id),
        "status": "OPEN" if len(remaining) == len(line_items) else "IN_PROGRESS" if remaining else "CLOSED",
        "requestStatus": "UNSUBMITTED",
        "lineItems": connection(line_items, lambda item: item),
    }
    cancelled = order.status == "cancelled"
    return {
        "id": gid("Order", order.id),
        "legacyResourceId": str(legacy_id("Order", order.id)),
        "name": f"#{order.number}",
        "email": order.customer.get("email"),
        "createdAt": datetime_z(order.created_at),
        "updatedAt": datetime_z(order.updated_at),
        "cancelledAt": datetime_z(order.updated_at) if cancelled else None,
        "test": order.test,
        "currencyCode": order.currency,
        "displayFinancialStatus": "PENDING" if order.status == "pending" else "PAID",
        "tags": [],
        "note": None,
        "totalPriceSet": money_bag(order.total, order.currency),
        "shippingAddress": {
            "name": order.customer.get("name"),
            "company": None,
            "address1": order.address["first_line"],
            "address2": None,
            "city": order.address["city"],
            "provinceCode": None,
            "zip": order.address["zip"],
            "countryCodeV2": order.address["country"],
            "phone": None,
        },
        "lineItems": connection([line_item_node(order, line) for line in order.lines], lambda item: item),
        "fulfillmentOrders": connection([fulfillment_order], lambda fo: fo),
        "fulfillments": [
            fulfillment_node(order, index, shipment) for index, shipment in enumerate(order.shipments)
        ],
    }


def fulfillment_node(order, index, shipment):
    tracking = {
        "company": shipment.get("company"),
        "number": shipment.get("number"),
        "url": shipment.get("url"),
    }
    return {
        "id": gid("Fulfillment", order.id * 100 + index + 1),
        "status": "SUCCESS",
        "trackingInfo": [tracking],
    }


def fulfillment_refused(message):
    return {"fulfillment": None, "userErrors": [{"field": ["fulfillment"], "message": message}]}


def money_bag(amount, currency):
    money = {"amount": str(amount), "currencyCode": currency}
    return {"shopMoney": money, "presentmentMoney": money}


def line_item_node(order, line):
    return {
        "id": gid("LineItem", line_pk(order, line)),
        "name": f"{line['title']} - {' / '.join(line['options'])}" if line["options"] else line["title"],
        "title": line["title"],
        "quantity": line["quantity"],
        "currentQuantity": line["quantity"],  # the sandbox's orders are never edited
        "sku": line["sku"],
        "variantTitle": " / ".join(line["options"]) or None,
        "product": {"legacyResourceId": str(legacy_id("Product", line["product_id"]))},
        "variant": {"legacyResourceId": str(legacy_id("ProductVariant", line["variant_id"]))},
        "customAttributes": [
            {"key": item["name"], "value": item["value"]} for item in line.get("properties", [])
        ],
        "originalUnitPriceSet": money_bag(line["price"], order.currency),
    }


def subscription_node(hook):
    return {
        "id": gid("WebhookSubscription", hook.id),
        "topic": hook.topic,
        "uri": hook.delivery_url,
        "format": "JSON",
    }


def bulk_errors(problems):
    """productVariantsBulkCreate's answer when it refuses: nothing was created."""
    return {
        "product": None,
        "productVariants": [],
        "userErrors": [
            {"field": field, "message": message, "code": code} for field, message, code in problems
        ],
    }


def uninstall(shop):
    """The merchant uninstalls the app: tokens die, app/uninstalled is delivered, and the
    subscriptions go (Shopify deletes them)."""
    AccessToken.objects.filter(shop=shop).update(revoked=True)
    body = json.dumps(
        {
            "id": legacy_id("Shop", shop.id),
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
        "X-Shopify-Triggered-At": timezone.now().isoformat().replace("+00:00", "Z"),
    }
    delivery.send_with_retries(
        shop,
        topic,
        hook.delivery_url,
        body,
        headers,
        timeout=(WEBHOOK_CONNECT_TIMEOUT, WEBHOOK_TIMEOUT),
        delays=webhook_retry_delays(shop),
        # Shopify removes a subscription made through the API when its retries run out.
        on_give_up=lambda: Webhook.objects.filter(pk=hook.pk).delete(),
    )


def webhook_retry_delays(shop):
    """Shopify retries 8 times over 4 hours with exponential backoff; it does not publish the
    waits, so here each is twice the one before and together they fill the 4 hours.
    `fast_webhook_retries` makes the hours seconds, for tests."""
    window = WEBHOOK_RETRY_WINDOW.total_seconds() / (3600 if shop.fast_webhook_retries else 1)
    first = window / (2**WEBHOOK_RETRIES - 1)
    return [first * 2**n for n in range(WEBHOOK_RETRIES)]


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

    def webhookSubscriptions(self, info, uri=None, **arguments):
        hooks = self._shop.webhooks.order_by("id")
        if uri:
            hooks = hooks.filter(delivery_url=uri)
        return connection(list(hooks), subscription_node)(info, **arguments)

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

    def webhookSubscriptionDelete(self, info, id, **kwargs):
        pk = pk_of(id, "WebhookSubscription")
        hook = self._shop.webhooks.filter(id=pk).first() if pk is not None else None
        if hook is None:
            return {
                "deletedWebhookSubscriptionId": None,
                "userErrors": [{"field": ["id"], "message": "Webhook subscription does not exist"}],
            }
        hook.delete()
        return {"deletedWebhookSubscriptionId": id, "userErrors": []}

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

    def productVariantsBulkCreate(self, info, productId, variants, strategy="DEFAULT", **kwargs):
        """All the variants or none, as Shopify does: each names a value for every option of the
        product (new values join the option), no two share their values, prices are not
        negative, and a product has at most MAX_VARIANTS. REMOVE_STANDALONE_VARIANT replaces a
        product's only variant; DEFAULT removes only a "Default Title" one."""
        pk = pk_of(productId, "Product")
        product = Product.objects.filter(shop=self._shop, pk=pk).first() if pk is not None else None
        if product is None:
            return bulk_errors([(["productId"], "Product does not exist", "PRODUCT_DOES_NOT_EXIST")])
        existing = list(product.variants.all())
        standalone = existing if len(existing) == 1 else []
        if strategy == "PRESERVE_STANDALONE_VARIANT" or (
            strategy == "DEFAULT" and any(variant.options for variant in standalone)
        ):
            standalone = []
        taken = {tuple(v.options) for v in existing if v not in standalone}
        rows, problems = [], []
        for index, variant in enumerate(variants):
            values = {
                value.get("optionName"): value.get("name") for value in variant.get("optionValues") or []
            }
            unknown = sorted(set(values) - set(product.option_names), key=str)
            missing = [name for name in product.option_names if not values.get(name)]
            price = Decimal(str(variant.get("price") or "0"))
            where = ["variants", str(index)]
            if unknown:
                problems.append(([*where, "optionValues"], "Option does not exist", "OPTION_DOES_NOT_EXIST"))
            elif missing:
                problems.append(
                    (
                        [*where, "optionValues"],
                        f"You need to add option values for {', '.join(missing)}",
                        "NEED_TO_ADD_OPTION_VALUES",
                    )
                )
            elif price < 0:
                problems.append(
                    (
                        [*where, "price"],
                        "Price must be greater than or equal to 0",
                        "GREATER_THAN_OR_EQUAL_TO",
                    )
                )
            else:
                combination = tuple(values[name] for name in product.option_names)
                if combination in taken:
                    problems.append(
                        (
                            [*where],
                            f"The variant '{' / '.join(combination)}' already exists.",
                            "VARIANT_ALREADY_EXISTS",
                        )
                    )
                taken.add(combination)
                sku = (variant.get("inventoryItem") or {}).get("sku") or ""
                rows.append(Variant(product=product, sku=sku, price=price, options=list(combination)))
        if len(existing) - len(standalone) + len(rows) > MAX_VARIANTS:
            problems.append(
                (["variants"], f"Product can't have more than {MAX_VARIANTS} variants", "LIMIT_EXCEEDED")
            )
        if problems:
            return bulk_errors(problems)
        for variant in standalone:
            variant.delete()
        Variant.objects.bulk_create(rows)
        product.save(update_fields=["updated_at"])
        product.refresh_from_db()
        return {
            "product": product_node(product),
            "productVariants": [variant_node(product, variant) for variant in rows],
            "userErrors": [],
        }

    def order(self, info, id, **kwargs):
        found = self._order(id, "Order")
        return order_node(found) if found else None

    def orders(self, info, first=None, after=None, last=None, before=None, query=None, **kwargs):
        """The shop's orders matching the search (`updated_at:>'...'`), in the sortKey's order."""
        found = search_terms(self._shop.orders.all(), query)
        field = "updated_at" if kwargs.get("sortKey") == "UPDATED_AT" else "id"
        ordered = list(found.order_by(f"-{field}" if kwargs.get("reverse") else field, "id"))
        return page_of(ordered, order_node, first=first, after=after, last=last, before=before)

    def fulfillmentCreate(self, info, fulfillment, **kwargs):
        groups = fulfillment.get("lineItemsByFulfillmentOrder") or []
        found = self._order(groups[0]["fulfillmentOrderId"], "FulfillmentOrder") if groups else None
        if found is None:
            return fulfillment_refused("Fulfillment order does not exist.")
        open_lines = {line_pk(found, line) for line in found.lines} - shipped_lines(found)
        if not open_lines:
            return fulfillment_refused("Fulfillment order is closed.")
        asked = groups[0].get("fulfillmentOrderLineItems") or []
        lines = {pk_of(item["id"], "FulfillmentOrderLineItem") for item in asked} or open_lines
        if not lines <= open_lines:
            return fulfillment_refused("Fulfillment order line item is already fulfilled or does not exist.")
        tracking = fulfillment.get("trackingInfo") or {}
        shipment = {
            "company": tracking.get("company"),
            "number": tracking.get("number"),
            "url": tracking.get("url"),
            "lines": sorted(lines),
            "notify_customer": bool(fulfillment.get("notifyCustomer")),
        }
        found.shipments.append(shipment)
        found.save(update_fields=["shipments", "updated_at"])
        return {
            "fulfillment": fulfillment_node(found, len(found.shipments) - 1, shipment),
            "userErrors": [],
        }

    def _order(self, global_id, kind):
        """The order of an Order or FulfillmentOrder id (one fulfillment order per order)."""
        pk = pk_of(global_id, kind)
        return self._shop.orders.filter(id=pk).first() if pk is not None else None

    def product(self, info, id, **kwargs):
        pk = pk_of(id, "Product")
        found = Product.objects.filter(shop=self._shop, pk=pk).first() if pk is not None else None
        return product_node(found) if found else None

    def products(self, info, first=None, after=None, last=None, before=None, query=None, **kwargs):
        """One page, cut in SQL by the cursor (a product's own key), with its variants in one
        more query: a shop of 10,000 products is served a page at a time."""
        if first is None and last is None:
            raise GraphQLError("you must provide one of first or last")
        size = first if first is not None else last
        if not 0 < size <= MAX_PAGE:
            raise GraphQLError(f"The page size must be between 1 and {MAX_PAGE}.")
        products = search_terms(Product.objects.filter(shop=self._shop), query)
        if after and after.isdigit():
            products = products.filter(id__gt=int(after))
        if before and before.isdigit():
            products = products.filter(id__lt=int(before))
        ordered = products.order_by("id" if first is not None else "-id")
        chunk = list(ordered.prefetch_related("variants")[: size + 1])
        more = len(chunk) > size
        chunk = chunk[:size]
        if first is None:
            chunk.reverse()
        for product in chunk:
            product.shop = self._shop  # product_node names the shop: no query per product
        nodes = [product_node(product) for product in chunk]
        return {
            "nodes": nodes,
            "edges": [{"cursor": str(p.id), "node": node} for p, node in zip(chunk, nodes, strict=True)],
            "pageInfo": {
                "hasNextPage": more if first is not None else bool(before),
                "hasPreviousPage": more if first is None else bool(after),
                "endCursor": str(chunk[-1].id) if chunk else None,
                "startCursor": str(chunk[0].id) if chunk else None,
            },
        }
