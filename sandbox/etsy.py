"""The Etsy emulator: OAuth 2.0 with PKCE and Open API v3 for the demo shop, under /etsy/.

Strict where Etsy is: the redirect_uri must be one of the app's registered callback URLs,
exactly; the code exchange needs the PKCE verifier of the challenge it was issued for; access tokens are `<user_id>.<token>` and last an hour; refresh tokens rotate; every API
call needs `x-api-key: keystring:shared_secret` (403 with the keystring alone); `limit` is 1 to
100; answers carry Etsy's rate-limit headers.
"""

import base64
import hashlib
import hmac
import json
import secrets
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from .demo_keys import ETSY_APP_KEYSTRING, ETSY_APP_REDIRECT_PATH, ETSY_APP_SHARED_SECRET
from .faults import apply_fault
from .models import AccessToken, AuthorizationCode, Product, Shop
from .oauth import redirect_uri_allowed

REFRESH_LIFETIME = timedelta(days=90)
SCOPES = {"listings_r", "listings_w", "shops_r", "transactions_r", "transactions_w", "email_r", "profile_r"}
LIMITS = {"x-limit-per-second": "10", "x-remaining-this-second": "9", "x-limit-per-day": "10000"}
STATES = {"active": "active", "draft": "draft", "archived": "inactive"}
RECEIPT_ID_BASE = 3000000000  # Etsy's receipt ids are large; ours are order ids above this


def etsy_error(message, status, description=None):
    body = {"error": message}
    if description:
        body["error_description"] = description
    return JsonResponse(body, status=status)


def the_shop():
    return Shop.objects.filter(platform=Shop.Platform.ETSY).order_by("id").first()


def user_id(shop):
    return 70000000 + shop.id


def shop_id(shop):
    return 30000000 + shop.id


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


def etsy_api(scope):
    """The x-api-key rule, the bearer token and its scope, faults, and rate-limit headers."""

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
                return fault
            bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
            issued = AccessToken.objects.filter(shop=shop, access_token=bearer).first()
            if issued is None or issued.revoked or shop.fault == Shop.Fault.REVOKED:
                return etsy_error("invalid_token", 401, "access token is invalid")
            if issued.expires_at < timezone.now():
                return etsy_error("invalid_token", 401, "access token is expired")
            if scope and scope not in issued.scopes:
                return etsy_error("insufficient_scope", 403, f"{scope} is required")
            if "shop_ref" in kwargs and kwargs["shop_ref"] != shop_id(shop):
                return etsy_error("Shop not found", 404)
            response = view(request, shop, *args, **kwargs)
            for name, value in LIMITS.items():
                response[name] = value
            return response

        return wrapper

    return decorator


def limit_offset(request):
    """Etsy's paging: limit 1..100 (default 25), offset from 0; or an error response."""
    try:
        limit, offset = int(request.GET.get("limit", 25)), int(request.GET.get("offset", 0))
    except ValueError:
        return None, etsy_error("limit and offset must be integers", 400)
    if not 1 <= limit <= 100:
        return None, etsy_error("Expected int <= 100 and >= 1 for limit", 400)
    if offset < 0:
        return None, etsy_error("Expected int >= 0 for offset", 400)
    return (limit, offset), None


@etsy_api(scope=None)
def me(request, shop):
    return JsonResponse({"user_id": user_id(shop), "shop_id": shop_id(shop)})


@etsy_api(scope="shops_r")
def shop_detail(request, shop, shop_ref):
    return JsonResponse(
        {
            "shop_id": shop_id(shop),
            "shop_name": shop.name.replace(" ", ""),
            "title": shop.name,
            "currency_code": "EUR",
        }
    )


def listing_json(shop, product):
    variants = list(product.variants.all())
    return {
        "listing_id": product.id,
        "shop_id": shop_id(shop),
        "title": product.title,
        "state": STATES[product.status],
        "has_variations": bool(product.option_names),
        "price": {
            "amount": int(min(v.price for v in variants) * 100),
            "divisor": 100,
            "currency_code": "EUR",
        },
        "skus": [v.sku for v in variants],
        "updated_timestamp": int(product.updated_at.timestamp()),
    }


@etsy_api(scope="listings_r")
def listings(request, shop, shop_ref):
    paging, error = limit_offset(request)
    if error:
        return error
    limit, offset = paging
    queryset = Product.objects.filter(shop=shop).prefetch_related("variants").order_by("id")
    state = request.GET.get("state", "active")
    queryset = queryset.filter(status__in=[ours for ours, theirs in STATES.items() if theirs == state])
    return JsonResponse(
        {
            "count": queryset.count(),
            "results": [listing_json(shop, p) for p in queryset[offset : offset + limit]],
        }
    )


@etsy_api(scope="listings_r")
def inventory(request, shop, listing_id):
    product = Product.objects.filter(shop=shop, id=listing_id).first()
    if product is None:
        return etsy_error("Listing not found", 404)
    products = [
        {
            "product_id": variant.id,
            "sku": variant.sku,
            "is_deleted": False,
            "offerings": [
                {
                    "offering_id": variant.id * 10,
                    "quantity": 999,
                    "is_enabled": True,
                    "is_deleted": False,
                    "price": {"amount": int(variant.price * 100), "divisor": 100, "currency_code": "EUR"},
                }
            ],
            "property_values": [
                {"property_id": 513 + i, "property_name": name, "values": [value], "value_ids": [1000 + i]}
                for i, (name, value) in enumerate(zip(product.option_names, variant.options, strict=True))
            ],
        }
        for variant in product.variants.all()
    ]
    return JsonResponse({"products": products, "price_on_property": [], "sku_on_property": []})


def money(amount, currency="EUR"):
    return {"amount": int(Decimal(amount) * 100), "divisor": 100, "currency_code": currency}


def receipt_json(shop, order):
    return {
        "receipt_id": RECEIPT_ID_BASE + order.id,
        "receipt_type": 0,
        "seller_user_id": user_id(shop),
        "buyer_email": None,
        "name": order.customer.get("name"),
        "first_line": order.address["first_line"],
        "second_line": None,
        "city": order.address["city"],
        "zip": order.address["zip"],
        "country_iso": order.address["country"],
        "status": "completed" if order.shipments else "paid",
        "is_paid": True,
        "is_shipped": bool(order.shipments),
        "created_timestamp": int(order.created_at.timestamp()),
        "updated_timestamp": int(order.updated_at.timestamp()),
        "grandtotal": money(order.total),
        "shipments": order.shipments,
        "transactions": [
            {
                "transaction_id": 4000000000 + order.id * 100 + line["line_id"],
                "listing_id": line["product_id"],
                "product_id": line["variant_id"],
                "sku": line["sku"],
                "title": line["title"],
                "quantity": line["quantity"],
                "price": money(line["price"]),
                "variations": [],
            }
            for line in order.lines
        ],
    }


def find_receipt(shop, receipt_id):
    return shop.orders.filter(id=receipt_id - RECEIPT_ID_BASE).first()


@etsy_api(scope="transactions_r")
def receipts(request, shop, shop_ref):
    paging, error = limit_offset(request)
    if error:
        return error
    limit, offset = paging
    queryset = shop.orders.all()
    if request.GET.get("min_last_modified", "").isdigit():
        since = datetime.fromtimestamp(int(request.GET["min_last_modified"]), tz=UTC)
        queryset = queryset.filter(updated_at__gte=since)
    field = {"created": "created_at", "updated": "updated_at", "receipt_id": "id"}.get(
        request.GET.get("sort_on", "created")
    )
    if field is None:
        return etsy_error("sort_on must be created, updated or receipt_id", 400)
    descending = request.GET.get("sort_order", "desc") in ("desc", "descending", "down")
    queryset = queryset.order_by(f"-{field}" if descending else field, "id")
    page = [receipt_json(shop, order) for order in queryset[offset : offset + limit]]
    return JsonResponse({"count": queryset.count(), "results": page})


@etsy_api(scope="transactions_r")
def receipt(request, shop, shop_ref, receipt_id):
    order = find_receipt(shop, receipt_id)
    if order is None:
        return etsy_error("Receipt not found", 404)
    return JsonResponse(receipt_json(shop, order))


@etsy_api(scope="transactions_w")
def tracking(request, shop, shop_ref, receipt_id):
    order = find_receipt(shop, receipt_id)
    if order is None:
        return etsy_error("Receipt not found", 404)
    if request.method != "POST":
        return etsy_error("Method not allowed", 405)
    try:
        body = json.loads(request.body)
    except ValueError:
        return etsy_error("The body must be JSON.", 400)
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
