"""Every change to postbacks goes through here: endpoints people manage, and the deliveries
other apps queue when something happens to a client's orders."""

import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from connect.models import Client
from core import audit
from core.signing import standard_webhooks_secret
from core.tasks import enqueue_on_commit

from .models import TEST_EVENT, Delivery, Endpoint

# Each event is sent to every endpoint that subscribes: a cap keeps one client from making
# Printfront send thousands of requests per order.
ENDPOINT_LIMIT = 20
# How long the previous secret keeps signing after a rotation, unless people choose otherwise.
DEFAULT_OVERLAP = timedelta(hours=24)
OVERLAP_LIMIT = timedelta(days=7)
# Secrets rotated away that may sign together while overlaps run (each adds a signature).
PREVIOUS_KEPT = 3


def queue_event(client_id, event, subject, build_payload):
    """Write a delivery of `event` for each enabled endpoint of the client that subscribes to
    it, and have the worker send them once the caller's transaction commits (a change that is
    rolled back sends nothing). `build_payload()` gives the event's data; it is called only if
    some endpoint listens. Call inside the transaction of the change. Returns the deliveries."""
    endpoints = [
        endpoint
        for endpoint in Endpoint.objects.filter(client_id=client_id, enabled=True)
        if event in endpoint.events
    ]
    if not endpoints:
        return []
    payload = envelope(event, build_payload())  # once, however many endpoints listen
    return [_queue(endpoint, event, subject, payload) for endpoint in endpoints]


def clients_with_endpoints(client_ids):
    """Which of these clients have an enabled endpoint (a look before building any payload)."""
    return set(
        Endpoint.objects.filter(client_id__in=client_ids, enabled=True).values_list("client_id", flat=True)
    )


def envelope(event, data):
    """The payload as Standard Webhooks recommends it: a type, a timestamp and the data."""
    return {"type": event, "timestamp": timezone.now().isoformat(), "data": data}


def _queue(endpoint, event, subject, payload):
    from .tasks import send_delivery  # tasks import the sender, which imports this module

    delivery = Delivery.objects.create(
        endpoint=endpoint,
        event=event,
        # One line: it becomes an email's subject, where a line break is refused outright.
        subject=" ".join(subject.split())[:200],
        payload=payload,
        message_id=f"msg_{uuid.uuid4().hex}",
        next_attempt_at=timezone.now(),
    )
    enqueue_on_commit(send_delivery, delivery.pk)
    return delivery


class EndpointRefused(ValueError):
    """An endpoint that cannot be saved, with why in words for the person."""


class TooManyEndpoints(EndpointRefused):
    pass


class DuplicateEndpoint(EndpointRefused):
    pass


def _refuse_duplicate(client, kind, url, email, exclude=None):
    """A second endpoint for the same URL or address would get every event twice; most often it
    is a double click or a refreshed page (whose new secret nobody saw)."""
    same = {"url": url} if kind == Endpoint.Kind.URL else {"email__iexact": email}
    if Endpoint.objects.filter(client=client, kind=kind, **same).exclude(pk=exclude).exists():
        raise DuplicateEndpoint(
            _("%(target)s is a postback endpoint already: change its events there.")
            % {"target": url if kind == Endpoint.Kind.URL else email}
        )


def create_endpoint(actor, client, *, kind, url="", email="", description="", events=()):
    """A new endpoint; returns it and its signing secret (shown once: only the worker reads it
    afterwards). Email endpoints are not signed, and have no secret. Raises TooManyEndpoints
    past ENDPOINT_LIMIT, DuplicateEndpoint for a URL or address the client has already."""
    secret = standard_webhooks_secret() if kind == Endpoint.Kind.URL else ""
    with transaction.atomic():
        # The client's row, locked, so two requests at once cannot both pass the limit.
        Client.objects.select_for_update().filter(pk=client.pk).first()
        if Endpoint.objects.filter(client=client).count() >= ENDPOINT_LIMIT:
            raise TooManyEndpoints(
                _("A client can have at most %(limit)s postback endpoints: remove one first.")
                % {"limit": ENDPOINT_LIMIT}
            )
        _refuse_duplicate(client, kind, url, email)
        endpoint = Endpoint.objects.create(
            client=client,
            kind=kind,
            url=url if kind == Endpoint.Kind.URL else "",
            email=email if kind == Endpoint.Kind.EMAIL else "",
            description=description,
            events=list(events),
            secret=secret,
            created_by=actor,
        )
        audit.record(actor, "postback.created", client=client, target=endpoint.target)
    return endpoint, secret


def update_endpoint(actor, endpoint, *, url="", email="", description="", events=()):
    """Raises DuplicateEndpoint, changing nothing, for another endpoint's URL or address."""
    with transaction.atomic():
        Client.objects.select_for_update().filter(pk=endpoint.client_id).first()
        _refuse_duplicate(endpoint.client_id, endpoint.kind, url, email, exclude=endpoint.pk)
        if endpoint.kind == Endpoint.Kind.URL:
            endpoint.url = url
        else:
            endpoint.email = email
        endpoint.description = description
        endpoint.events = list(events)
        endpoint.save(update_fields=["url", "email", "description", "events"])
        audit.record(actor, "postback.updated", client=endpoint.client, target=endpoint.target)
    return endpoint


def rotate_secret(actor, endpoint, overlap=DEFAULT_OVERLAP):
    """A new secret; the current one keeps signing too for `overlap` (zero: it stops now), and
    so do those rotated away in an overlap still running (at most PREVIOUS_KEPT): a double click
    or a refreshed page rotates twice, and the receiver is still on the first. Returns the new
    secret, shown once."""
    overlap = max(timedelta(0), min(overlap, OVERLAP_LIMIT))
    secret = standard_webhooks_secret()
    with transaction.atomic():
        endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
        now = timezone.now()
        kept = ([endpoint.secret] if endpoint.secret else []) + _previous_secrets(endpoint, now)
        # Space-separated: "whsec_" and base64 have no spaces.
        endpoint.previous_secret = " ".join(kept[:PREVIOUS_KEPT]) if overlap else ""
        endpoint.previous_secret_until = now + overlap if overlap else None
        endpoint.secret = secret
        endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
        audit.record(
            actor,
            "postback.secret_rotated",
            client=endpoint.client,
            target=endpoint.target,
            data={"overlap_hours": overlap.total_seconds() / 3600},
        )
    return secret


def _previous_secrets(endpoint, now):
    """The secrets rotated away that still sign: until the overlap of the last rotation ends."""
    until = endpoint.previous_secret_until
    if endpoint.previous_secret and until and now < until:
        return endpoint.previous_secret.split()
    return []


def signing_secrets(endpoint, now=None):
    """The secrets that sign a delivery now: the current one, and those rotated away until the
    overlap ends."""
    now = now or timezone.now()
    return ([endpoint.secret] if endpoint.secret else []) + _previous_secrets(endpoint, now)


def enable(actor, endpoint):
    """Switch a disabled endpoint on again; deliveries that waited go out now."""
    from .tasks import send_delivery

    with transaction.atomic():
        endpoint.enabled, endpoint.disabled_reason, endpoint.disabled_at = True, "", None
        endpoint.save(update_fields=["enabled", "disabled_reason", "disabled_at"])
        waiting = list(endpoint.deliveries.filter(state=Delivery.State.PENDING).values_list("pk", flat=True))
        endpoint.deliveries.filter(pk__in=waiting).update(next_attempt_at=timezone.now())
        for delivery_id in waiting:
            enqueue_on_commit(send_delivery, delivery_id)
        audit.record(actor, "postback.enabled", client=endpoint.client, target=endpoint.target)
    return endpoint


def disable(actor, endpoint, reason):
    """Switch the endpoint off (a person, or the sender for None: a 410, or failures that did
    not stop); it gets no new deliveries, and waiting ones stay until it is on again. Returns
    whether it was on."""
    with transaction.atomic():
        switched = Endpoint.objects.filter(pk=endpoint.pk, enabled=True).update(
            enabled=False, disabled_reason=reason, disabled_at=timezone.now()
        )
        if switched:
            audit.record(
                actor,
                "postback.disabled",
                client=endpoint.client,
                target=endpoint.target,
                data={"reason": reason},
            )
    endpoint.refresh_from_db(fields=["enabled", "disabled_reason", "disabled_at"])
    return bool(switched)


def remove(actor, endpoint):
    with transaction.atomic():
        audit.record(actor, "postback.removed", client=endpoint.client, target=endpoint.target)
        endpoint.delete()


def resend(actor, delivery):
    """Send a delivery again (same message id, so receivers can tell a repeat), with a fresh
    round of attempts. Returns False, changing nothing, while it is still on its way."""
    from .tasks import send_delivery

    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().select_related("endpoint__client").get(pk=delivery.pk)
        if delivery.state == Delivery.State.PENDING:
            return False
        delivery.state = Delivery.State.PENDING
        delivery.attempts = 0
        delivery.next_attempt_at = timezone.now()
        delivery.claim = delivery.claimed_until = None
        delivery.save(update_fields=["state", "attempts", "next_attempt_at", "claim", "claimed_until"])
        endpoint = delivery.endpoint
        audit.record(actor, "postback.resent", client=endpoint.client, target=endpoint.target)
        enqueue_on_commit(send_delivery, delivery.pk)
    return True


def send_test(actor, endpoint):
    """Queue a test postback to the endpoint, whatever events it subscribes to. One at a time:
    None while the last is still on its way (each test is retried for days like any postback,
    so clicking on would pile up requests for the worker and the receiver)."""
    data = {
        "client": {"code": str(endpoint.client.code), "name": endpoint.client.name},
        "message": _("A test postback from Printfront: this endpoint is set up to receive them."),
    }
    with transaction.atomic():
        Endpoint.objects.select_for_update().filter(pk=endpoint.pk).first()  # two clicks at once: one test
        if endpoint.deliveries.filter(event=TEST_EVENT, state=Delivery.State.PENDING).exists():
            return None
        delivery = _queue(endpoint, TEST_EVENT, _("Test postback"), envelope(TEST_EVENT, data))
        audit.record(actor, "postback.tested", client=endpoint.client, target=endpoint.target)
    return delivery
