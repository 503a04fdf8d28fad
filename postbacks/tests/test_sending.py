"""Sending postbacks over real HTTP to the sandbox's receiver: signed per Standard Webhooks
(checked with the standardwebhooks package, an independent implementation), across a secret
rotation; retried with growing waits; a 410 or attempts that run out switch the endpoint off;
a private address is refused when sending; a rolled-back change sends nothing."""

import itertools
import json
import re
from datetime import timedelta

import pytest
import requests
from django.conf import settings as settings_module
from django.core import mail
from django.db import transaction
from django.utils import timezone
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from core.tenancy import Role
from core.testing import Trickler, wait_for
from orders.models import ItemStatus
from orders.production import move_items
from orders.tests.helpers import make_order
from postbacks import sender, services
from postbacks.models import Delivery, Endpoint, Event
from postbacks.tasks import send_due_postbacks

from .helpers import received, receiver_url, url_endpoint

State = Delivery.State


@pytest.fixture(autouse=True)
def _sandbox_on(settings):
    settings.SANDBOX_ENABLED = True


def send_all(endpoint):
    """The worker's part, in this process: one attempt at each delivery waiting for the endpoint."""
    for delivery in endpoint.deliveries.filter(state=State.PENDING):
        sender.send(delivery.pk)


def test_deliveries_verify_with_standardwebhooks_across_a_rotation(acme, sandbox_url):
    url = receiver_url(sandbox_url)
    endpoint, first = url_endpoint(acme, url, events=[Event.RECEIVED])
    assert first.startswith("whsec_")

    make_order(acme.store, number="#1001")
    send_all(endpoint)
    second = services.rotate_secret(None, endpoint, overlap=timedelta(hours=24))
    make_order(acme.store, number="#1002")
    send_all(endpoint)
    # The overlap ends: the old secret no longer signs.
    Endpoint.objects.filter(pk=endpoint.pk).update(
        previous_secret_until=timezone.now() - timedelta(seconds=1)
    )
    make_order(acme.store, number="#1003")
    send_all(endpoint)

    before, during, after = received(url)
    assert Webhook(first).verify(before["body"], before["headers"])["data"]["order"]["number"] == "#1001"
    with pytest.raises(WebhookVerificationError):
        Webhook(second).verify(before["body"], before["headers"])
    # During the overlap the header carries both signatures: receivers on either secret accept it.
    assert len(during["headers"]["webhook-signature"].split(" ")) == 2
    for secret in (first, second):
        payload = Webhook(secret).verify(during["body"], during["headers"])
        assert payload["type"] == "order.received" and payload["data"]["order"]["number"] == "#1002"
    assert Webhook(second).verify(after["body"], after["headers"])["data"]["order"]["number"] == "#1003"
    with pytest.raises(WebhookVerificationError):
        Webhook(first).verify(after["body"], after["headers"])
    assert Delivery.objects.filter(endpoint=endpoint, state=State.SENT).count() == 3
    # The receiver's page, for people (make run), lists them.
    assert Delivery.objects.filter(endpoint=endpoint).first().message_id in requests.get(url, timeout=10).text


def test_the_documented_verification_snippets_accept_a_real_postback(acme, sandbox_url):
    """docs/postbacks.md's two snippets, run as written, against what the receiver got."""
    url = receiver_url(sandbox_url)
    endpoint, secret = url_endpoint(acme, url, events=[Event.RECEIVED])
    make_order(acme.store, number="#1101")
    send_all(endpoint)
    (got,) = received(url)
    docs = (settings_module.BASE_DIR / "docs" / "postbacks.md").read_text()
    snippets = re.findall(r"```python\n(.*?)```", docs, flags=re.DOTALL)
    assert len(snippets) == 2
    with_package, plain = ({}, {})
    exec(snippets[0].replace('"whsec_..."', repr(secret)), with_package)  # noqa: S102 - our own docs
    exec(snippets[1], plain)  # noqa: S102
    assert with_package["handle"](got["body"].encode(), got["headers"])["data"]["order"]["number"] == "#1101"
    assert plain["verify"](secret, got["body"].encode(), got["headers"])
    tampered = got["body"].replace("#1101", "#1102").encode()
    assert not plain["verify"](secret, tampered, got["headers"])
    with pytest.raises(PermissionError):
        with_package["handle"](tampered, got["headers"])


def test_a_delivery_carries_the_documented_payload(acme, staff, sandbox_url):
    url = receiver_url(sandbox_url)
    endpoint, secret = url_endpoint(acme, url, events=[Event.CANCELED])
    order = make_order(acme.store, number="#2001")
    assert not Delivery.objects.exists()  # not subscribed to "received"
    move_items(staff, order, [], ItemStatus.CANCELED, reason="The buyer changed their mind.")
    send_all(endpoint)

    (got,) = received(url)
    payload = Webhook(secret).verify(got["body"], got["headers"])
    assert got["headers"]["webhook-id"] == Delivery.objects.get().message_id
    assert payload["type"] == "order.canceled"
    data = payload["data"]
    assert data["client"]["name"] == "Acme" and data["store"]["name"] == acme.store.name
    assert data["order"]["number"] == "#2001" and data["order"]["status"] == "canceled"
    assert data["status"] == "canceled"
    (item,) = data["items"]
    assert item["status"] == "canceled" and item["changed"] and item["status_reason"].startswith("The buyer")


def test_500_then_a_timeout_then_200_is_retried_with_growing_waits(
    acme, sandbox_url, celery_worker, monkeypatch
):
    """The real worker sends; the test drives time forward by making each retry due at once
    (rather than waiting the minutes the backoff asks for) and running the sweeper."""
    monkeypatch.setattr(sender, "TIMEOUT", 1)
    monkeypatch.setattr(sender, "QUEUE_WITHIN", timedelta(0))  # every retry waits for the sweeper
    url = receiver_url(sandbox_url, answers=["500", "hang", "200"], hang_seconds=3)
    endpoint, secret = url_endpoint(acme, url, events=[Event.RECEIVED])
    with transaction.atomic():
        make_order(acme.store, number="#3001")
    delivery = Delivery.objects.get(endpoint=endpoint)

    def attempts_logged(count):
        return lambda: (
            delivery.attempt_log.count() == count and Delivery.objects.get(pk=delivery.pk).claim is None
        )

    assert wait_for(attempts_logged(1), timeout=30)
    for count in (2, 3):
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())  # time passes
        send_due_postbacks.delay()
        assert wait_for(attempts_logged(count), timeout=30)

    first, second, third = delivery.attempt_log.order_by("number")
    assert (first.number, first.response_status) == (1, 500)
    assert "500" in first.error and "Something broke" in first.response_excerpt
    assert second.response_status is None and "did not answer in time" in second.error
    assert (third.response_status, third.error, third.retry_at) == (200, "", None)
    wait_after = [attempt.retry_at - attempt.started_at for attempt in (first, second)]
    assert timedelta(seconds=40) < wait_after[0] < wait_after[1]
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (State.SENT, 3)
    # Every attempt is the same message, each freshly signed.
    got = received(url)
    assert [row["answer"] for row in got] == ["500", "hang", "200"]
    assert {row["headers"]["webhook-id"] for row in got} == {delivery.message_id}
    Webhook(secret).verify(got[-1]["body"], got[-1]["headers"])


def test_the_sweeper_sends_what_was_never_queued_or_was_left_by_a_dead_worker(
    acme, sandbox_url, celery_worker, monkeypatch
):
    url = receiver_url(sandbox_url)
    endpoint, _secret = url_endpoint(acme, url, events=[Event.RECEIVED])
    monkeypatch.setattr(services, "enqueue_on_commit", lambda *args: None)  # the broker was away
    with transaction.atomic():
        make_order(acme.store, number="#3101")
        make_order(acme.store, number="#3102")
    never_queued, abandoned = endpoint.deliveries.order_by("id")
    held = sender.claims.claim(sender.waiting(), abandoned.pk, sender.CLAIM_FOR)  # then the worker died
    assert held is not None and sender.send(abandoned.pk) is None  # nobody else sends it meanwhile
    Delivery.objects.filter(pk=abandoned.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))

    send_due_postbacks.delay()
    assert wait_for(lambda: endpoint.deliveries.filter(state=State.SENT).count() == 2, timeout=30)
    assert sorted(json.loads(row["body"])["data"]["order"]["number"] for row in received(url)) == [
        "#3101",
        "#3102",
    ]
    assert Delivery.objects.get(pk=abandoned.pk).attempts == 2  # the lost attempt counts
    assert Delivery.objects.get(pk=never_queued.pk).attempts == 1


def test_the_waits_grow_to_about_three_days_in_all():
    waits = [sender.retry_delay(attempts) for attempts in range(1, sender.MAX_ATTEMPTS)]
    assert all(later > earlier for earlier, later in itertools.pairwise(waits[:9]))
    assert max(waits) <= sender.BACKOFF_CAP
    assert timedelta(days=2) < sum(waits, timedelta()) < timedelta(days=3, hours=1)


def test_410_switches_the_endpoint_off_and_tells_the_admins(acme, staff, sandbox_url):
    url = receiver_url(sandbox_url, answers=["410"])
    endpoint, _secret = url_endpoint(acme, url, events=[Event.RECEIVED])
    make_order(acme.store, number="#4001")
    send_all(endpoint)

    endpoint.refresh_from_db()
    assert not endpoint.enabled and "410" in endpoint.disabled_reason
    delivery = endpoint.deliveries.get()
    assert delivery.state == State.FAILED and delivery.attempts == 1
    assert [message.to for message in mail.outbox] == [[acme.user("admin").email]]
    assert endpoint.url in mail.outbox[0].body
    # A switched-off endpoint gets no new deliveries.
    make_order(acme.store, number="#4002")
    assert endpoint.deliveries.count() == 1


def test_attempts_that_run_out_switch_the_endpoint_off(acme, sandbox_url, monkeypatch):
    monkeypatch.setattr(sender, "MAX_ATTEMPTS", 2)
    url = receiver_url(sandbox_url, answers=["500", "500", "500"])
    endpoint, _secret = url_endpoint(acme, url, events=[Event.RECEIVED])
    make_order(acme.store, number="#5001")
    delivery = endpoint.deliveries.get()
    sender.send(delivery.pk)
    assert Delivery.objects.get(pk=delivery.pk).state == State.PENDING
    assert sender.send(delivery.pk) is None  # not due yet: its retry waits
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    sender.send(delivery.pk)

    delivery.refresh_from_db()
    endpoint.refresh_from_db()
    assert delivery.state == State.FAILED and not endpoint.enabled
    assert "2 attempts failed" in endpoint.disabled_reason
    assert len(mail.outbox) == 1 and "switched off" in mail.outbox[0].subject


def test_an_endpoint_that_leads_to_a_private_address_is_refused_when_sending(acme):
    endpoint, _secret = url_endpoint(acme, "http://10.1.2.3/hooks", events=[Event.RECEIVED])
    make_order(acme.store, number="#6001")
    send_all(endpoint)
    attempt = endpoint.deliveries.get().attempt_log.get()
    assert "private" in attempt.error and attempt.response_status is None
    endpoint.refresh_from_db()
    assert not endpoint.enabled and "private" in endpoint.disabled_reason


def test_a_rolled_back_status_change_sends_nothing(acme, staff, sandbox_url, celery_worker):
    url = receiver_url(sandbox_url)
    endpoint, _secret = url_endpoint(acme, url, events=[Event.RECEIVED, Event.CANCELED])
    with transaction.atomic():
        order = make_order(acme.store, number="#7001")
    assert wait_for(lambda: len(received(url)) == 1)

    class Abandoned(Exception):
        pass

    with pytest.raises(Abandoned), transaction.atomic():
        move_items(staff, order, [], ItemStatus.CANCELED, reason="Changed their mind")
        assert endpoint.deliveries.count() == 2  # written in the transaction...
        raise Abandoned
    assert endpoint.deliveries.count() == 1  # ...and gone with it
    # A change that commits is sent: the receiver hears of it, and of nothing rolled back.
    move_items(staff, order, [], ItemStatus.CANCELED, reason="Really")
    assert wait_for(lambda: len(received(url)) == 2)
    types = [json.loads(row["body"])["type"] for row in received(url)]
    assert types == ["order.received", "order.canceled"]
    assert json.loads(received(url)[1]["body"])["data"]["items"][0]["status_reason"] == "Really"


def test_email_postbacks_send_the_same_events(acme, staff):
    endpoint, secret = services.create_endpoint(
        None, acme.client, kind=Endpoint.Kind.EMAIL, email="ops@acme.example", events=[Event.RECEIVED]
    )
    assert secret == ""
    make_order(acme.store, number="#8001")
    send_all(endpoint)
    (message,) = mail.outbox
    assert message.to == ["ops@acme.example"] and "#8001" in message.subject
    assert '"type": "order.received"' in message.body
    delivery = endpoint.deliveries.get()
    assert delivery.state == State.SENT and delivery.attempt_log.get().succeeded


def test_an_email_postback_is_written_in_the_language_of_whoever_set_it_up(acme):
    admin = acme.user(Role.ADMIN)
    admin.language = "es"
    admin.save()
    endpoint, _secret = services.create_endpoint(
        admin, acme.client, kind=Endpoint.Kind.EMAIL, email="ops@acme.example", events=[Event.RECEIVED]
    )
    make_order(acme.store, number="#8201")
    send_all(endpoint)
    (message,) = mail.outbox
    assert "Un postback para Acme" in message.body


@pytest.mark.parametrize("answer", ["nul-body", "bad-charset"])
def test_an_odd_answer_body_is_logged_and_the_postback_is_not_sent_again(acme, sandbox_url, answer):
    """A receiver's 200 whose body Postgres cannot store (a NUL byte) or Python cannot decode
    (an unknown charset) is still a delivery: logged once, never sent again."""
    url = receiver_url(sandbox_url, answers=[answer])
    endpoint, _secret = url_endpoint(acme, url, events=[Event.RECEIVED])
    make_order(acme.store, number="#7001")
    delivery = endpoint.deliveries.get()
    sender.send(delivery.pk)

    delivery.refresh_from_db()
    assert (delivery.state, delivery.claim) == (State.SENT, None)
    attempt = delivery.attempt_log.get()
    assert attempt.response_status == 200 and attempt.response_excerpt.startswith("ok")
    assert "\x00" not in attempt.response_excerpt
    # Later sweeps find nothing to send: the receiver got it once.
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now(), claimed_until=None)
    assert sender.send_due() == 0 and sender.send(delivery.pk) is None
    assert [row["answer"] for row in received(url)] == [answer]


def test_a_body_that_trickles_in_does_not_hold_the_worker(acme, sandbox_url, monkeypatch):
    """The answer's excerpt is read for at most the sender's timeout in all, however slowly
    the receiver sends it: past the claim, the delivery would be sent again by another worker."""
    monkeypatch.setattr(sender, "TIMEOUT", 1)
    url = receiver_url(sandbox_url, answers=["trickle"])
    endpoint, _secret = url_endpoint(acme, url, events=[Event.RECEIVED])
    make_order(acme.store, number="#7101")
    delivery = endpoint.deliveries.get()
    sender.send(delivery.pk)

    attempt = delivery.attempt_log.get()
    assert attempt.response_status == 200 and Delivery.objects.get(pk=delivery.pk).state == State.SENT
    assert 0 < len(attempt.response_excerpt) < 200  # of the 200 bytes the sandbox trickles


def test_an_event_builds_its_payload_once_for_all_its_endpoints(acme):
    for number in range(3):
        url_endpoint(acme, f"https://hooks.example/{number}", events=[Event.SHIPPED])
    built = []

    def build():
        built.append(1)
        return {"order": {"number": "#7201"}}

    deliveries = services.queue_event(acme.client.pk, Event.SHIPPED, "#7201", build)
    assert len(deliveries) == 3 and len(built) == 1
    assert len({delivery.message_id for delivery in deliveries}) == 3
    assert {delivery.payload["data"]["order"]["number"] for delivery in deliveries} == {"#7201"}


def test_a_receiver_that_trickles_its_answer_is_cut_at_the_deadline(acme, settings, monkeypatch):
    """Each byte of the answer's head comes within the read timeout; the exchange as a whole
    is cut, and the delivery waits for its next attempt (held past the claim, another worker
    would send it again)."""
    monkeypatch.setattr(sender, "TIMEOUT", 1)
    server = Trickler()
    settings.SANDBOX_URL = server.url
    try:
        endpoint, _secret = url_endpoint(acme, f"{server.url}/hooks", events=[Event.RECEIVED])
        make_order(acme.store, number="#7301")
        delivery = endpoint.deliveries.get()
        sender.send(delivery.pk)
    finally:
        server.close()

    attempt = delivery.attempt_log.get()
    assert "did not answer in time" in attempt.error and attempt.response_status is None
    delivery.refresh_from_db()
    assert (delivery.state, delivery.claim) == (State.PENDING, None)
    assert delivery.next_attempt_at > timezone.now()


def test_an_order_number_with_a_line_break_still_makes_an_email_postback(acme):
    """Numbers come from shops and CSV files; a line break in a mail subject is refused outright
    (and the delivery would be retried every few minutes, unlogged, until it gave up)."""
    endpoint, _secret = services.create_endpoint(
        None, acme.client, kind=Endpoint.Kind.EMAIL, email="ops@acme.example", events=[Event.RECEIVED]
    )
    make_order(acme.store, number="#8101\r\nBcc: someone@example.com")
    send_all(endpoint)
    (message,) = mail.outbox
    assert message.to == ["ops@acme.example"] and message.bcc == []
    assert message.subject == "order.received: #8101 Bcc: someone@example.com"
    assert endpoint.deliveries.get().state == State.SENT


def test_rotating_twice_within_an_overlap_keeps_the_first_secret_signing(acme, sandbox_url):
    """A double click or a refreshed page rotates twice: the secret in between reached nobody,
    and the receiver still has the first."""
    url = receiver_url(sandbox_url)
    endpoint, first = url_endpoint(acme, url, events=[Event.RECEIVED])
    unseen = services.rotate_secret(None, endpoint, overlap=timedelta(hours=24))
    shown = services.rotate_secret(None, endpoint, overlap=timedelta(hours=24))
    make_order(acme.store, number="#7401")
    send_all(endpoint)

    (got,) = received(url)
    assert len(got["headers"]["webhook-signature"].split(" ")) == 3
    for secret in (first, unseen, shown):
        assert Webhook(secret).verify(got["body"], got["headers"])["data"]["order"]["number"] == "#7401"
    # However often it is rotated, a few secrets rotated away sign at most; none once it ends.
    for _ in range(4):
        services.rotate_secret(None, endpoint, overlap=timedelta(hours=1))
    endpoint.refresh_from_db()
    assert len(services.signing_secrets(endpoint)) == 1 + services.PREVIOUS_KEPT
    services.rotate_secret(None, endpoint, overlap=timedelta(0))
    endpoint.refresh_from_db()
    assert services.signing_secrets(endpoint) == [endpoint.secret]


def test_an_unexpected_error_is_a_logged_attempt_retried_later(acme, monkeypatch, caplog):
    """Not left claimed (tried again every few minutes, with nothing in the log)."""
    endpoint, _secret = services.create_endpoint(
        None, acme.client, kind=Endpoint.Kind.EMAIL, email="ops@acme.example", events=[Event.RECEIVED]
    )
    make_order(acme.store, number="#7501")

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(sender.emails, "send", broken)
    delivery = endpoint.deliveries.get()
    sender.send(delivery.pk)

    delivery.refresh_from_db()
    assert (delivery.state, delivery.claim, delivery.attempts) == (State.PENDING, None, 1)
    assert delivery.next_attempt_at > timezone.now()
    assert "an error on our side" in delivery.attempt_log.get().error
    assert "RuntimeError: a bug" in caplog.text
