"""Etsy over real HTTP against the sandbox: PKCE connect, expiring and rotating tokens, the
shared-secret header, paging by limit and offset."""

import time
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from django.urls import reverse
from django.utils import timezone
from etsy_python.v3.resources import Session as EtsySession

from core import http
from core.signing import pkce_pair
from core.tenancy import Role
from integrations.base import AdapterError
from integrations.etsy.adapter import EtsyAdapter, source_product, updated_since
from integrations.tasks import refresh_expiring_tokens
from sandbox import demo_keys
from storefronts.models import Store

from .helpers import consent, place_order, sandbox_switch

CALLBACK = reverse("integrations:etsy_callback")


@pytest.fixture
def admin(client, acme):
    client.force_login(acme.user(Role.ADMIN))
    return client


def connect(admin, decision="allow"):
    start = admin.post(reverse("integrations:connect_etsy"))
    assert start.status_code == 302
    params = consent(start.url, decision=decision, callback_path=CALLBACK)
    return admin.get(CALLBACK, params), start.url


@pytest.fixture
def store(etsy, admin):
    connect(admin)
    return Store.objects.get(platform="etsy")


def test_connect_with_pkce(etsy, admin, acme):
    response, authorize = connect(admin)
    query = dict(parse_qsl(urlsplit(authorize).query))
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    store = Store.objects.get(platform="etsy")
    assert response.url == reverse("integrations:store", args=[store.code])
    assert (store.client, store.name) == (acme.client, "Demo Mugs & Gifts")
    prefix = store.credentials["access_token"].split(".")[0]
    assert prefix.isdigit() and store.credentials["refresh_token"].startswith(prefix + ".")


def test_denied_access_saves_nothing(etsy, admin):
    response, _ = connect(admin, decision="deny")
    assert response.status_code == 400
    assert "Access was not granted on Etsy" in response.text
    assert not Store.objects.filter(platform="etsy").exists()


def test_the_code_needs_its_pkce_verifier(etsy, admin):
    start = admin.post(reverse("integrations:connect_etsy"))
    code = consent(start.url, decision="allow", callback_path=CALLBACK)["code"]
    token_url = f"{etsy}/etsy/v3/public/oauth/token"
    redirect_uri = dict(parse_qsl(urlsplit(start.url).query))["redirect_uri"]
    base = {
        "grant_type": "authorization_code",
        "client_id": demo_keys.ETSY_APP_KEYSTRING,
        "code": code,
        "redirect_uri": redirect_uri,
    }
    missing = requests.post(token_url, data=base, timeout=10)
    assert missing.status_code == 400 and missing.json()["error_description"] == "code_verifier is required"
    wrong = requests.post(token_url, data={**base, "code_verifier": pkce_pair()[0]}, timeout=10)
    assert wrong.status_code == 400 and "does not match" in wrong.json()["error_description"]


def test_listings_page_by_limit_and_offset(store):
    listings = list(EtsyAdapter.from_store(store).iter_products(limit=3))
    assert len(listings) == 10  # the active ones of the demo catalogue, in four pages
    assert len({listing["listing_id"] for listing in listings}) == 10


def test_limit_over_100_is_refused(store):
    with pytest.raises(AdapterError, match="HTTP 400"):
        EtsyAdapter.from_store(store).call("GET", f"shops/{store.shop_identity}/listings", {"limit": 101})


def test_an_expired_token_is_refused_and_refreshed_before_use(store, etsy):
    sandbox_switch(etsy, shop="etsy/demo-mugs", token_lifetime=1)
    adapter = EtsyAdapter.from_store(store)
    adapter.refresh_if_needed(margin=timedelta(days=1))  # a token that lives 1 s
    expired = dict(adapter.credentials)
    time.sleep(1.2)
    answer = requests.get(
        f"{etsy}/etsy/v3/application/users/me",
        headers={
            "x-api-key": f"{demo_keys.ETSY_APP_KEYSTRING}:{demo_keys.ETSY_APP_SHARED_SECRET}",
            "Authorization": f"Bearer {expired['access_token']}",
        },
        timeout=10,
    )
    assert answer.status_code == 401 and answer.json()["error_description"] == "access token is expired"
    sandbox_switch(etsy, shop="etsy/demo-mugs")
    assert adapter.verify()["shop_id"] == int(store.shop_identity)  # refreshed first, then worked
    assert adapter.credentials["refresh_token"] != expired["refresh_token"]
    store.refresh_from_db()
    assert store.credentials == adapter.credentials  # the rotated tokens were saved


def test_a_spent_refresh_token_is_refused(store):
    adapter = EtsyAdapter.from_store(store)
    spent = adapter.credentials["refresh_token"]
    adapter.refresh_if_needed(margin=timedelta(days=1))
    adapter.credentials["refresh_token"] = spent
    with pytest.raises(AdapterError) as error:
        adapter.refresh_if_needed(margin=timedelta(days=1))
    assert error.value.permanent and "revoked" in str(error.value)


def test_the_keystring_alone_is_refused_as_etsy_does(store, etsy):
    """etsy-python sends x-api-key without the shared secret; Etsy answers 403 since 2026-02."""
    client = EtsySession.EtsyClient(
        demo_keys.ETSY_APP_KEYSTRING,
        store.credentials["access_token"],
        store.credentials["refresh_token"],
        datetime.now() + timedelta(hours=1),
    )
    url = f"{etsy}/etsy/v3/application/users/me"
    assert client.session.get(url, timeout=10).status_code == 403
    client.session.headers["x-api-key"] = f"{demo_keys.ETSY_APP_KEYSTRING}:{demo_keys.ETSY_APP_SHARED_SECRET}"
    assert client.session.get(url, timeout=10).json()["shop_id"] == int(store.shop_identity)


def test_rate_limits_are_honoured(store, etsy, monkeypatch):
    waits = []
    monkeypatch.setattr(http, "sleep", waits.append)
    sandbox_switch(etsy, shop="etsy/demo-mugs", fault="429", fault_limit=1, retry_after=2)
    assert EtsyAdapter.from_store(store).verify()["shop_id"] == int(store.shop_identity)
    assert waits == [2]


def test_revoked_access_is_permanent(store, etsy):
    sandbox_switch(etsy, shop="etsy/demo-mugs", fault="revoked")
    with pytest.raises(AdapterError) as error:
        EtsyAdapter.from_store(store).verify()
    assert error.value.permanent


def test_the_periodic_task_renews_tokens_before_they_expire(store, etsy):
    old = dict(store.credentials)
    soon = (timezone.now() + timedelta(minutes=10)).isoformat()
    Store.objects.filter(pk=store.pk).update(credentials={**old, "expires_at": soon})
    later = (timezone.now() + timedelta(minutes=50)).isoformat()
    fresh = Store.objects.create(
        client=store.client,
        platform="etsy",
        name="Not due",
        shop_identity="99",
        credentials={**old, "expires_at": later},
    )
    refresh_expiring_tokens.apply()
    store.refresh_from_db()
    fresh.refresh_from_db()
    assert store.credentials["access_token"] != old["access_token"]
    assert store.credentials["expires_at"] > soon
    assert fresh.credentials["expires_at"] == later  # not due yet: left alone


def test_a_refused_renewal_marks_the_store_failing(store, etsy):
    soon = (timezone.now() + timedelta(minutes=10)).isoformat()
    Store.objects.filter(pk=store.pk).update(credentials={**store.credentials, "expires_at": soon})
    sandbox_switch(etsy, shop="etsy/demo-mugs", fault="revoked")
    refresh_expiring_tokens.apply()
    store.refresh_from_db()
    assert store.state == "failing" and "revoked" in store.state_reason


def test_receipts_wait_to_be_polled_by_limit_and_offset(store, etsy):
    for _ in range(3):
        place_order(etsy, "etsy/demo-mugs")
    adapter = EtsyAdapter.from_store(store)
    path = f"shops/{store.shop_identity}/receipts"
    first = adapter.call("GET", path, {"limit": 2, "offset": 0, "sort_on": "created", "sort_order": "asc"})
    rest = adapter.call("GET", path, {"limit": 2, "offset": 2, "sort_on": "created", "sort_order": "asc"})
    assert first["count"] == 3 and len(first["results"]) == 2 and len(rest["results"]) == 1
    receipt = first["results"][0]
    assert receipt["transactions"][0]["quantity"] == 2 and receipt["is_shipped"] is False
    shipped = requests.post(
        f"{etsy}/etsy/v3/application/{path}/{receipt['receipt_id']}/tracking",
        json={"tracking_code": "1Z999", "carrier_name": "ups"},
        headers={
            "x-api-key": f"{demo_keys.ETSY_APP_KEYSTRING}:{demo_keys.ETSY_APP_SHARED_SECRET}",
            "Authorization": f"Bearer {adapter.credentials['access_token']}",
        },
        timeout=10,
    ).json()
    assert shipped["is_shipped"] and shipped["shipments"][0]["tracking_code"] == "1Z999"


def test_a_receipt_changed_while_polling_pages_makes_none_missed(store, etsy):
    """Offset paging would skip one: the changed receipt moves to the end of the list."""
    for _ in range(5):
        place_order(etsy, "etsy/demo-mugs")
    adapter = EtsyAdapter.from_store(store)
    walk = adapter.iter_orders_changed(timezone.now() - timedelta(hours=1), limit=2)
    first = [next(walk).external_id for _ in range(2)]
    path = f"shops/{store.shop_identity}/receipts/{first[0]}/tracking"
    adapter.call("POST", path, json={"tracking_code": "1Z999", "carrier_name": "ups"})
    rest = [order.external_id for order in walk]
    every = adapter.call("GET", f"shops/{store.shop_identity}/receipts", {"limit": 10})["results"]
    assert set(first + rest) == {str(receipt["receipt_id"]) for receipt in every}
    read = first + rest
    # Only the changed receipt may come twice (its change, if its second is a later one, is news).
    assert {external_id for external_id in read if read.count(external_id) > 1} <= {first[0]}


def test_the_per_second_limit_is_waited_out(store, etsy, monkeypatch):
    """One call a second: paging runs into Etsy's per-second 429 (no Retry-After) and waits."""
    waits = []

    def wait(seconds):
        waits.append(seconds)
        time.sleep(seconds)

    monkeypatch.setattr(http, "sleep", wait)
    sandbox_switch(etsy, shop="etsy/demo-mugs", limit_per_second=1)
    listings = list(EtsyAdapter.from_store(store).iter_products(limit=5))
    assert len(listings) == 10
    assert waits  # refused at least once, and waited it out


def test_a_spent_daily_allowance_is_reported_not_waited_for(store, etsy, monkeypatch):
    waits = []
    monkeypatch.setattr(http, "sleep", waits.append)
    sandbox_switch(etsy, shop="etsy/demo-mugs", limit_per_day=2)  # connecting made two calls
    with pytest.raises(AdapterError) as error:
        EtsyAdapter.from_store(store).verify()
    assert not error.value.permanent and "daily allowance" in str(error.value)
    assert 0 < int(error.value.retry_after) <= 24 * 3600
    assert waits == []  # asked to come back in hours: no retry inside this request


def test_one_listing_is_fetched_with_its_variations(store):
    adapter = EtsyAdapter.from_store(store)
    listing = next(iter(adapter.iter_product_pages()))[0]
    fetched = adapter.fetch_product(listing.external_id)
    assert (fetched.title, fetched.state, len(fetched.variants)) == (
        listing.title,
        listing.state,
        len(listing.variants),
    )
    assert adapter.fetch_product("999999999").state == "deleted"


def test_a_listing_s_time_is_read_one_way_for_the_filter_and_the_product():
    """Some answers carry only last_modified_timestamp: the incremental filter once read it as 0
    (never changed) while the product read it as its time."""
    stamp = 1_767_000_000
    listing = {"listing_id": 7, "title": "Tote", "state": "active", "last_modified_timestamp": stamp}
    product = source_product(listing, {"products": []})
    assert product.updated_at.timestamp() == stamp
    assert updated_since(listing, stamp - 60)
    assert updated_since(listing, stamp + 0.4)  # the same (whole) second as the last sync began
    assert not updated_since(listing, stamp + 1)
    assert updated_since({**listing, "updated_timestamp": stamp + 5}, stamp + 3)
