"""What every webhook receiver does once its platform's own checks are made: find the store the
URL names, keep the delivery (a refused one too, for the store's log), and answer."""

import logging
from functools import wraps

from django.http import HttpResponse

from storefronts.models import Store

from . import services
from .models import WebhookDelivery

logger = logging.getLogger(__name__)


class NotReceiving(Exception):
    """The delivery URL names no store that takes deliveries; `response` says so, in plain text."""

    def __init__(self, text, status):
        super().__init__(text)
        self.response = HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


def answers_plainly(receiver):
    """Decorate a receiver: a delivery to an unknown or disconnected store gets a short plain
    answer (never Django's HTML error page, which DEBUG makes a debug page)."""

    @wraps(receiver)
    def wrapped(request, *args, **kwargs):
        try:
            return receiver(request, *args, **kwargs)
        except NotReceiving as refusal:
            return refusal.response

    return wrapped


def receiving_store(code, platform):
    """The connected store a delivery URL names. A disconnected one answers 410 Gone, which
    tells the platform to stop (what was registered could not be removed), anything else 404."""
    store = Store.objects.filter(code=code, platform=platform).first()
    if store is None:
        raise NotReceiving("No such store.", 404)
    if store.state == Store.State.DISCONNECTED:
        raise NotReceiving("This store is disconnected from Printfront.", 410)
    return store


def secret_unreadable(store):
    """The answer when the store's own signing secret cannot be decrypted (Store.needs_reconnect):
    the fault is ours, not the sender's, so the platform is asked to try again later; if the key
    is put back, its retries are then checked and kept."""
    logger.warning("Delivery to store %s not checked: its webhook secret cannot be decrypted.", store.code)
    return HttpResponse(
        "This store must be connected again before its deliveries can be checked.",
        status=503,
        headers={"Retry-After": "3600"},
    )


def take(store, request, *, topic, signature_valid, delivery_key=""):
    """Store the delivery, hand a new signed one to the worker, and answer the platform."""
    headers = services.kept_headers(request)
    if not signature_valid:
        services.record_delivery(
            store,
            topic=topic,
            headers=headers,
            body=request.body,
            signature_valid=False,
            state=WebhookDelivery.State.REJECTED,
        )
        return HttpResponse("Invalid signature.", status=401)
    delivery, created = services.record_delivery(
        store,
        topic=topic,
        headers=headers,
        body=request.body,
        signature_valid=True,
        state=WebhookDelivery.State.RECEIVED,
        delivery_key=delivery_key,
    )
    if created:
        services.enqueue_processing(delivery)
    return HttpResponse(status=200)
