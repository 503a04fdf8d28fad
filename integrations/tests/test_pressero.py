"""Pressero: API credentials verified against the sandbox, the webhook settings shown, and
deliveries checked by their MessageHash."""

import hashlib
import json

import pytest
import requests
from django.urls import reverse

from core.tenancy import Role
from integrations.models import WebhookDelivery
from integrations.pressero.adapter import PresseroAdapter
from sandbox import demo_keys
from storefronts.models import Store

from .helpers import place_order, sandbox_form

ORDER_PLACED = {
    "Type": 10,
    "TypeName": "OrderPlaced",
    "MessageID": "0b6c1d2e-0000-4000-8000-000000000001",
    "Data": {"OrderNumber": 10234, "OrderItemSeq": 0},
}


@pytest.fixture
def host(settings, sandbox_url):
    settings.SANDBOX_ENABLED = True
    return f"{sandbox_url}/pressero/demo-b2b"


def credentials(host, **changes):
    return {
        "name": "Acme B2B portal",
        "host": host,
        "username": demo_keys.PRESSERO_USERNAME,
        "password": demo_keys.PRESSERO_PASSWORD,
        "subscriber_id": demo_keys.PRESSERO_SUBSCRIBER_ID,
        "consumer_id": demo_keys.PRESSERO_CONSUMER_ID,
        **changes,
    }


@pytest.fixture
def admin(client, acme):
    client.force_login(acme.user(Role.ADMIN))
    return client


@pytest.fixture
def store(admin, host):
    admin.post(reverse("integrations:connect_pressero"), credentials(host))
    return Store.objects.get(platform="pressero")


def test_a_name_another_store_has_is_a_form_error(admin, acme, host):
    response = admin.post(reverse("integrations:connect_pressero"), credentials(host, name="acme SHOP"))
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "Your company already has a store named “acme SHOP”: choose another name."
    ]
    assert not Store.objects.filter(platform="pressero").exists()


def test_connect_and_see_what_to_enter_in_pressero(admin, store, acme, host):
    assert (store.client, store.name, store.base_url, store.state) == (
        acme.client,
        "Acme B2B portal",
        host,
        "connected",
    )
    assert store.credentials["password"] == demo_keys.PRESSERO_PASSWORD
    page = admin.get(reverse("integrations:store", args=[store.code])).text
    assert reverse("hooks:pressero", args=[store.code]) in page
    assert store.webhook_secret in page
    assert "ACME" in page  # the integration ID is the client's reference ID


def test_people_who_cannot_manage_stores_do_not_see_the_key(client, store, acme):
    client.force_login(acme.user(Role.VIEWER))
    assert store.webhook_secret not in client.get(reverse("integrations:store", args=[store.code])).text


@pytest.mark.parametrize(
    ("changes", "cause"),
    [
        ({"password": "wrong"}, "Pressero refused these credentials"),
        ({"subscriber_id": "00000000-0000-0000-0000-000000000000"}, "Pressero refused these credentials"),
    ],
)
def test_wrong_credentials_save_nothing(admin, host, changes, cause):
    response = admin.post(reverse("integrations:connect_pressero"), credentials(host, **changes))
    assert cause in response.text
    assert not Store.objects.filter(platform="pressero").exists()


def test_an_address_that_is_not_pressero(admin, sandbox_url, host):
    response = admin.post(
        reverse("integrations:connect_pressero"), credentials(f"{sandbox_url}/woocommerce/demo-posters")
    )
    assert "does not answer as a Pressero Admin API" in response.text


def test_a_client_without_reference_id_is_asked_for_one(admin, acme, host):
    acme.client.reference_id = None
    acme.client.save()
    page = admin.get(reverse("integrations:connect_pressero"))
    assert "needs a reference ID first" in page.text
    admin.post(reverse("integrations:connect_pressero"), credentials(host))
    assert not Store.objects.filter(platform="pressero").exists()


def deliver(client, store, body, key=None):
    """MessageHash worked out here: SHA-1 over the security key followed by the raw body."""
    digest = hashlib.sha1((key or store.webhook_secret).encode() + body).hexdigest()  # noqa: S324 (Pressero's rule)
    return client.post(
        reverse("hooks:pressero", args=[store.code]),
        body,
        content_type="application/json",
        HTTP_MESSAGEHASH=digest,
    )


def test_a_delivery_with_the_right_hash_is_stored_once(client, store):
    body = json.dumps(ORDER_PLACED).encode()
    assert deliver(client, store, body).status_code == 200
    assert deliver(client, store, body).status_code == 200
    [delivery] = WebhookDelivery.objects.filter(store=store)
    assert (delivery.topic, delivery.state, delivery.delivery_key) == (
        "OrderPlaced",
        "received",
        ORDER_PLACED["MessageID"],
    )


def test_a_wrong_hash_is_refused_and_logged(client, store):
    response = deliver(client, store, json.dumps(ORDER_PLACED).encode(), key="not-the-key")
    assert response.status_code == 401
    assert WebhookDelivery.objects.get(store=store).state == "rejected"


def test_an_order_placed_on_the_site_arrives_with_its_hash(store, sandbox_url, live_server, settings):
    settings.SITE_URL = live_server.url
    url = live_server.url + reverse("hooks:pressero", args=[store.code])
    sandbox_form(
        sandbox_url,
        "pressero/demo-b2b",
        action="pressero_webhook",
        url=url,
        security_key=store.webhook_secret,
    )
    place_order(sandbox_url, "pressero/demo-b2b")
    [delivery] = WebhookDelivery.objects.filter(store=store, topic="OrderPlaced")
    assert (delivery.state, delivery.signature_valid) == ("received", True)
    number = json.loads(bytes(delivery.body))["Data"]["OrderNumber"]
    # The envelope is thin: the order itself is fetched from the API with the token.
    adapter = PresseroAdapter.from_store(store)
    token = adapter.authenticate()
    details = requests.get(
        f"{store.base_url}/api/v2/orders/{number}/items",
        headers={"Authorization": f"token {token}"},
        timeout=10,
    ).json()
    assert details[0]["Quantity"] == 2
