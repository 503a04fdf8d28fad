"""Webhook deliveries go through a Django handler of their own (config/deliveries.py): taken as
before, without the browser's middleware, and still refused for a host Printfront does not serve."""

import json
import uuid

import psycopg
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test import RequestFactory
from django.urls import URLResolver, get_resolver, reverse

from config.deliveries import PREFIX, routed
from integrations.models import WebhookDelivery
from integrations.tests.test_inbox import signed_headers, stores  # noqa: F401 (a fixture)

BODY = json.dumps({"id": 41, "status": "processing", "line_items": []}).encode()


def answer(app, request):
    """(status, headers) of the WSGI application's answer to a RequestFactory request. As
    Django's test client does, the request keeps the test's database connection open."""
    said = {}

    def start_response(status, headers, exc_info=None):
        said.update(status=status, headers=dict(headers))

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        b"".join(app(request.environ, start_response))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return said["status"], said["headers"]


def delivery(store, body=BODY, **extra):
    url = reverse("hooks:woocommerce", args=[store.code])
    headers = signed_headers(store.platform, body, topic="order.created")
    return RequestFactory().post(url, body, content_type="application/json", **headers, **extra)


def test_a_delivery_is_taken_without_the_browsers_middleware(stores):  # noqa: F811
    app = routed(WSGIHandler())
    status, headers = answer(app, delivery(stores["woocommerce"]))
    assert status == "200 OK" and WebhookDelivery.objects.filter(store=stores["woocommerce"]).count() == 1
    assert "Content-Security-Policy" not in headers and "X-Frame-Options" not in headers
    page_status, page_headers = answer(app, RequestFactory().get(reverse("health")))
    assert (
        page_status == "200 OK" and "Content-Security-Policy" in page_headers
    )  # the site's pages keep theirs


def test_a_delivery_for_a_host_not_served_is_refused(stores):  # noqa: F811
    status, _ = answer(routed(WSGIHandler()), delivery(stores["woocommerce"], HTTP_HOST="evil.example"))
    assert status.startswith("400") and not WebhookDelivery.objects.exists()


def test_every_receiver_is_under_the_prefix():
    [hooks] = [
        p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and p.namespace == "hooks"
    ]
    names = [pattern.name for pattern in hooks.url_patterns]
    assert names and all(
        reverse(f"hooks:{name}", kwargs={"code": uuid.uuid4()} if "<" in str(p.pattern) else {}).startswith(
            PREFIX
        )
        for name, p in zip(names, hooks.url_patterns, strict=True)
    )


def test_a_delivery_asks_no_health_check_before_its_statements(stores, monkeypatch):  # noqa: F811
    """A round trip fewer: a dead connection fails the delivery's own statement instead (500,
    and the platform sends again)."""
    checks = []
    monkeypatch.setattr(connection, "health_check_enabled", True)
    monkeypatch.setattr(connection, "health_check_done", False)
    monkeypatch.setattr(connection, "is_usable", lambda: checks.append("SELECT 1") or True)
    app = routed(WSGIHandler())
    status, _ = answer(app, delivery(stores["woocommerce"]))
    assert status == "200 OK" and checks == []
    connection.health_check_done = False
    answer(app, RequestFactory().get(reverse("health")))
    assert checks == ["SELECT 1"]  # the site's pages still check first


@pytest.mark.django_db(transaction=True)
def test_a_delivery_whose_connection_died_is_taken_on_a_new_one(stores):  # noqa: F811
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's pg_terminate_backend stands for a restart here")
    app, store = routed(WSGIHandler()), stores["woocommerce"]
    assert answer(app, delivery(store))[0] == "200 OK"
    db = connection.settings_dict
    with psycopg.connect(
        dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"], autocommit=True
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [connection.connection.info.backend_pid])
    second = json.dumps({"id": 42, "status": "processing", "line_items": []}).encode()
    assert answer(app, delivery(store, second))[0] == "200 OK"  # not a 500 the platform counts
    assert WebhookDelivery.objects.filter(store=store).count() == 2
