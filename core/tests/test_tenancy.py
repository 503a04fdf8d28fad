import pytest
from django.http import Http404
from django.test import RequestFactory

from core.tenancy import Role, active_memberships, get_or_404, scoped
from storefronts.models import Membership, Store


def request_as(membership):
    request = RequestFactory().get("/")
    request.user = membership.user
    request.membership = membership
    request.client = membership.client
    return request


def test_scoped_keeps_to_the_request_client(acme, globex):
    request = request_as(acme.members[Role.ADMIN])
    assert list(scoped(request, Membership)) == sorted(acme.members.values(), key=lambda m: m.user.email)
    with pytest.raises(Http404):
        get_or_404(request, Membership, code=globex.members[Role.ADMIN].code)
    with pytest.raises(Http404):
        get_or_404(request, Store, code=globex.store.code)


def test_store_managers_see_only_their_stores(acme):
    other = Store.objects.create(client=acme.client, platform="manual", name="Other")
    manager = request_as(acme.members[Role.STORE_MANAGER])
    admin = request_as(acme.members[Role.ADMIN])
    assert list(scoped(manager, Store)) == [acme.store]
    assert set(scoped(admin, Store)) == {acme.store, other}
    with pytest.raises(Http404):
        get_or_404(manager, Store, code=other.code)


def test_clients_with_access_off_are_not_active(acme, globex):
    user = acme.user(Role.VIEWER)
    Membership.objects.create(user=user, client=globex.client, role=Role.VIEWER)
    assert [m.client for m in active_memberships(user)] == [acme.client, globex.client]
    globex.client.storefronts_enabled = False
    globex.client.save()
    assert [m.client for m in active_memberships(user)] == [acme.client]
