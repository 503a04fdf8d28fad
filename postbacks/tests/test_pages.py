"""The postback pages: Storefronts > Settings > Postbacks for a client's Admins, and the
client's Postbacks tab in Connect for staff."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from core.tenancy import Role
from postbacks import services
from postbacks.models import Attempt, Delivery, Endpoint, Event

from .helpers import url_endpoint

ADD = reverse("postbacks:add")
PRIVATE_URLS = ["http://10.0.0.5/hooks", "http://127.0.0.1:9/hooks", "http://169.254.169.254/latest"]


@pytest.fixture
def admin(client, acme):
    client.force_login(acme.user(Role.ADMIN))
    return client


def form(url="https://hooks.example/pf", **fields):
    return {"url": url, "events": [Event.RECEIVED, Event.SHIPPED], **fields}


def test_an_admin_adds_an_endpoint_and_sees_its_secret_once(admin, acme, sandbox_url, settings):
    settings.SANDBOX_ENABLED = True
    url = f"{sandbox_url}/postbacks/demo/"
    response = admin.post(ADD, form(url, description="Our ERP"))
    assert response.status_code == 200
    endpoint = Endpoint.objects.get()
    shown = re.search(r"whsec_[A-Za-z0-9+/=]+", response.text).group(0)
    assert "no-store" in response["Cache-Control"]  # not kept by the browser (back button) or a proxy
    assert shown == endpoint.secret and endpoint.client == acme.client
    assert (endpoint.url, endpoint.events) == (url, [Event.RECEIVED, Event.SHIPPED])
    page = admin.get(reverse("postbacks:endpoint", args=[endpoint.code]))
    assert page.status_code == 200 and shown not in page.text
    assert AuditEvent.objects.filter(verb="postback.created", client=acme.client).exists()
    assert "Our ERP" in admin.get(reverse("postbacks:endpoints")).text


@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_an_endpoint_on_a_private_address_is_refused(admin, url, settings):
    settings.SANDBOX_ENABLED = True
    response = admin.post(ADD, form(url))
    assert response.status_code == 200
    assert "Printfront does not connect to private, loopback or link-local addresses." in response.text
    assert not Endpoint.objects.exists()


def test_plain_http_is_refused_without_the_sandbox(admin, settings):
    settings.SANDBOX_ENABLED = False
    response = admin.post(ADD, form("http://hooks.example/pf"))
    assert "Use an https address" in response.text and not Endpoint.objects.exists()


def test_bad_input_changes_nothing_and_says_why(admin):
    response = admin.post(ADD, {"url": "", "events": []})
    assert response.text.count("This field is required.") == 2
    response = admin.post(ADD + "?kind=email", {"email": "not an address", "events": [Event.SHIPPED]})
    assert "Enter a valid email address." in response.text
    response = admin.post(ADD, form(events=["order.exploded"]))
    assert "Select a valid choice." in response.text
    assert not Endpoint.objects.exists()


def test_a_client_has_at_most_so_many_endpoints(admin, acme, monkeypatch):
    monkeypatch.setattr(services, "ENDPOINT_LIMIT", 2)
    for number in range(2):
        url_endpoint(acme, f"https://hooks.example/{number}")
    response = admin.post(ADD + "?kind=email", {"email": "ops@acme.example", "events": [Event.SHIPPED]})
    assert "at most 2 postback endpoints" in response.text
    assert Endpoint.objects.count() == 2


def test_a_double_click_or_a_refresh_adds_no_second_endpoint(admin, acme, settings, sandbox_url):
    """The same form posted twice (the second answer's secret is the one people see) would make
    an endpoint whose secret nobody has: its postbacks fail to verify, and every event goes twice."""
    settings.SANDBOX_ENABLED = True
    url, other_url = f"{sandbox_url}/postbacks/twice/", f"{sandbox_url}/postbacks/other/"
    admin.post(ADD, form(url))
    again = admin.post(ADD, form(url))
    assert "is a postback endpoint already" in again.text and "whsec_" not in again.text
    email = {"email": "Ops@acme.example", "events": [Event.SHIPPED]}
    admin.post(ADD + "?kind=email", email)
    again = admin.post(ADD + "?kind=email", {**email, "email": "ops@acme.example"})
    assert "is a postback endpoint already" in again.text
    assert Endpoint.objects.count() == 2
    # Nor can an endpoint be changed into another one's twin.
    other, _secret = url_endpoint(acme, other_url)
    response = admin.post(reverse("postbacks:endpoint", args=[other.code]), form(url))
    assert "is a postback endpoint already" in response.text
    other.refresh_from_db()
    assert other.url == other_url


def test_rotating_shows_the_new_secret_once_and_keeps_the_old_one_signing(admin, acme, settings):
    settings.SANDBOX_ENABLED = True
    endpoint, old = url_endpoint(acme, "https://hooks.example/pf")
    response = admin.post(reverse("postbacks:rotate", args=[endpoint.code]), {"overlap": 24})
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.secret in response.text and old not in response.text
    assert "The previous secret keeps signing too until" in response.text
    assert "no-store" in response["Cache-Control"]
    assert endpoint.previous_secret == old and endpoint.previous_secret_until is not None
    assert services.signing_secrets(endpoint) == [endpoint.secret, old]
    admin.post(reverse("postbacks:rotate", args=[endpoint.code]), {"overlap": 0})
    endpoint.refresh_from_db()
    assert services.signing_secrets(endpoint) == [endpoint.secret]


def test_the_log_pages_and_resends_a_failed_delivery(admin, acme):
    endpoint, _secret = url_endpoint(acme, "https://hooks.example/pf")
    for number in range(30):
        Delivery.objects.create(
            endpoint=endpoint,
            event=Event.SHIPPED,
            subject=f"#{2000 + number}",
            payload={},
            message_id=f"msg_{number}",
            state=Delivery.State.FAILED,
            attempts=18,
        )
    page = reverse("postbacks:endpoint", args=[endpoint.code])
    with CaptureQueriesContext(connection) as queries:
        first = admin.get(page)
    # (read before the next request: it empties the connection's query log)
    assert not any('"postbacks_delivery"."payload"' in query["sql"] for query in queries.captured_queries)
    second = admin.get(page + "?page=2")
    assert "#2029" in first.text and "#2000" not in first.text and "Page 1 of 2" in first.text
    assert "#2000" in second.text
    delivery = Delivery.objects.get(subject="#2000")
    response = admin.post(reverse("postbacks:resend", args=[delivery.code]))
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.message_id) == (Delivery.State.PENDING, 0, "msg_0")
    # Switched off, the endpoint gets it when it is on again: the page says so.
    services.disable(None, endpoint, "Testing")
    other = Delivery.objects.get(subject="#2001")
    response = admin.post(reverse("postbacks:resend", args=[other.code]), follow=True)
    assert "once the endpoint is switched on" in response.text


def test_a_deliverys_attempts_come_a_page_at_a_time(admin, acme):
    """Each Resend starts a new round of attempts: the page must not grow without end."""
    endpoint, _secret = url_endpoint(acme, "https://hooks.example/pf")
    delivery = services.send_test(None, endpoint)
    start = timezone.now()
    Attempt.objects.bulk_create(
        Attempt(delivery=delivery, number=n, started_at=start + timedelta(minutes=n), error=f"Error {n:02}.")
        for n in range(1, 31)
    )
    page = reverse("postbacks:delivery", args=[delivery.code])
    with CaptureQueriesContext(connection) as first_page:
        first = admin.get(page)
    assert 0 < len(first_page) < 15  # a few queries, not one an attempt
    assert "Error 30." in first.text and "Error 10." not in first.text and "Page 1 of 2" in first.text
    assert "Error 10." in admin.get(page + "?page=2").text


def test_a_test_postback_is_queued_and_shows_in_the_log(admin, acme):
    endpoint, _secret = url_endpoint(acme, "https://hooks.example/pf", events=[Event.SHIPPED])
    admin.post(reverse("postbacks:test", args=[endpoint.code]))
    delivery = endpoint.deliveries.get()
    assert delivery.event == "postback.test" and delivery.payload["data"]["client"]["name"] == "Acme"
    assert "postback.test" in admin.get(reverse("postbacks:endpoint", args=[endpoint.code])).text
    # One at a time: while it waits, another click queues nothing more.
    response = admin.post(reverse("postbacks:test", args=[endpoint.code]), follow=True)
    assert "still on its way" in response.text and endpoint.deliveries.count() == 1
    Delivery.objects.filter(pk=delivery.pk).update(state=Delivery.State.SENT)
    admin.post(reverse("postbacks:test", args=[endpoint.code]))
    assert endpoint.deliveries.count() == 2


def test_switching_off_and_on(admin, acme):
    endpoint, _secret = url_endpoint(acme, "https://hooks.example/pf")
    switch = reverse("postbacks:toggle", args=[endpoint.code])
    admin.post(switch)
    endpoint.refresh_from_db()
    assert not endpoint.enabled and "Switched off by" in endpoint.disabled_reason
    admin.post(switch)
    endpoint.refresh_from_db()
    assert endpoint.enabled and endpoint.disabled_reason == ""


def test_another_client_can_neither_see_nor_touch_the_endpoints(client, acme, globex):
    endpoint, _secret = url_endpoint(acme, "https://hooks.example/acme-only")
    delivery = services.send_test(None, endpoint)
    client.force_login(globex.user(Role.ADMIN))
    assert "acme-only" not in client.get(reverse("postbacks:endpoints")).text
    for name in ("endpoint", "rotate", "toggle", "remove", "test"):
        url = reverse(f"postbacks:{name}", args=[endpoint.code])
        assert client.get(url).status_code == 404 and client.post(url).status_code == 404, name
    for name in ("delivery", "resend"):
        assert client.post(reverse(f"postbacks:{name}", args=[delivery.code])).status_code == 404
    endpoint.refresh_from_db()
    assert endpoint.enabled and Endpoint.objects.count() == 1 and endpoint.deliveries.count() == 1


def test_staff_manage_a_clients_postbacks_in_connect(client, staff, acme, settings):
    settings.SANDBOX_ENABLED = True
    client.force_login(staff)
    listing = reverse("postbacks:connect_endpoints", args=[acme.client.code])
    assert "No postback endpoints yet" in client.get(listing).text
    response = client.post(
        reverse("postbacks:connect_add", args=[acme.client.code]) + "?kind=email",
        {"email": "ops@acme.example", "events": [Event.SHIPPED]},
    )
    endpoint = Endpoint.objects.get()
    assert response.url == reverse("postbacks:connect_endpoint", args=[endpoint.code])
    assert endpoint.client == acme.client and endpoint.created_by == staff and endpoint.secret == ""
    assert "ops@acme.example" in client.get(listing).text
    audit = AuditEvent.objects.get(verb="postback.created")
    assert (audit.actor, audit.client) == (staff, acme.client)
