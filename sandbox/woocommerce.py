"""The WooCommerce emulator: the WP REST API `wc/v3` of one demo shop per handle, at
/woocommerce/<handle>/wp-json/..., as strict as WooCommerce itself where it matters:

- over plain http only OAuth 1.0a one-legged signatures authenticate (Basic auth and key
  query parameters count only over https), with WooCommerce's signature base string, a
  15-minute timestamp window and single-use nonces;
- GET and HEAD need a read key, other methods a write key;
- per_page is 1 to 100 (400 otherwise), pages start at 1, totals come in X-WP-Total headers,
  and Link headers keep the request's other arguments;
- list filters are validated as WordPress validates its schema arguments (400
  `rest_invalid_param`), unknown routes and methods answer JSON `rest_no_route`;
- a webhook is disabled after more than 5 consecutive failed deliveries, and never retried.
"""

import base64
import hashlib
import hmac
import json
import math
import re
import secrets
import time
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import parse_qsl, quote, unquote, urlencode

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from . import delivery
from .faults import apply_fault
from .models import ApiKey, Order, Product, Shop, UsedNonce, Variant, Webhook

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
OAUTH_HEADER_PARAM = re.compile(r'(oauth_[a-z_-]*)=(?:"([^"]*)"|([^,\s]*))')
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
        # RFC 5849 3.5.1: header values are percent-encoded, quoted or (as WooCommerce also takes) bare.
        for key, quoted, bare in OAUTH_HEADER_PARAM.findall(header):
            params[key] = unquote(quoted or bare)
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
    # A '+' of the base64 signature arrives as a space when the query was form-decoded.
    if not hmac.compare_digest(expected, params["oauth_signature"].replace(" ", "+")):
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


def wc_api(*methods):
    """Fault switches, then authentication, then the route's methods, for every wc/v3 route."""

    def decorate(view):
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
            if request.method not in methods:
                return no_route()  # WordPress matches routes by path and method together
            return view(request, shop, *args, **kwargs)

        return wrapper

    return decorate


def unknown_route(request, handle):
    return no_route()


# --- Query arguments, validated as WordPress validates a route's schema ---------------------------

WP_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}(:?\d{2})?)?$")
ORDER_STATUSES = (
    "pending",
    "processing",
    "on-hold",
    "completed",
    "cancelled",
    "refunded",
    "failed",
    "trash",
    "checkout-draft",
)


def one_of(*allowed, many=False):
    """A schema enum (a list of them with many=True, comma-separated as WordPress allows)."""

    def parse(name, value):
        values = [item.strip() for item in value.split(",")] if many else [value]
        for item in values:
            if item not in allowed:
                raise ValueError(f"{name} is not one of {', '.join(allowed[:-1])} and {allowed[-1]}.")
        return values if many else value

    return parse


def date_time(name, value):
    """A date-time argument; one without an offset is the site's time, which here is UTC."""
    if not WP_DATE.match(value):
        raise ValueError("Invalid date.")
    moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "T"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def query_args(request, schema):
    """The request's arguments that `schema` names, parsed; or a 400 naming every bad one."""
    values, problems = {}, {}
    for name, parse in schema.items():
        if name in request.GET:
            try:
                values[name] = parse(name, request.GET[name])
            except ValueError as error:
                problems[name] = str(error)
    if problems:
        response = wp_error("rest_invalid_param", f"Invalid parameter(s): {', '.join(problems)}", 400)
        body = json.loads(response.content)
        body["data"]["params"] = problems
        return values, JsonResponse(body, status=400)
    return values, None


def paginate(request, queryset, url):
    """WordPress pagination: per_page 1..100 (default 10), page from 1, totals in headers, and
    Link headers that keep the request's other arguments (not its single-use OAuth ones)."""
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
    kept = {k: v for k, v in request.GET.items() if k != "page" and not k.startswith("oauth_")}
    kept["per_page"] = per_page
    links = []
    if page > 1:
        links.append(f'<{url}?{urlencode({**kept, "page": page - 1})}>; rel="prev"')
    if page < pages:
        links.append(f'<{url}?{urlencode({**kept, "page": page + 1})}>; rel="next"')
    if links:
        headers["Link"] = ", ".join(links)
    return (items, headers), None


def listing(data, headers):
    response = JsonResponse(data, safe=False)
    for name, value in headers.items():
        response[name] = value
    return response


def json_body(request):
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return None, wp_error("rest_invalid_json", "Invalid JSON body passed.", 400)
    return data, None


def wp_date(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S") if moment else None


# --- Products ------------------------------------------------------------------------------------


def slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def product_json(shop, product):
    variants = list(product.variants.all())
    variable = bool(product.option_names)
    return {
        "id": product.id,
        "name": product.title,
        "slug": slug(product.title),
        "permalink": f"{home_url(shop)}/product/{product.id}/",
        "type": "variable" if variable else "simple",
        "status": STATUS_OF[product.status],
        "sku": "" if variable or not variants else variants[0].sku,
        "price": str(min(v.price for v in variants)) if variants else "",
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
        "date_modified_gmt": wp_date(product.updated_at),
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
    fault = apply_fault(shop)  # a busy or failing site is so on every path, the index too
    if fault is not None:
        return fault
    return JsonResponse(
        {
            "name": shop.name,
            "url": home_url(shop),
            "home": home_url(shop),
            "namespaces": ["oembed/1.0", "wc/store/v1", "wc/v3", "wp/v2"],
        }
    )


@wc_api("GET")
def system_status(request, shop):
    return JsonResponse(
        {
            "environment": {"home_url": home_url(shop), "site_url": home_url(shop), "version": WC_VERSION},
            "settings": {"currency": "EUR", "currency_symbol": "€"},
        }
    )


PRODUCT_ARGS = {
    "status": one_of("any", "future", "trash", "draft", "pending", "private", "publish"),
    "modified_after": date_time,
    "modified_before": date_time,
    "dates_are_gmt": one_of("true", "false", "1", "0"),
    "order": one_of("asc", "desc"),
    "orderby": one_of("date", "id", "include", "title", "slug", "modified", "menu_order", "price"),
}
PRODUCT_DATE_FILTERS = {"modified_after": "updated_at__gt", "modified_before": "updated_at__lt"}


def ordered(queryset, args, default_order="asc"):
    field = ORDER_BY.get(args.get("orderby", "id"), "id")
    descending = args.get("order", default_order) == "desc"
    return queryset.order_by(f"-{field}" if descending else field, "-id" if descending else "id")


@wc_api("GET", "POST")
def products(request, shop):
    if request.method == "POST":
        return create_product(request, shop)
    args, error = query_args(request, PRODUCT_ARGS)
    if error:
        return error
    queryset = shop.products.prefetch_related("variants")
    for name, lookup in PRODUCT_DATE_FILTERS.items():
        if name in args:
            queryset = queryset.filter(**{lookup: args[name]})
    status = args.get("status", "any")
    if status != "any":
        wanted = [ours for ours, theirs in STATUS_OF.items() if theirs == status]
        queryset = queryset.filter(status__in=wanted)
    page, error = paginate(request, ordered(queryset, args), f"{home_url(shop)}/wp-json/wc/v3/products")
    if error:
        return error
    items, headers = page
    return listing([product_json(shop, product) for product in items], headers)


def id_list(name, value):
    """A WordPress array of integers, comma-separated or repeated."""
    ids = [item.strip() for item in value.split(",") if item.strip()]
    if not all(item.isdigit() for item in ids):
        raise ValueError(f"{name}[0] is not of type integer.")
    return [int(item) for item in ids]


VARIATION_ARGS = {
    "parent": id_list,
    "modified_after": date_time,
    "modified_before": date_time,
    "dates_are_gmt": one_of("true", "false", "1", "0"),
    "order": one_of("asc", "desc"),
    "orderby": one_of("date", "id", "include", "title", "slug", "modified", "menu_order"),
}


@wc_api("GET")
def all_variations(request, shop):
    """The store-wide variations route of WooCommerce 10.3 (`wc/v3/variations`): every variation
    of every variable product, each with its parent_id; `parent` keeps those of some products."""
    args, error = query_args(request, VARIATION_ARGS)
    if error:
        return error
    queryset = Variant.objects.filter(product__shop=shop).exclude(product__option_names=[])
    queryset = queryset.select_related("product")
    if "parent" in args:
        queryset = queryset.filter(product_id__in=args["parent"])
    for name, lookup in PRODUCT_DATE_FILTERS.items():
        if name in args:
            queryset = queryset.filter(**{f"product__{lookup}": args[name]})
    # Variations have no dates or titles of their own here: they come in id order.
    page, error = paginate(
        request, ordered(queryset, {**args, "orderby": "id"}), f"{home_url(shop)}/wp-json/wc/v3/variations"
    )
    if error:
        return error
    items, headers = page
    return listing(
        [{**variation_json(variant.product, variant), "parent_id": variant.product_id} for variant in items],
        headers,
    )


@wc_api("GET")
def product(request, shop, product_id):
    found = Product.objects.filter(shop=shop, id=product_id).prefetch_related("variants").first()
    if found is None:
        return wp_error("woocommerce_rest_product_invalid_id", "Invalid ID.", 404)
    return JsonResponse(product_json(shop, found))


@wc_api("GET")
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


PRODUCT_TYPES = ("simple", "grouped", "external", "variable")
PRODUCT_STATUSES = ("draft", "pending", "private", "publish", "future")
OURS_OF_STATUS = {
    "publish": "active",
    "future": "active",
    "draft": "draft",
    "pending": "draft",
    "private": "archived",
}
BATCH_LIMIT = 100  # woocommerce_rest_batch_items_limit's default


def invalid_params(problems):
    """WordPress's 400 for body fields its schema refuses, naming each."""
    response = wp_error("rest_invalid_param", f"Invalid parameter(s): {', '.join(problems)}", 400)
    body = json.loads(response.content)
    body["data"]["params"] = problems
    return JsonResponse(body, status=400)


def product_problems(data):
    """The schema checks WordPress makes of a product body before WooCommerce sees it."""
    problems = {}
    if "name" in data and not isinstance(data["name"], str):
        problems["name"] = "name is not of type string."
    if data.get("type", "simple") not in PRODUCT_TYPES:
        problems["type"] = f"type is not one of {', '.join(PRODUCT_TYPES[:-1])} and {PRODUCT_TYPES[-1]}."
    if data.get("status", "publish") not in PRODUCT_STATUSES:
        problems["status"] = (
            f"status is not one of {', '.join(PRODUCT_STATUSES[:-1])} and {PRODUCT_STATUSES[-1]}."
        )
    for field in ("regular_price", "description", "sku"):
        if field in data and not isinstance(data[field], str):
            problems[field] = f"{field} is not of type string."
    attributes = data.get("attributes", [])
    if not isinstance(attributes, list) or not all(
        isinstance(a, dict)
        and isinstance(a.get("name", ""), str)
        and isinstance(a.get("options", []), list)
        and all(isinstance(option, str) for option in a.get("options", []))
        for a in attributes
    ):
        problems["attributes"] = "attributes[0] is not of type object."
    return problems


def create_product(request, shop):
    """POST products: a simple product gets its one purchasable row at once; a variable one
    gets its attributes, and its variations later (variations or variations/batch)."""
    data, error = json_body(request)
    if error:
        return error
    problems = product_problems(data)
    if problems:
        return invalid_params(problems)
    if data.get("sku") and Variant.objects.filter(product__shop=shop, sku=data["sku"]).exists():
        return wp_error("product_invalid_sku", "Invalid or duplicated SKU.", 400)
    variable = data.get("type") == "variable"
    attributes = [a for a in data.get("attributes", []) if a.get("name")]
    product = Product.objects.create(
        shop=shop,
        title=data.get("name") or "Product",
        status=OURS_OF_STATUS[data.get("status", "publish")],
        option_names=[a["name"] for a in attributes if a.get("variation")] if variable else [],
    )
    if not variable:
        product.variants.create(
            sku=data.get("sku", ""), price=Decimal(data.get("regular_price") or "0"), options=[]
        )
    return JsonResponse(product_json(shop, product), status=201)


def variation_problem(product, item):
    """The error of one variation to create, or None. WooCommerce checks the SKU is unique in
    the shop; a price must be a string of a number."""
    price = item.get("regular_price", "")
    if not isinstance(price, str) or (price and not re.fullmatch(r"\d+(\.\d+)?", price)):
        return {
            "code": "rest_invalid_param",
            "message": "Invalid parameter(s): regular_price",
            "data": {"status": 400},
        }
    sku = item.get("sku", "")
    if sku and Variant.objects.filter(product__shop=product.shop, sku=sku).exists():
        return {
            "code": "product_invalid_sku",
            "message": "Invalid or duplicated SKU.",
            "data": {"status": 400},
        }
    return None


@wc_api("POST", "PUT", "PATCH")
def variations_batch(request, shop, product_id):
    """POST products/<id>/variations/batch {create: [...]}: each item succeeds or carries its
    own error, as WooCommerce answers; more than BATCH_LIMIT items is refused whole."""
    product = Product.objects.filter(shop=shop, id=product_id).first()
    if product is None:
        return wp_error("woocommerce_rest_product_invalid_id", "Invalid ID.", 404)
    data, error = json_body(request)
    if error:
        return error
    items = sum(len(data.get(key) or []) for key in ("create", "update", "delete"))
    if items > BATCH_LIMIT:
        return wp_error(
            "rest_request_entity_too_large",
            f"Unable to accept more than {BATCH_LIMIT} items for this request.",
            413,
        )
    created = []
    for item in data.get("create") or []:
        problem = (
            variation_problem(product, item)
            if isinstance(item, dict)
            else {
                "code": "rest_invalid_param",
                "message": "Invalid parameter(s): create",
                "data": {"status": 400},
            }
        )
        if problem:
            created.append({"id": 0, "error": problem})
            continue
        # An attribute the product does not vary by is dropped; one left out means "any".
        chosen = {a.get("name"): str(a.get("option", "")) for a in item.get("attributes") or []}
        variant = product.variants.create(
            sku=item.get("sku", ""),
            price=Decimal(item.get("regular_price") or "0"),
            options=[chosen.get(name, "") for name in product.option_names],
        )
        created.append(variation_json(product, variant))
    product.save(update_fields=["updated_at"])
    return JsonResponse({"create": created, "update": [], "delete": []})


# --- Orders --------------------------------------------------------------------------------------


def order_status(order):
    """The sandbox's orders start paid, which WooCommerce calls processing."""
    return order.status if order.status in ORDER_STATUSES else "processing"


def paid_at(order):
    return None if order_status(order) in ("pending", "on-hold", "failed") else order.created_at


def order_json(order):
    """The REST order, which is also the body of its webhooks."""
    name = order.customer.get("name", "")
    first, _, last = name.partition(" ")
    shipping = {
        "first_name": first,
        "last_name": last,
        "company": "",
        "address_1": order.address["first_line"],
        "address_2": "",
        "city": order.address["city"],
        "state": "",
        "postcode": order.address["zip"],
        "country": order.address["country"],
        "phone": "",
    }
    status = order_status(order)
    completed = order.updated_at if status == "completed" else None
    return {
        "id": order.id,
        "parent_id": 0,
        "number": str(order.number),
        "order_key": f"wc_order_{hashlib.sha1(str(order.id).encode()).hexdigest()[:13]}",  # noqa: S324 (an id, not a secret)
        "created_via": "checkout",
        "version": WC_VERSION,
        "status": status,
        "currency": order.currency,
        # The site's time zone is UTC, so local and GMT stamps agree.
        "date_created": wp_date(order.created_at),
        "date_created_gmt": wp_date(order.created_at),
        "date_modified": wp_date(order.updated_at),
        "date_modified_gmt": wp_date(order.updated_at),
        "date_paid": wp_date(paid_at(order)),
        "date_paid_gmt": wp_date(paid_at(order)),
        "date_completed": wp_date(completed),
        "date_completed_gmt": wp_date(completed),
        "discount_total": "0.00",
        "discount_tax": "0.00",
        "shipping_total": "0.00",
        "shipping_tax": "0.00",
        "cart_tax": "0.00",
        "total": f"{order.total:.2f}",
        "total_tax": "0.00",
        "prices_include_tax": False,
        "customer_id": 0,
        "customer_ip_address": "",
        "customer_user_agent": "",
        "customer_note": "",
        "billing": {**shipping, "email": order.customer.get("email", "")},
        "shipping": shipping,
        "payment_method": "bacs",
        "payment_method_title": "Direct bank transfer",
        "transaction_id": "",
        "cart_hash": "",
        "meta_data": [],
        "line_items": [line_json(order, line) for line in order.lines],
        "tax_lines": [],
        "shipping_lines": [
            {
                "id": order.id * 100 + 99,
                "method_title": "Free shipping",
                "method_id": "free_shipping",
                "instance_id": "1",
                "total": "0.00",
                "total_tax": "0.00",
                "taxes": [],
                "meta_data": [],
            }
        ],
        "fee_lines": [],
        "coupon_lines": [],
        "refunds": [],
        "payment_url": f"{home_url(order.shop)}/checkout/order-pay/{order.id}/",
        "currency_symbol": "€",
    }


def line_json(order, line):
    price = Decimal(line["price"])
    total = f"{price * line['quantity']:.2f}"
    options = zip(line.get("option_names", []), line["options"], strict=False)
    return {
        "id": order.id * 100 + line["line_id"],
        "name": line["title"],
        "product_id": line["product_id"],
        "variation_id": line["variant_id"],
        "quantity": line["quantity"],
        "tax_class": "",
        "subtotal": total,
        "subtotal_tax": "0.00",
        "total": total,
        "total_tax": "0.00",
        "taxes": [],
        "meta_data": [
            {
                "id": order.id * 1000 + line["line_id"] * 10 + index,
                "key": f"pa_{slug(key)}",
                "value": slug(value),
                "display_key": key,
                "display_value": value,
            }
            for index, (key, value) in enumerate(options)
        ],
        "sku": line["sku"],
        "price": float(price),  # a number here, unlike every other amount
        "image": {"id": "", "src": ""},
        "parent_name": line["title"] if line["options"] else None,
    }


ORDER_ARGS = {
    "status": one_of("any", *ORDER_STATUSES, many=True),
    "after": date_time,
    "before": date_time,
    "modified_after": date_time,
    "modified_before": date_time,
    "dates_are_gmt": one_of("true", "false", "1", "0"),
    "order": one_of("asc", "desc"),
    "orderby": one_of("date", "id", "include", "title", "slug", "modified"),
}
ORDER_BY = {
    "date": "created_at",
    "id": "id",
    "include": "id",
    "title": "id",
    "slug": "id",
    "modified": "updated_at",
}
DATE_FILTERS = {
    "after": "created_at__gt",
    "before": "created_at__lt",
    "modified_after": "updated_at__gt",
    "modified_before": "updated_at__lt",
}


@wc_api("GET")
def orders(request, shop):
    args, error = query_args(request, ORDER_ARGS)
    if error:
        return error
    queryset = shop.orders.all()
    for name, lookup in DATE_FILTERS.items():
        if name in args:
            queryset = queryset.filter(**{lookup: args[name]})
    statuses = args.get("status", ["any"])
    if "any" not in statuses:
        wanted = [o.id for o in queryset if order_status(o) in statuses]
        queryset = queryset.filter(id__in=wanted)
    field = ORDER_BY[args.get("orderby", "date")]
    queryset = queryset.order_by(field if args.get("order") == "asc" else f"-{field}", "id")
    page, error = paginate(request, queryset, f"{home_url(shop)}/wp-json/wc/v3/orders")
    if error:
        return error
    items, headers = page
    return listing([order_json(order) for order in items], headers)


def invalid_order():
    return wp_error("woocommerce_rest_shop_order_invalid_id", "Invalid ID.", 400)


@wc_api("GET", "PUT", "POST", "PATCH")
def order(request, shop, order_id):
    item = Order.objects.filter(shop=shop, id=order_id).first()
    if item is None:
        return invalid_order()
    if request.method == "GET":
        return JsonResponse(order_json(item))
    data, error = json_body(request)
    if error:
        return error
    status = data.get("status")
    if status is not None and status not in ORDER_STATUSES:
        return wp_error("rest_invalid_param", "Invalid parameter(s): status", 400)
    if status is not None and status != order_status(item):
        item.status = status
        item.save(update_fields=["status", "updated_at"])
        notify_order(shop, item, "order.updated")
    return JsonResponse(order_json(item))


def note_json(order, note):
    return {
        "id": note["id"],
        "author": note["author"],
        "date_created": note["date"],
        "date_created_gmt": note["date"],
        "note": note["note"],
        "customer_note": note["customer_note"],
        "_links": {"up": [{"href": f"{home_url(order.shop)}/wp-json/wc/v3/orders/{order.id}"}]},
    }


@wc_api("GET", "POST")
def order_notes(request, shop, order_id):
    item = Order.objects.filter(shop=shop, id=order_id).first()
    if item is None:
        return invalid_order()
    if request.method == "GET":
        return JsonResponse([note_json(item, note) for note in reversed(item.notes)], safe=False)
    data, error = json_body(request)
    if error:
        return error
    if not str(data.get("note", "")).strip():
        return wp_error("rest_missing_callback_param", "Missing parameter(s): note", 400)
    note = {
        "id": item.id * 1000 + len(item.notes) + 1,
        "author": "Shop manager" if data.get("added_by_user") else "WooCommerce",
        "date": wp_date(timezone.now()),
        "note": str(data["note"]),
        "customer_note": bool(data.get("customer_note", False)),
    }
    item.notes.append(note)
    item.save(update_fields=["notes", "updated_at"])
    return JsonResponse(note_json(item, note), status=201)


def wp_json_encode(payload):
    """PHP's json_encode escapes '/' as '\\/'; WooCommerce signs exactly those bytes."""
    return json.dumps(payload, separators=(",", ":")).replace("/", "\\/").encode()


def notify_order(shop, order, topic="order.created"):
    """Deliver an order webhook to each active subscription of `topic`, signed with its secret."""
    notify(shop, topic, order_json(order))


def notify(shop, topic, payload):
    """Deliver `payload` to each active subscription of `topic`, signed with its secret."""
    body = wp_json_encode(payload)
    resource, _, event = topic.partition(".")
    for hook in shop.webhooks.filter(topic=topic, status="active"):
        signature = base64.b64encode(hmac.new(hook.secret.encode(), body, hashlib.sha256).digest()).decode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-WC-Webhook-Source": home_url(shop) + "/",
            "X-WC-Webhook-Topic": topic,
            "X-WC-Webhook-Resource": resource,
            "X-WC-Webhook-Event": event,
            "X-WC-Webhook-Signature": signature,
            "X-WC-Webhook-ID": str(hook.id),
            # Like WooCommerce's: a hash of the webhook id and the second, so not unique.
            "X-WC-Webhook-Delivery-ID": hashlib.md5(f"{hook.id}{int(time.time())}".encode()).hexdigest(),  # noqa: S324
        }
        deliver(hook, topic, body, headers)


# WooCommerce's woocommerce_max_webhook_delivery_failures default.
MAX_DELIVERY_FAILURES = 5


def deliver(hook, topic, body, headers):
    """One delivery, never retried. Any answer from 200 to 302 is a success and clears the
    failure count; a failure past the limit disables the webhook, so the 7th in a row does."""
    log = delivery.send(hook.shop, topic, hook.delivery_url, body, headers)
    if hook.shop.webhooks_off:
        return log  # the sandbox's own switch: nothing was sent
    if log.response_status is not None and 200 <= log.response_status <= 302:
        hook.failure_count = 0
    elif hook.failure_count > MAX_DELIVERY_FAILURES:
        hook.status = "disabled"
    else:
        hook.failure_count += 1
    hook.save(update_fields=["failure_count", "status", "updated_at"])
    return log


# --- Webhooks ------------------------------------------------------------------------------------

WEBHOOK_STATUSES = ("active", "paused", "disabled")
# The WordPress actions behind each topic, as WooCommerce lists them in a webhook's `hooks`.
TOPIC_HOOKS = {
    "order.created": ["woocommerce_new_order"],
    "order.updated": ["woocommerce_update_order", "woocommerce_order_refunded"],
    "order.deleted": ["wp_trash_post"],
    "order.restored": ["untrashed_post"],
    "product.created": ["woocommerce_process_product_meta", "woocommerce_new_product"],
    "product.updated": ["woocommerce_process_product_meta", "woocommerce_update_product"],
    "product.deleted": ["wp_trash_post"],
    "product.restored": ["untrashed_post"],
}


def webhook_json(webhook):
    resource, _, event = webhook.topic.partition(".")
    base = f"{home_url(webhook.shop)}/wp-json/wc/v3/webhooks"
    return {
        "id": webhook.id,
        "name": webhook.name,
        "status": webhook.status,
        "topic": webhook.topic,
        "resource": resource,
        "event": event,
        "hooks": TOPIC_HOOKS.get(webhook.topic, []),
        "delivery_url": webhook.delivery_url,
        "secret": webhook.secret,
        "date_created": wp_date(webhook.created_at),
        "date_created_gmt": wp_date(webhook.created_at),
        "date_modified": wp_date(webhook.updated_at),
        "date_modified_gmt": wp_date(webhook.updated_at),
        "_links": {"self": [{"href": f"{base}/{webhook.id}"}], "collection": [{"href": base}]},
    }


def webhook_problem(data, creating):
    """The WordPress error for a webhook body's bad field, or None."""
    if creating and not WEBHOOK_TOPIC.match(str(data.get("topic", ""))):
        return wp_error("rest_invalid_param", "Invalid parameter(s): topic", 400)
    if (creating or "delivery_url" in data) and not str(data.get("delivery_url", "")).startswith(
        ("http://", "https://")
    ):
        return wp_error("rest_invalid_param", "Invalid parameter(s): delivery_url", 400)
    if "status" in data and data["status"] not in WEBHOOK_STATUSES:
        return wp_error("rest_invalid_param", "Invalid parameter(s): status", 400)
    return None


def create_webhook(shop, data):
    """A webhook from a create request body, or an error response."""
    problem = webhook_problem(data, creating=True)
    if problem:
        return problem
    webhook = Webhook.objects.create(
        shop=shop,
        topic=data["topic"],
        delivery_url=data["delivery_url"],
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


@wc_api("GET", "POST")
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


@wc_api("GET", "PUT", "POST", "PATCH", "DELETE")
def webhook(request, shop, webhook_id):
    item = Webhook.objects.filter(shop=shop, id=webhook_id).first()
    if item is None:
        return wp_error("woocommerce_rest_webhook_invalid_id", "Invalid ID.", 404)
    if request.method == "DELETE":
        if request.GET.get("force", "").lower() not in ("true", "1"):
            # Webhooks have no trash in WooCommerce: deleting one must be forced.
            return wp_error("woocommerce_rest_trash_not_supported", "Webhooks do not support trashing.", 501)
        body = webhook_json(item)
        item.delete()
        return JsonResponse(body)
    if request.method != "GET":
        data, error = json_body(request)
        if error:
            return error
        problem = webhook_problem(data, creating=False)
        if problem:
            return problem
        was_active = item.status == "active"
        for field in ("name", "status", "secret", "delivery_url"):
            if field in data:
                setattr(item, field, data[field])
        item.save()
        if item.status == "active" and not was_active:
            ping(item)
    return JsonResponse(webhook_json(item))


@wc_api("POST", "PUT", "PATCH")
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
