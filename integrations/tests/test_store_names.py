"""A client's stores have distinct names (ignoring case); Admins and Store Managers rename
their stores, and remove manual ones after confirming."""

import pytest
from django.db import IntegrityError
from django.urls import reverse

from core.models import AuditEvent
from core.tenancy import Role
from storefronts import services
from storefronts.models import Store


def rename(client, store, name):
    return client.post(reverse("integrations:store_rename", args=[store.code]), {"name": name})


@pytest.mark.parametrize("role", [Role.ADMIN, Role.STORE_MANAGER])
def test_admins_and_the_store_manager_rename_a_store(as_role, acme, role):
    client = as_role(role)
    page = client.get(reverse("integrations:store", args=[acme.store.code])).text
    assert reverse("integrations:store_rename", args=[acme.store.code]) in page

    response = rename(client, acme.store, "Trade counter")
    assert response.url == reverse("integrations:store", args=[acme.store.code])
    acme.store.refresh_from_db()
    assert acme.store.name == "Trade counter"
    event = AuditEvent.objects.get(verb="store.renamed")
    assert (event.client, event.target, event.data) == (acme.client, "Trade counter", {"from": "Acme shop"})


def test_a_store_manager_cannot_rename_a_store_not_theirs(as_role, acme):
    other = Store.objects.create(client=acme.client, platform="manual", name="Not yours")
    assert rename(as_role(Role.STORE_MANAGER), other, "Mine now").status_code == 404
    other.refresh_from_db()
    assert other.name == "Not yours"


def test_a_viewer_sees_no_rename(as_role, acme):
    client = as_role(Role.VIEWER)
    page = client.get(reverse("integrations:store", args=[acme.store.code])).text
    assert reverse("integrations:store_rename", args=[acme.store.code]) not in page
    assert rename(client, acme.store, "Viewer's shop").status_code == 403


def test_renaming_to_another_store_name_is_a_form_error(as_role, acme):
    Store.objects.create(client=acme.client, platform="shopify", name="Summer Shop", state="disconnected")
    response = rename(as_role(Role.ADMIN), acme.store, "summer shop")
    assert response.status_code == 200
    assert "Your company already has a store named “summer shop”" in response.text
    acme.store.refresh_from_db()
    assert acme.store.name == "Acme shop"
    assert not AuditEvent.objects.filter(verb="store.renamed").exists()


def test_a_store_keeps_its_own_name_in_another_case(as_role, acme):
    rename(as_role(Role.ADMIN), acme.store, "ACME SHOP")
    acme.store.refresh_from_db()
    assert acme.store.name == "ACME SHOP"


def test_another_client_may_use_the_same_name(as_role, acme, globex):
    rename(as_role(Role.ADMIN), acme.store, globex.store.name)
    acme.store.refresh_from_db()
    assert acme.store.name == globex.store.name


def test_a_manual_store_with_a_taken_name_is_refused(as_role, acme):
    response = as_role(Role.ADMIN).post(reverse("integrations:connect_manual"), {"name": "ACME Shop"})
    assert response.status_code == 200
    assert "Your company already has a store named “ACME Shop”" in response.text
    assert Store.objects.filter(client=acme.client).count() == 1


def test_the_database_refuses_two_names_that_differ_only_in_case(acme):
    with pytest.raises(IntegrityError):
        Store.objects.create(client=acme.client, platform="manual", name="ACME SHOP")


def test_a_free_name_is_numbered_and_fits_the_column(acme):
    assert services.free_store_name(acme.client, "Acme shop") == "Acme shop (2)"
    Store.objects.create(client=acme.client, platform="manual", name="acme shop (2)")
    assert services.free_store_name(acme.client, "Acme shop") == "Acme shop (3)"
    long_name = "x" * Store.NAME_MAX_LENGTH
    Store.objects.create(client=acme.client, platform="manual", name=long_name)
    free = services.free_store_name(acme.client, long_name)
    assert (len(free), free[-4:]) == (Store.NAME_MAX_LENGTH, " (2)")


def test_a_platform_name_is_numbered_where_it_is_stored_a_typed_one_refused(acme):
    # The name is chosen while the client's store names are locked, so two shops of the same
    # name connecting at once both get a store: no "choose another name" on a callback page.
    admin = acme.members[Role.ADMIN]
    connection = {"platform": "etsy", "name": "Acme shop", "base_url": "", "credentials": {}}
    store = services.connect_store(None, admin, shop_identity="1", number_taken_name=True, **connection)
    assert store.name == "Acme shop (2)"
    with pytest.raises(services.StoreNameTaken):
        services.connect_store(None, admin, shop_identity="2", **connection)


def test_removing_a_manual_store_asks_first(as_role, acme):
    client = as_role(Role.ADMIN)
    remove_url = reverse("integrations:store_remove", args=[acme.store.code])
    assert remove_url in client.get(reverse("integrations:store", args=[acme.store.code])).text
    page = client.get(remove_url)
    assert "Remove “Acme shop”?" in page.text and "This cannot be undone" in page.text
    assert Store.objects.filter(pk=acme.store.pk).exists()

    response = client.post(remove_url)
    assert response.url == reverse("integrations:stores")
    assert not Store.objects.filter(pk=acme.store.pk).exists()
    assert not acme.members[Role.STORE_MANAGER].stores.exists()
    assert AuditEvent.objects.filter(verb="store.removed", target="Acme shop", client=acme.client).exists()
    assert "The store “Acme shop” is removed." in client.get(response.url).text


def test_a_platform_store_is_not_removed(as_role, acme):
    store = Store.objects.create(client=acme.client, platform="woocommerce", name="Web shop")
    client = as_role(Role.ADMIN)
    assert (
        reverse("integrations:store_remove", args=[store.code])
        not in client.get(reverse("integrations:store", args=[store.code])).text
    )
    response = client.post(reverse("integrations:store_remove", args=[store.code]), follow=True)
    assert "Only manual stores can be removed" in response.text
    assert Store.objects.filter(pk=store.pk).exists()


def test_a_store_manager_removes_only_their_own_manual_store(as_role, acme):
    other = Store.objects.create(client=acme.client, platform="manual", name="Not yours")
    client = as_role(Role.STORE_MANAGER)
    assert client.post(reverse("integrations:store_remove", args=[other.code])).status_code == 404
    assert Store.objects.filter(pk=other.pk).exists()
    client.post(reverse("integrations:store_remove", args=[acme.store.code]))
    assert not Store.objects.filter(pk=acme.store.pk).exists()
