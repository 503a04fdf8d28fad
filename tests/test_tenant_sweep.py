"""The tenant sweep: every URL of the project, as every kind of visitor.

- every pattern is listed in tests/urls.py (a new one fails here until it is);
- an anonymous visitor is sent to sign in on every Connect and Storefronts page;
- a client's people get no access to any Connect page;
- every role of client B gets 404 for each of client A's objects;
- pages of the printer's shared data (the catalog) show client B nothing of client A.
"""

import pytest
from django.urls import reverse

from core.tenancy import Role
from tests.urls import (
    CONNECT,
    PUBLIC,
    STOREFRONTS,
    STOREFRONTS_OBJECTS,
    STOREFRONTS_OWN,
    STOREFRONTS_SHARED,
    store_product,
    url_names,
)

PRIVATE = {**CONNECT, **STOREFRONTS}


def test_every_url_pattern_is_covered():
    names = list(url_names())
    assert None not in names, "every URL pattern needs a name"
    uncovered = sorted(set(names) - PUBLIC - set(PRIVATE))
    assert not uncovered, f"add these URL names to tests/urls.py: {uncovered}"
    stale = sorted((PUBLIC | set(PRIVATE)) - set(names))
    assert not stale, f"tests/urls.py lists URLs that no longer exist: {stale}"


@pytest.mark.parametrize("name", sorted(PRIVATE))
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_is_sent_to_sign_in(client, acme, name, method):
    response = getattr(client, method)(reverse(name, kwargs=PRIVATE[name](acme)))
    assert response.status_code == 302, name
    assert response.url.startswith(reverse("account_login") + "?next="), name


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("name", sorted(CONNECT))
@pytest.mark.parametrize("method", ["get", "post"])
def test_client_people_get_no_access_to_connect(client, acme, role, name, method):
    client.force_login(acme.user(role))
    response = getattr(client, method)(reverse(name, kwargs=CONNECT[name](acme)))
    assert response.status_code == 403, name


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("name", sorted(STOREFRONTS_OBJECTS))
@pytest.mark.parametrize("method", ["get", "post"])
def test_client_b_gets_404_for_client_a_objects(client, acme, globex, role, name, method):
    client.force_login(globex.user(role))
    response = getattr(client, method)(reverse(name, kwargs=STOREFRONTS_OBJECTS[name](acme)))
    assert response.status_code == 404, name


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("name", sorted(STOREFRONTS_OWN))
def test_client_b_pages_show_nothing_of_client_a(client, acme, globex, role, name):
    url = reverse(name, kwargs=STOREFRONTS_OWN[name](acme))  # which may give client A things to leak
    client.force_login(globex.user(role))
    response = client.get(url)
    assert response.status_code < 500, name
    for text in [acme.client.name, acme.store.name, *(acme.user(r).email for r in Role)]:
        assert text not in response.text, (name, text)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("name", sorted(STOREFRONTS_SHARED))
def test_shared_pages_show_client_b_nothing_of_client_a(client, acme, globex, role, name):
    # Client A has a synced product too: nothing of it may show on the shared pages.
    product = store_product(acme)
    client.force_login(globex.user(role))
    response = client.get(reverse(name, kwargs=STOREFRONTS_SHARED[name](acme)))
    assert response.status_code < 500, name
    body = b"".join(response.streaming_content) if response.streaming else response.content
    for text in [acme.client.name, acme.store.name, product.title, *(acme.user(r).email for r in Role)]:
        assert text.encode() not in body, (name, text)
