"""What every webhook receiver does around its platform's own checks: find the store the URL
names, read the body within the cap, keep the delivery (a refused one too, for the store's log),
and answer."""

import json
import logging
from functools import wraps

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, connection
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from storefronts.models import Store

from . import inbox, kept_stores, services
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


class CheckAgain(Exception):
    """A delivery failed its signature check against a kept store: check it against a fresh read."""


def receiving_store(code, platform, *, fresh=False):
    """(the connected store a delivery URL names, whether it is a kept copy). A disconnected one
    answers 410 Gone, which tells the platform to stop (what was registered could not be
    removed), anything else 404."""
    store, kept = kept_stores.read(code, platform, fresh=fresh)
    if store is None:
        raise NotReceiving("No such store.", 404)
    if store.state == Store.State.DISCONNECTED:
        raise NotReceiving("This store is disconnected from Printfront.", 410)
    return store, kept


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


def receiver(platform, *, topic_header=None):
    """Make `view(request, store, body)` a platform's receiver: POST only, no CSRF (the
    platform's signature proves the sender), a plain answer for a store that takes no
    deliveries, and a body over WEBHOOK_MAX_BODY_BYTES refused unread with 413 and logged with
    its size. `topic_header` names the topic in that log."""

    def decorate(view):
        @csrf_exempt
        @require_POST
        @answers_plainly
        @wraps(view)
        def receive(request, code):
            declared = declared_size(request)
            body = None

            def take_it(store):
                nonlocal body
                if declared > settings.WEBHOOK_MAX_BODY_BYTES:
                    return refuse_too_large(store, request, declared, topic_header)
                if body is None:  # read once, and only for a store that takes deliveries
                    # From the stream, not request.body: Django's own cap for form posts
                    # (DATA_UPLOAD_MAX_MEMORY_SIZE) is not the one that applies to deliveries.
                    body = request.read(declared)
                return view(request, store, body)

            try:
                store, request.store_was_kept = receiving_store(code, platform)
                return take_it(store)
            except (OperationalError, InterfaceError):
                # No health check asked first (config/deliveries.py): the connection died since
                # the last delivery (PostgreSQL restarted), before anything was stored. Not an
                # error to answer: WooCommerce switches a webhook off after five in a row.
                connection.close()
            except (CheckAgain, IntegrityError):
                if not request.store_was_kept:
                    raise
                # The kept store may be out of date: its secret renewed, or the store deleted
                # (the INSERT then names no store).
            # Once more, on a working connection, with the store as it is now.
            store, request.store_was_kept = receiving_store(code, platform, fresh=True)
            return take_it(store)

        return receive

    return decorate


def declared_size(request):
    """The body's Content-Length; Django reads no more than that (nothing without one)."""
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def refuse_too_large(store, request, size, topic_header):
    services.record_delivery(
        store,
        topic=request.headers.get(topic_header, "") if topic_header else "",
        headers=services.kept_headers(request),
        body=b"",
        size=size,
        signature_valid=False,
        state=WebhookDelivery.State.TOO_LARGE,
    )
    return HttpResponse("Payload too large.", status=413, content_type="text/plain; charset=utf-8")


def json_object(body):
    """The body's JSON object, or {} for anything else (not JSON, not an object, too deep)."""
    payload = parsed_object(body)
    return {} if payload is None else payload


def parsed_object(body):
    """The body's JSON object, or None when it is not one."""
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):
        return None
    return payload if isinstance(payload, dict) else None


def take(store, request, body, *, topic, signature_valid, delivery_key=""):
    """Store the delivery, hand a new signed one to the worker, and answer the platform. A kind
    the inbox drains (orders) costs the request its INSERT and at most a wake-up; others get a
    task of their own."""
    if not signature_valid and getattr(request, "store_was_kept", False):
        raise CheckAgain  # the secret may be newer than the kept store
    headers = services.kept_headers(request)
    if not signature_valid:
        services.record_delivery(
            store,
            topic=topic,
            headers=headers,
            body=body,
            signature_valid=False,
            state=WebhookDelivery.State.REJECTED,
        )
        return HttpResponse("Invalid signature.", status=401)
    if parsed_object(body) is None:
        # Signed, but no topic carries anything but a JSON object: refused now (the platform
        # sees the 400), kept for the store's log, never processed.
        services.record_delivery(
            store,
            topic=topic,
            headers=headers,
            body=body,
            signature_valid=True,
            state=WebhookDelivery.State.MALFORMED,
            delivery_key=delivery_key,
        )
        return HttpResponse("The body is not a JSON object.", status=400)
    delivery, created = services.record_delivery(
        store,
        topic=topic,
        headers=headers,
        body=body,
        signature_valid=True,
        state=WebhookDelivery.State.RECEIVED,
        delivery_key=delivery_key,
    )
    if created:
        inbox.process_soon(delivery)
    return HttpResponse(status=200)
