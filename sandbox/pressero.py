"""The Pressero emulator: the Admin API's authentication and order search for the demo B2B site,
at /pressero/<handle>/api/...

Strict where Pressero is: a token comes only for the right user, password, SubscriberId and
ConsumerID; every call carries `Authorization: token <token>` (that scheme word); pages are
numbered from 0; Orders/Search is POST only and honours the filters in its body.
"""

import hmac
import json
import secrets
from datetime import UTC, datetime

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from . import demo_keys
from .faults import apply_fault
from .models import AccessToken, Shop

CREDENTIALS = {
    "UserName": demo_keys.PRESSERO_USERNAME,
    "Password": demo_keys.PRESSERO_PASSWORD,
    "SubscriberId": demo_keys.PRESSERO_SUBSCRIBER_ID,
    "ConsumerID": demo_keys.PRESSERO_CONSUMER_ID,
}


def find_shop(handle):
    return Shop.objects.filter(platform=Shop.Platform.PRESSERO, handle=handle).first()


def pressero_error(message, status):
    return JsonResponse({"Message": message}, status=status)


@csrf_exempt
def authenticate(request, handle):
    shop = find_shop(handle)
    if shop is None:
        return pressero_error("Not found", 404)
    if request.method != "POST":
        return pressero_error("The requested resource does not support this method.", 405)
    fault = apply_fault(shop)
    if fault is not None:
        return fault
    try:
        body = json.loads(request.body)
    except ValueError:
        return pressero_error("The request body is not valid JSON.", 400)
    given = {name: str(body.get(name, "")) for name in CREDENTIALS}
    if shop.fault == Shop.Fault.REVOKED or not all(
        hmac.compare_digest(given[name], expected) for name, expected in CREDENTIALS.items()
    ):
        return pressero_error("Authorization has been denied for this request.", 401)
    token = AccessToken.objects.create(shop=shop, access_token=secrets.token_hex(24))
    return JsonResponse({"Token": token.access_token})


def authorised(request, shop):
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return (
        scheme == "token"
        and shop.fault != Shop.Fault.REVOKED
        and AccessToken.objects.filter(shop=shop, access_token=value, revoked=False).exists()
    )


def validate(request, handle, token):
    shop = find_shop(handle)
    if shop is None:
        return pressero_error("Not found", 404)
    valid = AccessToken.objects.filter(shop=shop, access_token=token, revoked=False).exists()
    return JsonResponse({"IsValid": valid and shop.fault != Shop.Fault.REVOKED})


@csrf_exempt
def search_orders(request, handle):
    """POST only, with a JSON list of filters in the body: [{"Column", "Value", "Operator"}]."""
    shop = find_shop(handle)
    if shop is None:
        return pressero_error("Not found", 404)
    if request.method != "POST":
        return pressero_error("The requested resource does not support this method.", 405)
    fault = apply_fault(shop)
    if fault is not None:
        return fault
    if not authorised(request, shop):
        return pressero_error("Authorization has been denied for this request.", 401)
    try:
        page, size = int(request.GET.get("pageNumber", 0)), int(request.GET.get("pageSize", 50))
    except ValueError:
        return pressero_error("pageNumber and pageSize must be numbers.", 400)
    if page < 0 or not 1 <= size <= 1000:
        return pressero_error("pageNumber starts at 0; pageSize is 1 to 1000.", 400)
    try:
        filters = parse_filters(request.body)
    except ValueError as error:
        return pressero_error(str(error), 400)
    matching = [
        summary
        for summary in map(order_summary, shop.orders.order_by("-id"))
        if all(keep(summary) for keep in filters)
    ]
    return JsonResponse({"Items": matching[page * size : (page + 1) * size], "TotalItems": len(matching)})


SEARCH_OPERATORS = {
    "equals": lambda field, value: field == value,
    "notequals": lambda field, value: field != value,
    "contains": lambda field, value: value.lower() in str(field).lower(),
    "greaterthan": lambda field, value: field > value,
    "lessthan": lambda field, value: field < value,
}
# How each searchable column's text Value compares with the order's field.
SEARCH_COLUMNS = {
    "OrderNumber": int,
    "OrderDate": lambda value: aware(datetime.fromisoformat(value.replace("Z", "+00:00"))),
    "StatusName": str,
    "Total": float,
}


def aware(moment):
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_filters(body):
    """The search body as predicates over an order summary; ValueError says what is wrong."""
    try:
        filters = json.loads(body or b"[]")
    except ValueError:
        raise ValueError("The request body is not valid JSON.") from None
    if not isinstance(filters, list) or not all(isinstance(item, dict) for item in filters):
        raise ValueError("The body must be a list of filters: [{Column, Value, Operator}].")
    predicates = []
    for item in filters:
        column, operator = item.get("Column"), str(item.get("Operator", "equals")).lower()
        if column not in SEARCH_COLUMNS:
            raise ValueError(f"Unknown column {column!r}; searchable: {', '.join(SEARCH_COLUMNS)}.")
        if operator not in SEARCH_OPERATORS:
            raise ValueError(f"Unknown operator {operator!r}; known: {', '.join(SEARCH_OPERATORS)}.")
        try:
            value = SEARCH_COLUMNS[column](str(item.get("Value", "")))
        except ValueError:
            raise ValueError(f"{item.get('Value')!r} is not a value for {column}.") from None
        predicates.append(matches(column, SEARCH_OPERATORS[operator], value))
    return predicates


def matches(column, compare, value):
    def keep(summary):
        field = summary[column]
        if column == "OrderDate":
            field = datetime.fromisoformat(field)
        return compare(field, value)

    return keep


def order_summary(order):
    return {
        "OrderNumber": order.number,
        "OrderDate": order.created_at.isoformat(),
        "StatusName": "Open",
        "Total": float(order.total),
    }


def order_view(view):
    @csrf_exempt
    def wrapper(request, handle, number):
        shop = find_shop(handle)
        if shop is None:
            return pressero_error("Not found", 404)
        fault = apply_fault(shop)
        if fault is not None:
            return fault
        if not authorised(request, shop):
            return pressero_error("Authorization has been denied for this request.", 401)
        order = shop.orders.filter(number=number).first()
        if order is None:
            return pressero_error(f"Order {number} was not found.", 404)
        return view(request, shop, order)

    return wrapper


@order_view
def order_details(request, shop, order):
    return JsonResponse(
        {
            **order_summary(order),
            "Buyer": {"Name": order.customer.get("name"), "Email": order.customer.get("email")},
            "ShipTo": order.address,
            "Currency": order.currency,
            "Shipments": [shipment_json(shipment) for shipment in order.shipments],
        }
    )


def shipment_json(shipment):
    return {
        "Carrier": shipment["carrier"],
        "TrackingNumber": shipment["tracking_code"],
        "TrackingUrl": shipment["url"],
        "ItemNumbers": shipment["items"],
    }


@csrf_exempt
def add_shipments(request, handle):
    """POST /api/V2/Orders/Shipments with a JSON list of shipments (the shape is our guess at
    Pressero's, see docs/decisions.md): [{"OrderNumber", "ItemNumbers", "Carrier",
    "TrackingNumber", "TrackingUrl"}]. Refuses the whole list if one is wrong."""
    shop = find_shop(handle)
    if shop is None:
        return pressero_error("Not found", 404)
    if request.method != "POST":
        return pressero_error("The requested resource does not support this method.", 405)
    fault = apply_fault(shop)
    if fault is not None:
        return fault
    if not authorised(request, shop):
        return pressero_error("Authorization has been denied for this request.", 401)
    try:
        shipments = json.loads(request.body)
    except ValueError:
        return pressero_error("The request body is not valid JSON.", 400)
    if not isinstance(shipments, list) or not all(isinstance(item, dict) for item in shipments):
        return pressero_error("The body must be a list of shipments.", 400)
    found = []
    for shipment in shipments:
        order = shop.orders.filter(number=int(shipment.get("OrderNumber") or 0)).first()
        if order is None:
            return pressero_error(f"Order {shipment.get('OrderNumber')} was not found.", 404)
        if not str(shipment.get("TrackingNumber") or "").strip():
            return pressero_error("TrackingNumber is required.", 400)
        found.append((order, shipment))
    for order, shipment in found:
        order.shipments.append(
            {
                "carrier": str(shipment.get("Carrier") or ""),
                "tracking_code": str(shipment["TrackingNumber"]),
                "url": str(shipment.get("TrackingUrl") or ""),
                "items": list(shipment.get("ItemNumbers") or []),
            }
        )
        order.status = "shipped"
        order.save(update_fields=["shipments", "status", "updated_at"])
    return JsonResponse({"Added": len(found)})


@order_view
def order_items(request, shop, order):
    return JsonResponse(
        [
            {
                "ItemNumber": line["line_id"],
                "ProductId": line["product_id"],
                "ProductName": line["title"],
                "IntegrationId": line["sku"],
                "Quantity": line["quantity"],
                "Price": float(line["price"]),
                "Status": "Approved",
            }
            for line in order.lines
        ],
        safe=False,
    )
