"""The sender: the worker's side of postbacks. Each delivery is claimed (core.outbox), sent
once per attempt (a signed POST through core.http, or an email), and every attempt is logged.

Failures are tried again with exponential backoff and jitter over about three days (see
MAX_ATTEMPTS). A 410 Gone switches the endpoint off at once; so do attempts that run out, and
then the client's Admins are told by email. A URL that now leads to a private address is
refused by core.http, which also switches the endpoint off (trying again cannot help).
"""

import json
import logging
import smtplib
import time
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import emails, http
from core import outbox as claims
from core.signing import standard_webhooks_signature
from core.tenancy import Role
from storefronts.models import Membership

from . import services
from .models import Attempt, Delivery, Endpoint

logger = logging.getLogger(__name__)

# 1 minute, then about twice as long each time up to 8 hours: 18 attempts span about three days.
MAX_ATTEMPTS = 18
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=8)
# Each wait is 80-100 % of its ceiling: jitter that still lets every wait be longer than the last.
JITTER_LOW = 0.8
TIMEOUT = 10  # seconds a receiver has to answer (core.http caps it at OUTBOUND_TIMEOUT)
CLAIM_FOR = timedelta(minutes=5)  # longer than one attempt can take
QUEUE_WITHIN = timedelta(minutes=2)  # sooner retries are queued with a countdown, later ones swept
EXCERPT = 1000  # characters of the receiver's answer kept in the log
SWEEP_BATCH = 500

State = Delivery.State


class Failed(Exception):
    """An attempt that did not deliver. `gone`: the endpoint must be switched off."""

    def __init__(self, message, *, gone=False, retry_after=None):
        super().__init__(message)
        self.gone, self.retry_after = gone, retry_after


def waiting():
    return Delivery.objects.filter(state=State.PENDING, endpoint__enabled=True)


def send(delivery_id):
    """Make one attempt at a delivery if it is due and free, and record what came of it."""
    delivery = claims.claim(waiting(), delivery_id, CLAIM_FOR, related=("endpoint__client",))
    if delivery is None:
        return None
    attempt = Attempt(delivery=delivery, number=delivery.attempts, started_at=timezone.now())
    started = time.monotonic()
    try:
        if delivery.attempts > MAX_ATTEMPTS:  # the last attempts never finished (a crash each time)
            raise Failed(_("The last attempts to send it did not finish."))
        if delivery.endpoint.kind == Endpoint.Kind.EMAIL:
            send_email(delivery, attempt)
        else:
            post(delivery, attempt)
    except Failed as failure:
        outcome = failure
    except Exception:
        # Ours, or an answer nothing here foresaw. Left claimed, the delivery would be tried
        # again each time the claim ran out, with no attempt in its log: fail it like any other.
        logger.exception("Postback %s failed unexpectedly (attempt %s)", delivery.pk, delivery.attempts)
        outcome = Failed(_("Printfront could not send it (an error on our side); it is tried again later."))
    else:
        outcome = None
    attempt.duration_ms = round((time.monotonic() - started) * 1000)
    if outcome is not None:
        attempt.error = str(outcome)
        return record_failure(delivery, attempt, outcome)
    return record(delivery, attempt, state=State.SENT, sent_at=timezone.now(), last_error="")


def body_of(delivery):
    return json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False)


def signed_headers(delivery, body, now=None):
    """Standard Webhooks' headers; during a rotation both secrets sign (space-separated)."""
    now = now or timezone.now()
    timestamp = int(now.timestamp())
    signatures = [
        standard_webhooks_signature(secret, delivery.message_id, timestamp, body)
        for secret in services.signing_secrets(delivery.endpoint, now)
    ]
    return {
        "Content-Type": "application/json",
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signatures),
    }


def post(delivery, attempt):
    endpoint = delivery.endpoint
    if not endpoint.secret:
        raise Failed(
            _("The endpoint's signing secret cannot be read: rotate it to make a new one."), gone=True
        )
    body = body_of(delivery)
    headers = signed_headers(delivery, body)
    attempt.request_headers, attempt.request_body = headers, body
    # The whole exchange, however slowly the receiver trickles its answer: held past CLAIM_FOR,
    # the delivery would be sent again by another worker.
    with http.deadline(TIMEOUT * 3):
        try:
            response = http.post(
                endpoint.url, data=body.encode(), headers=headers, timeout=TIMEOUT, attempts=1, stream=True
            )
        except (http.BlockedAddress, http.UnsupportedURL) as error:
            raise Failed(str(error), gone=True) from error
        except http.OutboundError as error:
            raise Failed(str(error)) from error
        try:
            attempt.response_status = response.status_code
            attempt.response_excerpt = _excerpt(response)
        finally:
            response.close()
    status = response.status_code
    if 200 <= status < 300:
        return
    if status == 410:
        raise Failed(_("The endpoint answered 410 Gone: it no longer wants postbacks."), gone=True)
    raise Failed(
        _("The endpoint answered %(status)s.") % {"status": status},
        retry_after=http.retry_after_seconds(response.headers.get("Retry-After")),
    )


def _excerpt(response):
    """The start of the answer, as much as comes before the exchange's deadline (see post)."""
    raw = b""
    try:
        while len(raw) < EXCERPT * 4:
            chunk = response.raw.read1(EXCERPT * 4 - len(raw), decode_content=True)
            if not chunk:
                break
            raw += chunk
    except Exception:  # noqa: S110 - a body cut short or garbled is no reason to lose the status
        pass
    try:
        text = raw.decode(response.encoding or "utf-8", errors="replace")
    except LookupError:  # a charset Python does not know
        text = raw.decode("utf-8", errors="replace")
    # PostgreSQL text cannot hold NUL: an attempt that cannot be logged would be sent again.
    return text.replace("\x00", "\ufffd")[:EXCERPT]


def send_email(delivery, attempt):
    endpoint = delivery.endpoint
    body = json.dumps(delivery.payload, indent=2, ensure_ascii=False)
    attempt.request_headers = {"To": endpoint.email}
    attempt.request_body = body
    context = {"delivery": delivery, "client": endpoint.client, "payload": body, "data": delivery.payload}
    try:
        # An address of nobody's account gets the language of whoever set the endpoint up.
        setter = endpoint.created_by if endpoint.created_by_id else None
        emails.send("postback", endpoint.email, context, fallback_language=getattr(setter, "language", None))
    except (OSError, smtplib.SMTPException) as error:
        raise Failed(
            _("The email could not be sent (%(error)s).") % {"error": type(error).__name__}
        ) from error


def retry_delay(attempts, retry_after=None):
    """How long to wait after `attempts` failed attempts. A receiver's Retry-After may make the
    wait longer (up to the longest wait), never shorter: "0" must not bring a stream of retries."""
    wait = claims.jittered(claims.backoff_ceiling(attempts, BACKOFF_BASE, BACKOFF_CAP), JITTER_LOW)
    if retry_after is not None:
        wait = max(wait, min(timedelta(seconds=retry_after), BACKOFF_CAP))
    return wait


def record_failure(delivery, attempt, failure):
    endpoint = delivery.endpoint
    reason = str(failure)
    if failure.gone or delivery.attempts >= MAX_ATTEMPTS:
        logger.warning(
            "Postback %s to endpoint %s failed for good after %s attempt(s): %s",
            delivery.pk,
            endpoint.pk,
            delivery.attempts,
            reason,
        )
        recorded = record(delivery, attempt, state=State.FAILED, last_error=reason)
        if recorded is not None:
            why = (
                reason
                if failure.gone
                else _("%(count)s attempts failed; the last: %(reason)s")
                % {
                    "count": delivery.attempts,
                    "reason": reason,
                }
            )
            switch_off(endpoint, why)
        return recorded
    delay = retry_delay(delivery.attempts, failure.retry_after)
    attempt.retry_at = timezone.now() + delay
    recorded = record(delivery, attempt, last_error=reason, next_attempt_at=attempt.retry_at)
    if recorded is not None and delay <= QUEUE_WITHIN:
        from .tasks import send_delivery

        claims.enqueue_on_commit_later(send_delivery, delivery.pk, delay)
    return recorded


def record(delivery, attempt, **fields):
    """Log the attempt and write the outcome, if this worker still holds the delivery."""
    with transaction.atomic():
        if not claims.release(delivery, **fields):
            return None
        attempt.save()
    return delivery


def switch_off(endpoint, reason):
    """Disable the endpoint and tell the client's Admins by email (once: only if it was on)."""
    if not services.disable(None, endpoint, reason):
        return
    admins = Membership.objects.filter(client=endpoint.client, role=Role.ADMIN).select_related("user")
    for membership in admins:
        try:
            emails.send(
                "postback_disabled",
                membership.user.email,
                {"endpoint": endpoint, "client": endpoint.client, "reason": reason},
            )
        except (OSError, smtplib.SMTPException):
            logger.exception("Could not tell %s that a postback endpoint was switched off", membership.pk)


def send_due(limit=SWEEP_BATCH):
    """The sweeper: queue every due delivery nobody holds. Returns how many were queued."""
    from .tasks import send_delivery

    return claims.queue_due(waiting(), send_delivery, limit)
