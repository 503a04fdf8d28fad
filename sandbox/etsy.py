"""The Etsy emulator: OAuth 2.0 with PKCE and Open API v3 for the demo shop, under /etsy/.

Strict where Etsy is: the redirect_uri must be one of the app's registered callback URLs,
exactly; the code exchange needs the PKCE verifier of the challenge it was issued for; access
tokens are `<user_id>.<token>` and last an hour; refresh tokens rotate; every API call needs
`x-api-key: keystring:shared_secret` (403 with the keystring alone); parameters are checked as
Etsy's OpenAPI document declares them (etsy_query), answers carry every field of its schemas
(etsy_resources), and calls are counted against Etsy's rate limits (etsy_limits).
"""

import base64
import hashlib
import hmac
import json
import secrets
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from django.db import transaction
from django.db.models import Min
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from . import etsy_query as query
from .demo_keys import ETSY_APP_KEYSTRING, ETSY_APP_REDIRECT_PATH, ETSY_APP_SHARED_SECRET
from .etsy_limits import take_call
from .etsy_resources import (
    ASSOCIATIONS,
    RECEIPT_ID_BASE,
    STATES,
    inventory_json,
    listing_json,
    plain_listing_json,
    receipt_json,
    shop_id,
    shop_json,
    user_id,
)
from .faults import apply_fault
from .models import AccessToken, AuthorizationCode, Product, Shop
from .oauth import redirect_uri_allowed

REFRESH_LIFETIME = timedelta(days=90)
SCOPES = {"listings_r", "listings_w", "shops_r", "transactions_r", "transactions_w", "email_r", "profile_r"}


def etsy_error(message, status, description=None):
    body = {"error": message}
    if description:
        body["error_description"] = description
    return JsonResponse(body, status=status)


def the_shop():
    return Shop.objects.filter(platform=Shop.Platform.ETSY).order_by("id").first()


def challenge_of(verifier):
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


# --- OAuth ---------------------------------------------------------------------------------------


def connect(request):
    """Etsy's sign-in and grant screen for the demo shop's owner."""
    params = request.GET if request.method == "GET" else request.POST
    shop = the_shop()
    redirect_uri, state = params.get("redirect_uri", ""), params.get("state", "")
    problems = []
    if params.get("client_id") != ETSY_APP_KEYSTRING:
        problems.append("Unknown app (client_id).")
    if not redirect_uri_allowed(redirect_uri, ETSY_APP_REDIRECT_PATH):
        problems.append("The requested redirect URL is not permitted.")
    if params.get("response_type") != "code":
        problems.append("response_type must be code.")
    if params.get("code_challenge_method") != "S256" or len(params.get("code_challenge", "")) != 43:
        problems.append("A code_challenge with code_challenge_method=S256 is required.")
    scopes = params.get("scope", "").split()
    if not scopes or set(scopes) - SCOPES:
        problems.append("The scope is missing or names unknown scopes.")
    if problems:
        return render(request, "sandbox/shopify_error.html", {"message": " ".join(problems)}, status=400)
    if request.method == "POST":
        if request.POST.get("decision") != "allow":
            query = {
                "error": "access_denied",
                "error_description": "The user denied the request",
                "state": state,
            }
            return redirect(f"{redirect_uri}?{urlencode(query)}")
        grant = AuthorizationCode.objects.create(
            shop=shop,
            code=secrets.token_urlsafe(24),
            scopes=scopes,
            redirect_uri=redirect_uri,
            code_challenge=params["code_challenge"],
        )
        return redirect(f"{redirect_uri}?{urlencode({'code': grant.code, 'state': state})}")
    return render(
        request, "sandbox/etsy_consent.html", {"shop": shop, "scopes": scopes, "params": params.items()}
    )


@csrf_exempt
def token(request):
    if request.method != "POST":
        return etsy_error("Method not allowed", 405)
    try:
        body = json.loads(request.body) if request.content_type == "application/json" else request.POST.dict()
    except ValueError:
        return etsy_error("invalid_request", 400, "The body is not valid JSON.")
    if body.get("client_id") != ETSY_APP_KEYSTRING:
        return etsy_error("invalid_client", 401, "Unknown client_id.")
    shop = the_shop()
    fault = apply_fault(shop)
    if fault is not None:
        return fault
    if body.get("grant_type") == "refresh_token":
        previous = AccessToken.objects.filter(
            shop=shop, refresh_token=str(body.get("refresh_token", ""))
        ).first()
        if previous is None or previous.revoked or shop.fault == Shop.Fault.REVOKED:
            return etsy_error("invalid_grant", 400, "refresh_token is revoked")
        if previous.refresh_expires_at < timezone.now():
            return etsy_error("invalid_grant", 400, "refresh_token is expired")
        previous.revoked = True  # refresh tokens rotate: this one is spent
        previous.save(update_fields=["revoked"])
        return issue_token(shop, previous.scopes)
    if body.get("grant_type") != "authorization_code":
        return etsy_error("unsupported_grant_type", 400)
    verifier = str(body.get("code_verifier", ""))
    if not verifier:
        return etsy_error("invalid_request", 400, "code_verifier is required")
    grant = AuthorizationCode.objects.filter(shop=shop, code=str(body.get("code", "")), used=False).first()
    if grant is None or grant.created_at < timezone.now() - timedelta(minutes=10):
        return etsy_error("invalid_grant", 400, "code is invalid or expired")
    if grant.redirect_uri != body.get("redirect_uri"):
        return etsy_error("invalid_grant", 400, "redirect_uri does not match")
    if not hmac.compare_digest(challenge_of(verifier), grant.code_challenge):
        return etsy_error("invalid_grant", 400, "code_verifier does not match the code_challenge")
    grant.used = True
    grant.save(update_fields=["used"])
    return issue_token(shop, grant.scopes)


def issue_token(shop, scopes):
    now = timezone.now()
    prefix = f"{user_id(shop)}."
    issued = AccessToken.objects.create(
        shop=shop,
        access_token=prefix + secrets.token_urlsafe(32),
        refresh_token=prefix + secrets.token_urlsafe(32),
        scopes=scopes,
        expires_at=now + timedelta(seconds=shop.token_lifetime),
        refresh_expires_at=now + REFRESH_LIFETIME,
    )
    return JsonResponse(
        {
            "access_token": issued.access_token,
            "token_type": "Bearer",
            "expires_in": shop.token_lifetime,
            "refresh_token": issued.refresh_token,
        }
    )


# --- Open API v3 --------------------------------------------------------------------------------

LISTING_STATES = ("active", "inactive", "sold_out", "draft", "expired")
LISTING_SORTS = {"created": "created_at", "price": "lowest_price", "updated": "updated_at", "score": "id"}
RECEIPT_SORTS = {"created": "created_at", "updated": "updated_at", "receipt_id": "id"}
PATH_IDS = {"shop_ref": "shop_id", "listing_id": "listing_id", "receipt_id": "receipt_id"}


def in_etsy_words(fault):
    """A failure switch's answer as Etsy gives it: a 429 is its per-second limit."""
    if fault.status_code == 429:
        answer = etsy_error("Exceeded per second rate limit", 429)
        answer["x-remaining-this-second"] = "0"
        answer["Retry-After"] = fault["Retry-After"]
        return answer
    return etsy_error("Server Error", fault.status_code)


def etsy_api(scope):
    """The x-api-key rule, the bearer token and its scope, faults, rate limits, path ids >= 1,
    and 400 for a parameter Etsy's document would refuse."""

    def decorator(view):
        @csrf_exempt
        def wrapper(request, *args, **kwargs):
            key = request.headers.get("x-api-key", "")
            keystring, _, secret = key.partition(":")
            if keystring != ETSY_APP_KEYSTRING:
                return etsy_error("Invalid API key", 403)
            if not secret:
                return etsy_error("Shared secret is required in x-api-key header.", 403)
            if not hmac.compare_digest(secret, ETSY_APP_SHARED_SECRET):
                return etsy_error("Invalid API key", 403)
            shop = the_shop()
            fault = apply_fault(shop)
            if fault is not None:
                return in_etsy_words(fault)
            bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
            issued = AccessToken.objects.filter(shop=shop, access_token=bearer).first()
            if issued is None or issued.revoked or shop.fault == Shop.Fault.REVOKED:
                return etsy_error("invalid_token", 401, "access token is invalid")
            if issued.expires_at < timezone.now():
                return etsy_error("invalid_token", 401, "access token is expired")
            if scope and scope not in issued.scopes:
                return etsy_error("insufficient_scope", 403, f"{scope} is required")
            limits, refused = ({}, None) if shop.rate_limits_off else take_call(shop, issued)
            if refused:
                return refused
            response = answer(view, request, shop, args, kwargs)
            for name, value in limits.items():
                response[name] = value
            return response

        return wrapper

    return decorator


def answer(view, request, shop, args, kwargs):
    try:
        for name, value in kwargs.items():
            if name in PATH_IDS:
                query.path_id(PATH_IDS[name], value)
        if "shop_ref" in kwargs and kwargs["shop_ref"] != shop_id(shop):
            return etsy_error("Shop not found", 404)
        return view(request, shop, *args, **kwargs)
    except query.BadParameter as error:
        return etsy_error(str(error), 400)


@etsy_api(scope="shops_r")  # getMe's scope in Etsy's document
def me(request, shop):
    return JsonResponse({"user_id": user_id(shop), "shop_id": shop_id(shop)})


@etsy_api(scope="shops_r")
def shop_detail(request, shop, shop_ref):
    return JsonResponse(shop_json(shop))


@etsy_api(scope="listings_r")
def listings(request, shop, shop_ref):
    """getListingsByShop: state, paging, sort_on/sort_order and includes, as documented."""
    params = request.GET
    state = query.choice(params, "state", LISTING_STATES, "active")
    limit, offset = query.paging(params)
    field = LISTING_SORTS[query.choice(params, "sort_on", tuple(LISTING_SORTS), "created")]
    descending = query.sort_descending(params)
    includes = query.includes(params, tuple(ASSOCIATIONS))
    queryset = (
        Product.objects.filter(
            shop=shop, status__in=[ours for ours, theirs in STATES.items() if theirs == state]
        )
        .annotate(lowest_price=Min("variants__price"))
        .prefetch_related("variants")
        .order_by(f"-{field}" if descending else field, "-id" if descending else "id")
    )
    page = queryset[offset : offset + limit]
    return JsonResponse(
        {"count": queryset.count(), "results": [listing_json(shop, p, includes) for p in page]}
    )


@etsy_api(scope="listings_r")
def inventory(request, shop, listing_id):
    query.boolean(request.GET, "show_deleted")
    with_listing = query.includes(request.GET, ("Listing",))
    product = Product.objects.filter(shop=shop, id=listing_id).prefetch_related("variants").first()
    if product is None:
        return etsy_error("Listing not found", 404)
    listing = plain_listing_json(shop, product) if with_listing else None
    return JsonResponse({**inventory_json(product), "listing": listing})


def image(request, listing_image_id, size):
    """A listing's image, as an SVG placeholder in the demo shop's colour."""
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="1000">'
        '<rect width="1000" height="1000" fill="#2E6F95"/></svg>'
    )
    return HttpResponse(svg, content_type="image/svg+xml")


def find_receipt(shop, receipt_id):
    return shop.orders.filter(id=receipt_id - RECEIPT_ID_BASE).first()


def receipt_filters(params):
    """getShopReceipts' filters: created and modified windows, and the was_* flags."""
    window = {
        name: query.integer(params, name, minimum=query.EARLIEST)
        for name in ("min_created", "max_created", "min_last_modified", "max_last_modified")
    }
    flags = {
        name: query.boolean(params, name)
        for name in ("was_paid", "was_shipped", "was_delivered", "was_canceled")
    }
    query.boolean(params, "legacy")
    lookups = {
        "created_at__gte": window["min_created"],
        "created_at__lte": window["max_created"],
        "updated_at__gte": window["min_last_modified"],
        "updated_at__lte": window["max_last_modified"],
    }
    moments = {
        lookup: datetime.fromtimestamp(value, tz=UTC)
        for lookup, value in lookups.items()
        if value is not None
    }
    return moments, {name: value for name, value in flags.items() if value is not None}


def receipt_matches(receipt, flags):
    facts = {
        "was_paid": receipt["is_paid"],
        "was_shipped": receipt["is_shipped"],
        "was_delivered": False,  # the sandbox's parcels never arrive
        "was_canceled": receipt["status"] == "canceled",
    }
    return all(facts[name] == wanted for name, wanted in flags.items())


@etsy_api(scope="transactions_r")
def receipts(request, shop, shop_ref):
    params = request.GET
    moments, flags = receipt_filters(params)
    limit, offset = query.paging(params)
    field = RECEIPT_SORTS[query.choice(params, "sort_on", tuple(RECEIPT_SORTS), "created")]
    descending = query.sort_descending(params)
    orders = shop.orders.filter(**moments).order_by(f"-{field}" if descending else field, "id")
    found = [r for r in (receipt_json(shop, order) for order in orders) if receipt_matches(r, flags)]
    return JsonResponse({"count": len(found), "results": found[offset : offset + limit]})


@etsy_api(scope="transactions_r")
def receipt(request, shop, shop_ref, receipt_id):
    order = find_receipt(shop, receipt_id)
    if order is None:
        return etsy_error("Receipt not found", 404)
    return JsonResponse(receipt_json(shop, order))


def form_or_json(request):
    """createReceiptShipment's body: Etsy documents a form; a JSON object is taken too."""
    if request.content_type == "application/x-www-form-urlencoded":
        return request.POST.dict()
    try:
        body = json.loads(request.body)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


@etsy_api(scope="transactions_w")
def tracking(request, shop, shop_ref, receipt_id):
    order = find_receipt(shop, receipt_id)
    if order is None:
        return etsy_error("Receipt not found", 404)
    if request.method != "POST":
        return etsy_error("Method not allowed", 405)
    body = form_or_json(request)
    if body is None:
        return etsy_error("The body must be a form or a JSON object.", 400)
    if not str(body.get("tracking_code", "")).strip() or not str(body.get("carrier_name", "")).strip():
        return etsy_error("tracking_code and carrier_name are required.", 400)
    order.shipments.append(
        {
            "receipt_shipping_id": len(order.shipments) + 1,
            "shipment_notification_timestamp": int(timezone.now().timestamp()),
            "carrier_name": str(body.get("carrier_name", "")),
            "tracking_code": str(body.get("tracking_code", "")),
        }
    )
    order.save(update_fields=["shipments", "updated_at"])
    return JsonResponse(receipt_json(shop, order))


# --- Creating listings ---------------------------------------------------------------------------

WHO_MADE = ("i_did", "someone_else", "collective")
WHEN_MADE = (
    "made_to_order",
    "20202023",
    "20102019",
    "20042009",
    "before_2004",
    "20002003",
    "1990s",
    "1980s",
    "1970s",
    "1960s",
    "1950s",
    "1940s",
    "1930s",
    "1920s",
    "1910s",
    "1900s",
    "1800s",
    "1700s",
    "before_1700",
)
LISTING_TYPES = ("physical", "download", "both")
LOWEST_PRICE, HIGHEST_PRICE = Decimal("0.20"), Decimal("50000")
MAX_QUANTITY, MAX_TITLE, MAX_PROPERTIES = 999, 140, 2
DRAFT_REQUIRED = ("description", "price", "quantity", "taxonomy_id", "title", "when_made", "who_made")


def by_method(**views):
    """One path, a view per HTTP method (Etsy serves getListingsByShop and createDraftListing at
    the same address); another method is 405."""

    @csrf_exempt
    def route(request, *args, **kwargs):
        view = views.get(request.method)
        if view is None:
            return etsy_error("Method not allowed", 405)
        return view(request, *args, **kwargs)

    return route


def price_of(name, raw):
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        raise query.BadParameter(f"Expected float for {name}") from None
    if not value.is_finite() or not LOWEST_PRICE <= value <= HIGHEST_PRICE:
        raise query.BadParameter(f"The price must be between {LOWEST_PRICE} and {HIGHEST_PRICE:.2f}.")
    return value


@etsy_api(scope="listings_w")
def create_draft_listing(request, shop, shop_ref):
    """createDraftListing: a form-encoded body with the fields the document requires; the new
    listing is a draft with one product (its price, no variations) until its inventory is set."""
    if request.content_type != "application/x-www-form-urlencoded":
        return etsy_error("The request body must be application/x-www-form-urlencoded.", 400)
    form = request.POST
    missing = [name for name in DRAFT_REQUIRED if not form.get(name)]
    if missing:
        return etsy_error(f"Missing required parameter(s): {', '.join(missing)}", 400)
    query.integer(form, "quantity", minimum=1, maximum=MAX_QUANTITY)
    query.integer(form, "taxonomy_id", minimum=1)
    query.choice(form, "who_made", WHO_MADE, None)
    query.choice(form, "when_made", WHEN_MADE, None)
    query.choice(form, "type", LISTING_TYPES, "physical")
    for flag in ("is_supply", "is_customizable", "should_auto_renew", "is_taxable", "is_personalizable"):
        query.boolean(form, flag)
    price = price_of("price", form["price"])
    title = form["title"].strip()
    if len(title) > MAX_TITLE:
        return etsy_error(f"title must be {MAX_TITLE} characters or fewer.", 400)
    product = Product.objects.create(shop=shop, title=title, status="draft", option_names=[])
    product.variants.create(sku="", price=price, options=[])
    return JsonResponse(plain_listing_json(shop, product), status=201)


def inventory_problem(body):
    """What Etsy would refuse in an updateListingInventory body, in its words, or None."""
    if not isinstance(body, dict) or not isinstance(body.get("products"), list) or not body["products"]:
        return "products is required and must be a non-empty array."
    properties = None
    combinations = set()
    prices = set()
    for index, item in enumerate(body["products"]):
        if not isinstance(item, dict):
            return f"products[{index}] must be an object."
        offerings = item.get("offerings")
        if not isinstance(offerings, list) or len(offerings) != 1:
            return f"products[{index}] must have exactly one offering."
        offering = offerings[0]
        if not isinstance(offering, dict) or not {"price", "quantity", "is_enabled"} <= set(offering):
            return f"products[{index}].offerings[0] requires price, quantity and is_enabled."
        if not isinstance(offering["quantity"], int) or not 0 <= offering["quantity"] <= MAX_QUANTITY:
            return f"products[{index}].offerings[0].quantity must be between 0 and {MAX_QUANTITY}."
        if not isinstance(offering["is_enabled"], bool):
            return f"products[{index}].offerings[0].is_enabled must be a boolean."
        try:
            prices.add(price_of("price", offering["price"]))
        except query.BadParameter as error:
            return f"products[{index}].offerings[0]: {error}"
        values = item.get("property_values") or []
        if not isinstance(values, list) or not all(
            isinstance(v, dict)
            and isinstance(v.get("property_id"), int)
            and v["property_id"] >= 1
            and isinstance(v.get("value_ids"), list)
            and isinstance(v.get("values"), list)
            and len(v["values"]) == 1
            and isinstance(v["values"][0], str)
            and v["values"][0].strip()
            for v in values
        ):
            return f"products[{index}].property_values: each needs a property_id, value_ids and one value."
        ids = tuple(v["property_id"] for v in values)
        if len(set(ids)) > MAX_PROPERTIES or len(set(ids)) != len(ids):
            return f"A listing can have at most {MAX_PROPERTIES} variation properties, each once per product."
        if properties is not None and ids != properties:
            return "Every product must have the same variation properties."
        properties = ids
        combination = tuple(v["values"][0].strip() for v in values)
        if combination in combinations:
            return "Each product must have a unique combination of property values."
        combinations.add(combination)
    for field in ("price_on_property", "quantity_on_property", "sku_on_property"):
        listed = body.get(field, [])
        if not isinstance(listed, list) or not set(listed) <= set(properties):
            return f"{field} may only name the products' variation properties."
    if len(prices) > 1 and not body.get("price_on_property"):
        return "The products' prices differ, so price_on_property must name the property they vary by."
    return None


@etsy_api(scope="listings_w")
def update_inventory(request, shop, listing_id):
    """updateListingInventory: the body replaces the listing's products (its variations) whole."""
    product = Product.objects.filter(shop=shop, id=listing_id).first()
    if product is None:
        return etsy_error("Listing not found", 404)
    try:
        body = json.loads(request.body)
    except ValueError:
        return etsy_error("The body must be JSON.", 400)
    problem = inventory_problem(body)
    if problem:
        return etsy_error(problem, 400)
    items = body["products"]
    first = items[0].get("property_values") or []
    with transaction.atomic():
        product.variants.all().delete()
        product.option_names = [v.get("property_name") or f"Property {v['property_id']}" for v in first]
        product.save(update_fields=["option_names", "updated_at"])
        for item in items:
            product.variants.create(
                sku=str(item.get("sku") or ""),
                price=Decimal(str(item["offerings"][0]["price"])),
                options=[v["values"][0].strip() for v in item.get("property_values") or []],
            )
    product = Product.objects.prefetch_related("variants").get(pk=product.pk)
    return JsonResponse({**inventory_json(product), "listing": None})
