"""A store's health log: its webhook deliveries a page at a time, with their errors, and
replaying a failed signed one (processed again by the worker), by whom the store's page allows."""

import json

import pytest
from django.urls import reverse

from core.models import AuditEvent
from core.tenancy import Role
from core.testing import wait_for
from integrations.models import WebhookDelivery
from storefronts.models import Store

SHOP = "health-shop.myshopify.com"


def a_delivery(store, state=WebhookDelivery.State.FAILED, *, signed=True, topic="orders/create", **fields):
    return WebhookDelivery.objects.create(
        store=store,
        platform=store.platform,
        topic=topic,
        body=fields.pop("body", b"{}"),
        signature_valid=signed,
        state=state,
        **fields,
    )


def replay_url(delivery):
    return reverse("integrations:delivery_replay", kwargs={"code": delivery.code})


@pytest.fixture
def shop(acme):
    return Store.objects.create(client=acme.client, platform="shopify", name="Health", shop_identity=SHOP)


@pytest.mark.django_db
def test_deliveries_show_a_page_at_a_time_with_their_errors(client, acme, shop):
    for n in range(25):
        a_delivery(shop, WebhookDelivery.State.PROCESSED, topic=f"orders/updated-{n:02}")
    a_delivery(shop, error="The delivery's body is not JSON.", attempts=3)
    client.force_login(acme.user(Role.VIEWER))
    url = reverse("integrations:store", kwargs={"code": shop.code})
    first = client.get(url)
    assert len(first.context["deliveries"].object_list) == 20
    assert "body is not JSON" in first.text and "after 3 attempts" in first.text
    assert "Replay" not in first.text  # a viewer cannot replay
    second = client.get(url, {"page": 2})
    assert [d.topic for d in second.context["deliveries"].object_list] == [
        f"orders/updated-{n:02}" for n in range(5, -1, -1)
    ]


@pytest.mark.django_db
def test_replay_puts_a_failed_delivery_back_and_queues_it(
    client, acme, shop, django_capture_on_commit_callbacks
):
    delivery = a_delivery(shop, error="Boom", attempts=4)
    client.force_login(acme.user(Role.ADMIN))
    assert "Replay" in client.get(reverse("integrations:store", kwargs={"code": shop.code})).text
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(replay_url(delivery))
    assert response.status_code == 302 and response.url.endswith("#deliveries")
    assert len(callbacks) == 1  # its processing is queued once the change is committed
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.error) == ("received", 0, "")
    event = AuditEvent.objects.get(verb="delivery.replayed")
    assert event.client == acme.client and event.data["delivery"] == str(delivery.code)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("state", "signed"),
    [("rejected", False), ("too_large", False), ("processed", True), ("received", True), ("ignored", True)],
)
def test_replay_refuses_what_is_not_a_failed_signed_delivery(client, acme, shop, state, signed):
    delivery = a_delivery(shop, state, signed=signed, error="kept")
    client.force_login(acme.user(Role.ADMIN))
    response = client.post(replay_url(delivery), follow=True)
    assert response.status_code == 200
    delivery.refresh_from_db()
    assert (delivery.state, delivery.error) == (state, "kept")
    assert not AuditEvent.objects.filter(verb="delivery.replayed").exists()


@pytest.mark.django_db
def test_replay_is_for_the_stores_own_people(client, acme, globex, shop):
    delivery = a_delivery(shop)
    other = Store.objects.create(client=acme.client, platform="shopify", name="Other", shop_identity="o")
    acme.members[Role.STORE_MANAGER].stores.set([other])
    expected = {Role.VIEWER: 403, Role.ORDER_MANAGER: 403, Role.STORE_MANAGER: 404}
    for role, status in expected.items():
        client.force_login(acme.user(role))
        assert client.post(replay_url(delivery)).status_code == status, role
    for role in Role:
        client.force_login(globex.user(role))
        assert client.post(replay_url(delivery)).status_code == 404, role
    delivery.refresh_from_db()
    assert delivery.state == "failed"
    acme.members[Role.STORE_MANAGER].stores.add(shop)
    client.force_login(acme.user(Role.STORE_MANAGER))
    assert client.post(replay_url(delivery)).status_code == 302
    delivery.refresh_from_db()
    assert delivery.state == "received"


def test_a_replayed_delivery_is_processed_by_the_worker(client, acme, shop, celery_worker):
    """An uninstall that failed (the store's shop name was wrong then) is replayed once put
    right: the worker processes it and the store is disconnected."""
    delivery = a_delivery(
        shop,
        topic="app/uninstalled",
        body=json.dumps({"myshopify_domain": SHOP}).encode(),
        error="Not the shop's.",
    )
    client.force_login(acme.user(Role.ADMIN))
    client.post(replay_url(delivery))
    assert wait_for(lambda: WebhookDelivery.objects.get(pk=delivery.pk).state == "processed")
    shop.refresh_from_db()
    assert shop.state == Store.State.DISCONNECTED


@pytest.mark.django_db
def test_staff_see_a_stores_health_in_connect_and_replay(
    client, staff, acme, shop, django_capture_on_commit_callbacks
):
    delivery = a_delivery(shop, error="The shop was busy.")
    client.force_login(staff)
    stores = client.get(reverse("connect:client_stores", kwargs={"code": acme.client.code})).text
    page_url = reverse("connect_stores:store", kwargs={"code": shop.code})
    assert page_url in stores
    page = client.get(page_url).text
    assert "The shop was busy." in page and "Replay" in page
    assert reverse("orders:connect_store_orders", kwargs={"code": shop.code}) in page
    assert "None yet" in client.get(reverse("orders:connect_store_orders", kwargs={"code": shop.code})).text
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("connect_stores:delivery_replay", kwargs={"code": delivery.code}))
    assert response.url == f"{page_url}#deliveries" and len(callbacks) == 1
    delivery.refresh_from_db()
    assert delivery.state == "received"
    assert AuditEvent.objects.get(verb="delivery.replayed").actor == staff
