"""The WooCommerce emulator: the WP REST API `wc/v3` of one demo shop per handle, at
/woocommerce/<handle>/wp-json/..., as strict as WooCommerce itself where it matters:

- over plain http only OAuth 1.0a one-legged signatures authenticate (Basic auth and key
  query parameters count only over https), with WooCommerce's signature base string, a
  15-minute timestamp window and single-use nonces;
- GET and HEAD need a read key, other methods a write key;
- per_page is 1 to 100 (400 otherwise), pages start at 1, totals come in X-WP-Total headers.
"""

import base64
import hashlib
import hmac
import json
import math
import re
import secrets
import time
from urllib.parse import parse_qsl, quote

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from . import delivery
from .faults import apply_fault
from .models import ApiKey, Product, Shop, UsedNonce, Webhook

WC_VERSION = "10.3.0"
USER_AGENT = f"WooCommerce/{WC_VERSION} Hookshot (WordPress/6.8.1)"
TIMESTAMP_WINDOW = 15 * 60
OAUTH_PARAMS = (
    "oauth_consumer_key",
    "oauth_nonce",
    "oauth_signature",
    "oauth_signature_method",
    "oauth_timestamp",
)
STATUS_OF = {"active": "publish", "draft": "draft", "archived": "private"}
WEBHOOK_TOPIC = re.compile(r"^(order|product|customer|coupon)\.(created|updated|deleted|restored)$")


def wp_error(code, message, status, **headers):
    response = JsonResponse({"code": code, "message": message, "data": {"status": status}}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def no_route():
    return wp_error("rest_no_route", "No route was found matching the URL and request method.", 404)


def home_url(shop):
    return f"{settings.SANDBOX_URL}/woocommerce/{shop.handle}"


def rawurlencode(value):
    """PHP's rawurlencode: RFC 3986, everything but unreserved characters escaped."""
    return quote(value, safe="-_.~")


def request_params(request):
    """GET merged with form POST, later values winning, as PHP's $_GET + $_POST do."""
    params = dict(parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True))
    if request.content_type == "application/x-www-form-urlencoded":
        params.update(parse_qsl(request.body.decode(), keep_blank_values=True))
    header = request.headers.get("Authorization", "")
    if header.startswith("OAuth "):
        for key, value in re.findall(r'(oauth_[a-z_]+)="([^"]*)"', header):
            params[key] = value
    return params


def signature_base(method, url, params):
    pairs = sorted((rawurlencode(k), rawurlencode(v)) for k, v in params.items() if k != "oauth_signature")
    query = "%26".join(rawurlencode(f"{k}={v}") for k, v in pairs)
    return f"{method}&{rawurlencode(url)}&{query}"


def authenticate(request, shop):
    """The ApiKey the request proves it holds, or a WordPress error response."""
    params = request_params(request)
    present = [name for name in OAUTH_PARAMS if name in params]
    if request.is_secure() or not present:
        # Basic auth and key query parameters would count over https; the sandbox speaks http.
        return wp_error("woocommerce_rest_cannot_view", "Sorry, you cannot list resources.", 401)
    missing = [name for name in OAUTH_PARAMS if name not in params]
    if missing:
        return wp_error(
            "woocommerce_rest_authentication_missing_parameter",
            f"Missing OAuth parameter(s) {', '.join(missing)}",
            401,
        )
    api_key = ApiKey.objects.filter(shop=shop, consumer_key=params["oauth_consumer_key"]).first()
    if api_key is None or shop.fault == Shop.Fault.REVOKED:
        return wp_error("woocommerce_rest_authentication_error", "Consumer key is invalid.", 401)
    method = params["oauth_signature_method"]
    if method not in ("HMAC-SHA1", "HMAC-SHA256"):
        return wp_error(
            "woocommerce_rest_authentication_error", "Invalid signature - signature method is invalid.", 401
        )
    # Like WooCommerce, sign against the configured site address, never the Host header.
    base = signature_base(request.method, settings.SANDBOX_URL + request.path, params)
    digest = hashlib.sha1 if method == "HMAC-SHA1" else hashlib.sha256
    expected = base64.b64encode(
        hmac.new(f"{api_key.consumer_secret}&".encode(), base.encode(), digest).digest()
    ).decode()
    if not hmac.compare_digest(expected, params["oauth_signature"]):
        return wp_error(
            "woocommerce_rest_authentication_error",
            "Invalid signature - provided signature does not match.",
            401,
        )
    timestamp = int(params["oauth_timestamp"]) if params["oauth_timestamp"].isdigit() else 0
    if abs(time.time() - timestamp) > TIMESTAMP_WINDOW:
        return wp_error("woocommerce_rest_authentication_error", "Invalid timestamp.", 401)
    UsedNonce.objects.filter(api_key=api_key, timestamp__lt=time.time() - TIMESTAMP_WINDOW).delete()
    try:
        with transaction.atomic():
            UsedNonce.objects.create(api_key=api_key, nonce=params["oauth_nonce"], timestamp=timestamp)
    except IntegrityError:
        return wp_error(
            "woocommerce_rest_authentication_error", "Invalid nonce - nonce has already been used.", 401
        )
    needs = "read" if request.method in ("GET", "HEAD") else "write"
    if needs not in api_key.permissions:
        return wp_error(
            "woocommerce_rest_authentication_error",
            f"The API key provided does not have {needs} permissions.",
            401,
        )
    return api_key


def wc_api(view):
    """Fault switches, then authentication, for every wc/v3 route."""

    @csrf_exempt
    def wrapper(request, handle, *args, **kwargs):
        shop = Shop.objects.filter(platform=Shop.Platform.WOOCOMMERCE, handle=handle).first()
        if shop is None:
            return no_route()
        fault = apply_fault(shop)
        if fault is not None:
            return fault
        api_key = authenticate(request, shop)
        if isinstance(api_key, JsonResponse):
            return api_key
        return view(request, shop, *args, **kwargs)

    return wrapper


def paginate(request, queryset, url):
    """WordPress pagination: per_page 1..100 (default 10), page from 1, totals in headers."""
    try:
        per_page = int(request.GET.get("per_page", 10))
        page = int(request.GET.get("page", 1))
    except ValueError:
        return None, wp_error("rest_invalid_param", "Invalid parameter(s): per_page, page", 400)
    if not 1 <= per_page <= 100:
        return None, wp_error(
            "rest_invalid_param",
            "Invalid parameter(s): per_page (per_page must be between 1 (inclusive) and 100 (inclusive))",
            400,
        )
    if page < 1:
        return None, wp_error("rest_invalid_param", "Invalid parameter(s): page", 400)
    total = queryset.count()
    pages = math.ceil(total / per_page)
    items = list(queryset[(page - 1) * per_page : page * per_page])
    headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
    links = []
    if page > 1:
        links.append(f'<{url}?per_page={per_page}&page={page - 1}>; rel="prev"')
    if page < pages:
        links.append(f'<{url}?per_page={per_page}&page={page + 1}>; rel="next"')
    if links:
        headers["Link"] = ", ".join(links)
    return (items, headers), None


def listing(data, headers):
    response = JsonResponse(data, safe=False)
    for name, value in headers.items():
        response[name] = value
    return response


def product_json(shop, product):
    variants = list(product.variants.all())
    variable = bool(product.option_names)
    return {
        "id": product.id,
        "name": product.title,
        "slug": re.sub(r"[^a-z0-9]+", "-", product.title.lower()).strip("-"),
        "permalink": f"{home_url(shop)}/product/{product.id}/",
        "type": "variable" if variable else "simple",
        "status": STATUS_OF[product.status],
        "sku": "" if variable else variants[0].sku,
        "price": str(min(v.price for v in variants)),
        "categories": [{"id": 0, "name": product.product_type, "slug": product.product_type.lower()}],
        "attributes": [
            {
                "id": 0,
                "name": name,
                "position": i,
                "visible": True,
                "variation": True,
                "options": sorted({v.options[i] for v in variants}),
            }
            for i, name in enumerate(product.option_names)
        ],
        "variations": [v.id for v in variants] if variable else [],
        "date_modified_gmt": product.updated_at.strftime("%Y-%m-%dT%H:%M:%S"),
    }


def variation_json(product, variant):
    return {
        "id": variant.id,
        "sku": variant.sku,
        "price": str(variant.price),
        "regular_price": str(variant.price),
        "attributes": [
            {"id": 0, "name": name, "option": value}
            for name, value in zip(product.option_names, variant.options, strict=True)
        ],
    }


def index(request, handle):
    """The WP REST API index: what tells a client this is WordPress with WooCommerce."""
    shop = Shop.objects.filter(platform=Shop.Platform.WOOCOMMERCE, handle=handle).first()
    if shop is None:
        return no_route()
    return JsonResponse(
        {
            "name": shop.name,
            "url": home_url(shop),
            "home": home_url(shop),
            "namespaces": ["oembed/1.0", "wc/store/v1", "wc/v3", "wp/v2"],
        }
    )


@wc_api
def system_status(request, shop):
    return JsonResponse(
        {
            "environment": {"home_url": home_url(shop), "site_url": home_url(shop), "version": WC_VERSION},
            "settings": {"currency": "EUR", "currency_symbol": "€"},
        }
    )


@wc_api
def products(request, shop):
    queryset = shop.products.prefetch_related("variants").order_by("id")
    status = request.GET.get("status", "any")
    if status != "any":
        wanted = [ours for ours, theirs in STATUS_OF.items() if theirs == status]
        queryset = queryset.filter(status__in=wanted)
    page, error = paginate(request, queryset, f"{home_url(shop)}/wp-json/wc/v3/products")
    if error:
        return error
    items, headers = page
    return listing([product_json(shop, product) for product in items], headers)


@wc_api
def variations(request, shop, product_id):
    product = Product.objects.filter(shop=shop, id=product_id).first()
    if product is None:
        return wp_error("woocommerce_rest_product_invalid_id", "Invalid ID.", 404)
    page, error = paginate(
        request,
        product.variants.order_by("id"),
        f"{home_url(shop)}/wp-json/wc/v3/products/{product_id}/variations",
    )
    if error:
        return error
    items, headers = page
    return listing([variation_json(product, variant) for variant in items], headers)


def webhook_json(webhook):
    return {
        "id": webhook.id,
        "name": webhook.name,
        "status": webhook.status,
        "topic": webhook.topic,
        "delivery_url": webhook.delivery_url,
        "secret": webhook.secret,
        "date_created_gmt": webhook.created_at.strftime("%Y-%m-%dT%H:%M:%S"),
    }


def create_webhook(shop, data):
    """A webhook from a create request body, or an error response."""
    topic, delivery_url = data.get("topic", ""), data.get("delivery_url", "")
    if not WEBHOOK_TOPIC.match(topic):
        return wp_error("rest_invalid_param", "Invalid parameter(s): topic", 400)
    if not delivery_url.startswith(("http://", "https://")):
        return wp_error("rest_invalid_param", "Invalid parameter(s): delivery_url", 400)
    webhook = Webhook.objects.create(
        shop=shop,
        topic=topic,
        delivery_url=delivery_url,
        name=data.get("name", ""),
        status=data.get("status", "active"),
        secret=data.get("secret") or secrets.token_urlsafe(24),
    )
    if webhook.status == "active":
        ping(webhook)
    return webhook


def ping(webhook):
    """WooCommerce's first delivery: an unsigned form post naming the webhook."""
    delivery.send(
        webhook.shop,
        "ping",
        webhook.delivery_url,
        f"webhook_id={webhook.id}".encode(),
        {"Content-Type": "application/x-www-form-urlencoded", "User-Agent": USER_AGENT},
    )


def json_body(request):
    try:
        return json.loads(request.body or b"{}"), None
    except ValueError:
        return None, wp_error("rest_invalid_json", "Invalid JSON body passed.", 400)


@wc_api
def webhooks(request, shop):
    if request.method == "POST":
        data, error = json_body(request)
        if error:
            return error
        created = create_webhook(shop, data)
        return (
            created if isinstance(created, JsonResponse) else JsonResponse(webhook_json(created), status=201)
        )
    page, error = paginate(request, shop.webhooks.order_by("id"), f"{home_url(shop)}/wp-json/wc/v3/webhooks")
    if error:
        return error
    items, headers = page
    return listing([webhook_json(webhook) for webhook in items], headers)


@wc_api
def webhook(request, shop, webhook_id):
    item = Webhook.objects.filter(shop=shop, id=webhook_id).first()
    if item is None:
        return wp_error("woocommerce_rest_webhook_invalid_id", "Invalid ID.", 404)
    if request.method == "DELETE":
        body = webhook_json(item)
        item.delete()
        return JsonResponse(body)
    if request.method in ("PUT", "POST", "PATCH"):
        data, error = json_body(request)
        if error:
            return error
        was_active = item.status == "active"
        for field in ("name", "status", "secret", "delivery_url"):
            if field in data:
                setattr(item, field, data[field])
        item.save()
        if item.status == "active" and not was_active:
            ping(item)
    return JsonResponse(webhook_json(item))


@wc_api
def webhooks_batch(request, shop):
    """POST {create: [...], update: [...], delete: [ids]}; an empty body changes nothing,
    which makes it a harmless way to prove a key may write."""
    data, error = json_body(request)
    if error:
        return error
    created = [create_webhook(shop, item) for item in data.get("create", [])]
    deleted = [webhook_json(w) for w in shop.webhooks.filter(id__in=data.get("delete", []))]
    shop.webhooks.filter(id__in=data.get("delete", [])).delete()
    return JsonResponse(
        {
            "create": [webhook_json(w) for w in created if isinstance(w, Webhook)],
            "update": [],
            "delete": deleted,
        }
    )


@wc_api
def orders(request, shop):
    from .orders import woocommerce_order  # orders imports this module

    queryset = shop.orders.order_by("id")
    if request.GET.get("modified_after"):
        queryset = queryset.filter(updated_at__gte=request.GET["modified_after"] + "+00:00")
    page, error = paginate(request, queryset, f"{home_url(shop)}/wp-json/wc/v3/orders")
    if error:
        return error
    items, headers = page
    return listing([woocommerce_order(order) for order in items], headers)
