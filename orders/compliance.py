"""Shopify's mandatory privacy webhooks, for the personal data Printfront's orders hold (the
buyer's name, email and shipping address). See docs/decisions.md, "Shopify privacy webhooks"."""

from django.db import transaction
from django.utils.translation import gettext_noop

from core.read_later import later
from integrations import services as integrations
from integrations.models import WebhookDelivery
from storefronts.models import Store

from .models import Order, OrderEvent

PERSONAL = {"customer_name": "", "customer_email": "", "shipping_address": {}}


def apply_compliance_delivery(delivery):
    """Act on a signed customers/data_request, customers/redact or shop/redact delivery. Runs in
    handle_delivery's transaction; ValueError for a body that is not the topic's, or another
    shop's (the topic header is not signed, so an order body must not pass for a redaction)."""
    payload = integrations.delivery_payload(delivery)
    if payload.get("shop_domain") != delivery.store.shop_identity:
        raise ValueError("The body of this delivery is not about this store's shop.")
    handler = HANDLERS.get(delivery.topic)
    if handler is None:
        raise ValueError(f"{delivery.topic!r} is not a privacy topic of Shopify.")
    handler(delivery, payload)


def data_request(delivery, payload):
    """A customer asked the shop for their data. Printfront holds nothing the merchant does
    not (the orders came from the shop), so nothing is sent: the stored delivery is the record
    that it was asked."""
    if not isinstance(payload.get("customer"), dict) or "data_request" not in payload:
        raise ValueError("The body of this delivery is not a customer data request.")


def redact_customer(delivery, payload):
    """Blank the buyer's personal data on the store's orders Shopify names, and on any other
    order of the store with the customer's email."""
    customer = payload.get("customer")
    named = payload.get("orders_to_redact")
    if not isinstance(customer, dict) or not isinstance(named, list):
        raise ValueError("The body of this delivery is not a customer redaction.")
    ids = [str(order_id) for order_id in named if isinstance(order_id, int | str)]
    stores = same_shop(delivery.store)
    orders = Order.objects.filter(store__in=stores, external_id__in=ids)
    email = customer.get("email")
    if isinstance(email, str) and email:
        orders = orders | Order.objects.filter(store__in=stores, customer_email__iexact=email)
    _erase(
        orders,
        later(gettext_noop("The buyer's personal data was erased at the shop's request (customers/redact).")),
    )
    # The deliveries that brought those orders carry the same data (and a replay would write
    # it back): their bodies go too.
    marks = [mark.encode() for mark in [*ids, email if isinstance(email, str) else ""] if mark]
    _forget_bodies(stores, delivery, lambda body: any(mark in body for mark in marks))


def redact_shop(delivery, payload):
    """The shop uninstalled the app 48 hours ago: erase the personal data of all its orders, and
    the bodies of its deliveries (they carried the same data)."""
    if set(payload) - {"shop_id", "shop_domain"}:
        raise ValueError("The body of this delivery is not a shop redaction.")
    # Only the disconnected stores of that shop: one connected again since (the app was
    # installed again) is a live store whose data the shop wants.
    stores = same_shop(delivery.store).filter(state=Store.State.DISCONNECTED)
    _erase(
        Order.objects.filter(store__in=stores),
        later(gettext_noop("The shop's personal data was erased (shop/redact).")),
    )
    _forget_bodies(stores, delivery, lambda body: True)


def same_shop(store):
    """Every store of the shop, of any client: a shop disconnected from one client may have been
    connected by another since, and the request is about the shop's data wherever it is."""
    return Store.objects.filter(platform=store.platform, shop_identity=store.shop_identity)


def _forget_bodies(stores, delivery, matches):
    """Empty the bodies of the stores' finished deliveries (other than this one) that `matches`."""
    done = WebhookDelivery.objects.filter(store__in=stores).exclude(state=WebhookDelivery.State.RECEIVED)
    done = done.exclude(pk=delivery.pk).exclude(body=b"")
    chosen = [
        pk for pk, body in done.values_list("pk", "body").iterator(chunk_size=500) if matches(bytes(body))
    ]
    WebhookDelivery.objects.filter(pk__in=chosen).update(body=b"")


def _erase(orders, message):
    ids = list(orders.exclude(**PERSONAL).values_list("id", flat=True).distinct())
    with transaction.atomic():
        Order.objects.filter(id__in=ids).update(**PERSONAL)
        OrderEvent.objects.bulk_create(
            OrderEvent(order_id=order_id, kind=OrderEvent.Kind.UPDATED, message=message) for order_id in ids
        )


HANDLERS = {
    "customers/data_request": data_request,
    "customers/redact": redact_customer,
    "shop/redact": redact_shop,
}
