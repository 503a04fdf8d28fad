"""The Etsy emulator is as strict as Etsy: parameters as its OpenAPI document declares them,
associations honoured, path ids from 1, and its rate limits with their headers and 429s."""

import time

import pytest
import requests

from integrations.tests.helpers import place_order

from .etsy_api import SHOP, grant, switch

LISTING_STATES = "enum(active, inactive, sold_out, draft, expired)"


@pytest.fixture
def api(sandbox_url):
    # Room for the bursts of calls these tests make; the limit tests set their own.
    switch(sandbox_url, limit_per_second=100)
    yield grant(sandbox_url)
    switch(sandbox_url)


def listings(api, **params):
    return api.get(f"shops/{api.shop_id()}/listings", params)


def test_listing_state_is_one_of_etsys(api):
    refused = listings(api, state="archived")
    assert refused.status_code == 400
    assert refused.json() == {"error": f"Invalid value (archived) for {LISTING_STATES}"}
    titles = {
        state: [r["title"] for r in listings(api, state=state).json()["results"]]
        for state in ("inactive", "draft")
    }
    assert titles == {"inactive": ["Summer 2025 Tee"], "draft": ["Holiday Sweater"]}
    assert listings(api, state="sold_out").json() == {"count": 0, "results": []}


def test_listing_sort_is_checked_and_honoured(api):
    # Etsy's document allows created, price, updated and score; not title.
    assert listings(api, sort_on="title").json() == {
        "error": "Invalid value (title) for enum(created, price, updated, score)"
    }
    assert listings(api, sort_order="sideways").status_code == 400
    newest_first = [r["listing_id"] for r in listings(api, limit=100).json()["results"]]
    assert newest_first == sorted(newest_first, reverse=True)  # created, descending by default
    cheapest = listings(api, sort_on="price", sort_order="up", limit=100).json()["results"]
    prices = [r["price"]["amount"] for r in cheapest]
    assert prices == sorted(prices) and prices[0] < prices[-1]


def test_includes_are_checked_and_honoured(api):
    refused = listings(api, includes="Images,Colours")
    assert refused.status_code == 400 and "(Colours)" in refused.json()["error"]
    listing = listings(api, includes="images,inventory", limit=1).json()["results"][0]
    assert listing["images"][0]["listing_id"] == listing["listing_id"]
    assert listing["images"][0]["url_fullxfull"].startswith(api.sandbox_url)
    assert {p["sku"] for p in listing["inventory"]["products"]} == set(listing["skus"])
    assert listing["shop"] is listing["user"] is listing["shipping_profile"] is None
    plain = listings(api, limit=1).json()["results"][0]
    assert plain["images"] is plain["inventory"] is None  # not asked for
    # OpenAPI's exploded form: the parameter repeated.
    both = api.get(
        f"shops/{api.shop_id()}/listings", [("includes", "Shop"), ("includes", "User"), ("limit", 1)]
    )
    assert both.json()["results"][0]["shop"]["shop_id"] == api.shop_id()
    assert both.json()["results"][0]["user"]["user_id"] == int(api.user_id)


def test_a_listing_image_is_served(api):
    listing = listings(api, includes="Images", limit=1).json()["results"][0]
    response = requests.get(listing["images"][0]["url_570xN"], timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"] == "image/svg+xml"


def test_receipt_filters_are_checked(api):
    path = f"shops/{api.shop_id()}/receipts"
    answers = {
        "min_created": api.get(path, {"min_created": 5}).json(),
        "was_paid": api.get(path, {"was_paid": "maybe"}).json(),
        "sort_on": api.get(path, {"sort_on": "price"}).json(),
        "sort_order": api.get(path, {"sort_order": "sideways"}).json(),
        "limit": api.get(path, {"limit": 0}).json(),
    }
    assert answers == {
        "min_created": {"error": "Expected int >= 946684800 for min_created"},
        "was_paid": {"error": "Expected bool for was_paid"},
        "sort_on": {"error": "Invalid value (price) for enum(created, updated, receipt_id)"},
        "sort_order": {
            "error": "Invalid value (sideways) for enum(asc, ascending, desc, descending, up, down)"
        },
        "limit": {"error": "Expected int <= 100 and >= 1 for limit"},
    }


def test_receipt_filters_are_honoured(api, sandbox_url):
    since = int(time.time()) - 1
    place_order(sandbox_url, SHOP)
    place_order(sandbox_url, SHOP)
    path = f"shops/{api.shop_id()}/receipts"
    mine = api.get(path, {"min_created": since, "sort_on": "receipt_id", "sort_order": "asc"}).json()[
        "results"
    ]
    shipped, waiting = mine[-2]["receipt_id"], mine[-1]["receipt_id"]
    assert api.post(f"{path}/{shipped}/tracking", {"tracking_code": "1Z9", "carrier_name": "ups"}).ok

    def found(**filters):
        answer = api.get(path, {"min_created": since, "limit": 100, **filters}).json()
        return {r["receipt_id"] for r in answer["results"]} & {shipped, waiting}

    assert found(was_shipped="true") == {shipped}
    assert found(was_shipped="false") == {waiting}
    assert found(was_paid="true") == {shipped, waiting}
    assert found(was_delivered="true") == found(was_canceled="true") == set()
    assert found(max_created=since) == set()
    assert found(min_last_modified=int(time.time()) + 60) == set()


@pytest.mark.parametrize(
    "path",
    ["shops/0", "shops/0/listings", "shops/0/receipts", "listings/0/inventory", "shops/{shop}/receipts/0"],
)
def test_ids_below_1_are_refused(api, path):
    answer = api.get(path.format(shop=api.shop_id()))
    assert answer.status_code == 400
    assert answer.json()["error"].startswith("Expected int >= 1 for ")


def test_getme_needs_shops_r_as_documented(sandbox_url):
    answer = grant(sandbox_url, scopes="listings_r").get("users/me")
    assert answer.status_code == 403 and answer.json()["error"] == "insufficient_scope"


def test_answers_carry_the_rate_limit_headers(api, sandbox_url):
    switch(sandbox_url)  # Etsy's defaults for a new app
    first, second = api.get("users/me"), api.get("users/me")
    assert first.headers["x-limit-per-second"] == "10" and first.headers["x-limit-per-day"] == "10000"
    assert int(second.headers["x-remaining-today"]) == int(first.headers["x-remaining-today"]) - 1
    assert int(first.headers["x-remaining-this-second"]) < 10


def test_calls_over_the_per_second_limit_get_429(api, sandbox_url):
    switch(sandbox_url, limit_per_second=2)
    answers = [api.get("users/me") for _ in range(3)]  # well within one second
    assert [a.status_code for a in answers] == [200, 200, 429]
    refused = answers[-1]
    assert refused.json() == {"error": "Exceeded per second rate limit"}
    assert refused.headers["x-remaining-this-second"] == "0" and "Retry-After" not in refused.headers


def test_calls_over_the_daily_limit_get_429_until_the_window_moves(api, sandbox_url):
    api.get("users/me")
    switch(sandbox_url, limit_per_day=2)
    last = api.get("users/me")
    assert last.status_code == 200 and last.headers["x-remaining-today"] == "0"
    refused = api.get("users/me")
    assert refused.status_code == 429 and refused.json() == {"error": "Exceeded daily rate limit"}
    assert refused.headers["x-remaining-today"] == "0"
    assert 0 < int(refused.headers["Retry-After"]) <= 24 * 3600


def test_the_rate_limit_switch_answers_as_etsy(api, sandbox_url):
    switch(sandbox_url, fault="429", fault_limit=1, retry_after=3)
    refused = api.get("users/me")
    assert refused.status_code == 429 and refused.json() == {"error": "Exceeded per second rate limit"}
    assert refused.headers["Retry-After"] == "3"
    assert api.get("users/me").status_code == 200


def test_tracking_needs_a_form_or_json_object_with_code_and_carrier(api, sandbox_url):
    place_order(sandbox_url, SHOP)
    path = f"shops/{api.shop_id()}/receipts"
    receipt_id = api.get(path, {"limit": 1}).json()["results"][0]["receipt_id"]
    answer = api.post(f"{path}/{receipt_id}/tracking", ["1Z9"])
    assert answer.status_code == 400 and answer.json() == {
        "error": "The body must be a form or a JSON object."
    }
    no_carrier = api.post(f"{path}/{receipt_id}/tracking", {"tracking_code": "1Z9"})
    assert no_carrier.status_code == 400
    assert no_carrier.json() == {"error": "tracking_code and carrier_name are required."}
