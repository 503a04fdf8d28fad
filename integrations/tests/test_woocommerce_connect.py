"""Connecting a WooCommerce store, over real HTTP against the sandbox's WooCommerce."""

import io
import socket

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from core.models import AuditEvent
from core.tenancy import Role
from storefronts.models import Store

from .helpers import READ_ONLY, READ_WRITE, check_again, sandbox_switch


@pytest.fixture
def store_url(sandbox_url, settings):
    settings.SANDBOX_ENABLED = True
    return f"{sandbox_url}/woocommerce/demo-posters"


def connect(client, url, key=READ_WRITE):
    return client.post(
        reverse("integrations:connect_woocommerce"),
        {"store_url": url, "consumer_key": key[0], "consumer_secret": key[1]},
    )


@pytest.fixture
def admin(client, acme):
    client.force_login(acme.user(Role.ADMIN))
    return client


def test_connect_with_a_read_write_key(admin, acme, store_url):
    response = connect(admin, store_url + "/")
    store = Store.objects.get(platform="woocommerce")
    assert response.url == reverse("integrations:store", args=[store.code])
    assert (store.client, store.name, store.state) == (acme.client, "Demo Posters", "connected")
    assert (store.shop_identity, store.base_url, store.scopes) == (store_url, store_url, ["read", "write"])
    assert store.credentials == {"consumer_key": READ_WRITE[0], "consumer_secret": READ_WRITE[1]}
    assert AuditEvent.objects.filter(verb="store.connected", client=acme.client).exists()


def test_a_shop_named_like_another_store_gets_a_distinct_name(admin, acme, store_url):
    Store.objects.create(client=acme.client, platform="manual", name="Demo Posters")
    response = connect(admin, store_url)
    store = Store.objects.get(platform="woocommerce")
    assert response.url == reverse("integrations:store", args=[store.code])
    assert (store.name, store.state) == ("Demo Posters (2)", "connected")


def test_the_secret_is_never_stored_or_dumped_in_plaintext(admin, store_url):
    connect(admin, store_url)
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials FROM storefronts_store WHERE platform = 'woocommerce'")
        [(raw,)] = cursor.fetchall()
    dump = io.StringIO()
    call_command("dumpdata", "storefronts", stdout=dump)
    for text in (raw, dump.getvalue()):
        assert READ_WRITE[1] not in text
    page = admin.get(reverse("integrations:store", args=[Store.objects.get(platform="woocommerce").code]))
    assert READ_WRITE[1] not in page.text


@pytest.mark.parametrize(
    ("url_suffix", "key", "cause"),
    [
        ("", (READ_WRITE[0], "cs_wrong"), "refused the consumer key or secret"),
        ("", READ_ONLY, "This key is read-only"),
        ("-nope", READ_WRITE, "does not answer as a WooCommerce REST API"),
    ],
)
def test_errors_name_the_cause_and_save_nothing(admin, store_url, url_suffix, key, cause):
    response = connect(admin, store_url + url_suffix, key)
    assert response.status_code == 200
    assert cause in response.text
    assert not Store.objects.filter(platform="woocommerce").exists()


def test_an_unreachable_store(admin, settings):
    settings.SANDBOX_ENABLED = True
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.SANDBOX_URL = f"http://127.0.0.1:{port}"  # a sandbox that is down
    response = connect(admin, f"http://127.0.0.1:{port}")
    assert "Could not connect to WooCommerce." in response.text
    assert not Store.objects.filter(platform="woocommerce").exists()


def test_private_addresses_are_refused_when_the_sandbox_is_off(admin, store_url, settings):
    settings.SANDBOX_ENABLED = False
    response = connect(admin, store_url)
    assert "Printfront does not connect to private, loopback or link-local addresses" in response.text
    assert not Store.objects.filter(platform="woocommerce").exists()


def test_reconnecting_keeps_the_store(admin, store_url):
    connect(admin, store_url)
    first = Store.objects.get(platform="woocommerce")
    Store.objects.filter(pk=first.pk).update(state="disconnected", credentials=None)
    connect(admin, store_url)
    again = Store.objects.get(platform="woocommerce")
    assert (again.pk, again.code, again.state) == (first.pk, first.code, "connected")
    assert again.credentials["consumer_key"] == READ_WRITE[0]
    assert AuditEvent.objects.filter(verb="store.reconnected").exists()


def test_a_shop_connected_by_another_client_is_refused(admin, client, globex, store_url):
    connect(admin, store_url)
    client.force_login(globex.user(Role.ADMIN))
    response = connect(client, store_url)
    assert "already connected to Printfront by another account" in response.text
    assert Store.objects.filter(platform="woocommerce").count() == 1


def test_verify_again_reports_a_revoked_key_then_recovers(admin, store_url, sandbox_url, celery_worker):
    connect(admin, store_url)
    store = Store.objects.get(platform="woocommerce")
    try:
        sandbox_switch(sandbox_url, fault="revoked")
        check_again(admin, store)
        store.refresh_from_db()
        assert store.state == "failing" and "refused the consumer key" in store.state_reason
        assert "The connection fails" in admin.get(reverse("integrations:store", args=[store.code])).text
    finally:
        sandbox_switch(sandbox_url)
    check_again(admin, store)
    store.refresh_from_db()
    assert (store.state, store.state_reason) == ("connected", "")


def test_disconnect_forgets_credentials_and_keeps_the_store(admin, store_url):
    connect(admin, store_url)
    store = Store.objects.get(platform="woocommerce")
    admin.post(reverse("integrations:store_disconnect", args=[store.code]))
    store.refresh_from_db()
    assert (store.state, store.credentials) == ("disconnected", None)
    assert "Connect again" in admin.get(reverse("integrations:store", args=[store.code])).text
