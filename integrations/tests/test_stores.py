"""Storefronts > Stores: the list, the platform tiles, and manual stores."""

import pytest
from django.urls import reverse

from core.models import AuditEvent
from core.tenancy import Role
from integrations.registry import PLATFORMS
from storefronts.models import Store


def test_admin_creates_a_manual_store(as_role, acme):
    client = as_role(Role.ADMIN)
    page = client.get(reverse("integrations:stores"))
    assert "Manual store" in page.text and reverse("integrations:connect_manual") in page.text

    response = client.post(reverse("integrations:connect_manual"), {"name": "Trade counter"})
    store = Store.objects.get(name="Trade counter")
    assert response.url == reverse("integrations:store", args=[store.code])
    assert (store.client, store.platform, store.state) == (acme.client, "manual", "connected")
    assert store.connected_at is not None
    assert AuditEvent.objects.filter(
        verb="store.connected", target="Trade counter", client=acme.client
    ).exists()
    assert "Trade counter" in client.get(response.url).text


def test_a_store_needs_a_name(as_role):
    response = as_role(Role.ADMIN).post(reverse("integrations:connect_manual"), {"name": "  "})
    assert response.status_code == 200
    assert "This field is required." in response.text
    assert not Store.objects.filter(platform="manual", name="").exists()


def test_store_managers_see_and_get_only_their_stores(as_role, acme):
    other = Store.objects.create(client=acme.client, platform="manual", name="Not yours")
    client = as_role(Role.STORE_MANAGER)
    page = client.get(reverse("integrations:stores"))
    assert acme.store.name in page.text and "Not yours" not in page.text
    assert client.get(reverse("integrations:store", args=[other.code])).status_code == 404


def test_a_store_manager_manages_the_store_they_create(as_role, acme):
    client = as_role(Role.STORE_MANAGER)
    client.post(reverse("integrations:connect_manual"), {"name": "Pop-up"})
    store = Store.objects.get(name="Pop-up")
    assert store in acme.members[Role.STORE_MANAGER].stores.all()
    assert client.get(reverse("integrations:store", args=[store.code])).status_code == 200


def test_view_only_sees_stores_but_cannot_connect(as_role, acme):
    client = as_role(Role.VIEWER)
    page = client.get(reverse("integrations:stores"))
    assert acme.store.name in page.text
    assert reverse("integrations:connect_manual") not in page.text
    assert client.post(reverse("integrations:connect_manual"), {"name": "X"}).status_code == 403
    assert not Store.objects.filter(name="X").exists()


def test_order_managers_have_no_stores_page(as_role):
    client = as_role(Role.ORDER_MANAGER)
    assert client.get(reverse("integrations:stores")).status_code == 403
    # (Their dashboard links a manual store's order pages, which live under the store's address.)
    assert f'href="{reverse("integrations:stores")}"' not in client.get(reverse("storefronts:dashboard")).text


def test_staff_see_a_client_stores_in_connect(client, staff, acme, globex):
    client.force_login(staff)
    page = client.get(reverse("connect:client_stores", args=[acme.client.code]))
    assert acme.store.name in page.text and globex.store.name not in page.text


@pytest.mark.parametrize("platform", ["shopify", "etsy", "woocommerce", "pressero"])
def test_a_failing_store_offers_connect_again(as_role, acme, platform):
    store = Store.objects.create(
        client=acme.client,
        platform=platform,
        name="Failing shop",
        state=Store.State.FAILING,
        state_reason="The platform refused our key. Connect the store again.",
    )
    connect_url = reverse(PLATFORMS[platform].connect_url_name)
    page = as_role(Role.ADMIN).get(reverse("integrations:store", args=[store.code])).text
    assert f'href="{connect_url}">Connect again</a>' in page
    page = as_role(Role.VIEWER).get(reverse("integrations:store", args=[store.code])).text
    assert connect_url not in page


def test_a_working_store_offers_no_connect_again(as_role, acme):
    store = Store.objects.create(client=acme.client, platform="woocommerce", name="Fine shop")
    page = as_role(Role.ADMIN).get(reverse("integrations:store", args=[store.code])).text
    assert "Connect again" not in page
