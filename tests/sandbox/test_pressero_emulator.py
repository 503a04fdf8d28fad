"""The Pressero emulator's order search is as Pressero's: POST only, filters in the body."""

import pytest
import requests

from integrations.tests.helpers import place_order
from sandbox import demo_keys


@pytest.fixture
def api(sandbox_url):
    host = f"{sandbox_url}/pressero/demo-b2b/api"
    token = requests.post(
        f"{host}/V2/Authentication",
        json={
            "UserName": demo_keys.PRESSERO_USERNAME,
            "Password": demo_keys.PRESSERO_PASSWORD,
            "SubscriberId": demo_keys.PRESSERO_SUBSCRIBER_ID,
            "ConsumerID": demo_keys.PRESSERO_CONSUMER_ID,
        },
        timeout=10,
    ).json()["Token"]

    def search(filters, method="POST"):
        return requests.request(
            method,
            f"{host}/v2/Orders/Search",
            params={"pageNumber": 0, "pageSize": 100},
            json=filters,
            headers={"Authorization": f"token {token}"},
            timeout=10,
        )

    search.token = token
    return search


def test_search_is_post_only(api):
    assert api([], method="GET").status_code == 405


def test_search_honours_its_filters(api, sandbox_url):
    place_order(sandbox_url, "pressero/demo-b2b")
    place_order(sandbox_url, "pressero/demo-b2b")
    everything = api([]).json()
    assert everything["TotalItems"] >= 2
    newest = everything["Items"][0]["OrderNumber"]

    one = api([{"Column": "OrderNumber", "Value": str(newest), "Operator": "equals"}]).json()
    assert [item["OrderNumber"] for item in one["Items"]] == [newest] and one["TotalItems"] == 1
    older = api([{"Column": "OrderNumber", "Value": str(newest), "Operator": "lessthan"}]).json()
    assert newest not in [item["OrderNumber"] for item in older["Items"]]
    assert older["TotalItems"] == everything["TotalItems"] - 1
    future = api([{"Column": "OrderDate", "Value": "2099-01-01T00:00:00", "Operator": "greaterthan"}]).json()
    assert future == {"Items": [], "TotalItems": 0}


@pytest.mark.parametrize(
    "body",
    [
        {"Column": "OrderNumber"},
        [{"Column": "Colour", "Value": "red"}],
        [{"Column": "OrderNumber", "Value": "12", "Operator": "resembles"}],
        [{"Column": "OrderNumber", "Value": "twelve"}],
    ],
)
def test_a_bad_filter_is_a_400(api, body):
    response = api(body)
    assert response.status_code == 400 and response.json()["Message"]


def test_shipments_need_a_token_a_known_order_and_a_tracking_number(api, sandbox_url):
    place_order(sandbox_url, "pressero/demo-b2b")
    number = api([]).json()["Items"][0]["OrderNumber"]
    url = f"{sandbox_url}/pressero/demo-b2b/api/V2/Orders/Shipments"
    shipment = {"OrderNumber": number, "ItemNumbers": [1], "Carrier": "DHL", "TrackingNumber": "JD01"}
    assert requests.post(url, json=[shipment], timeout=10).status_code == 401
    headers = {"Authorization": f"token {api.token}"}
    unknown = requests.post(url, json=[{**shipment, "OrderNumber": 999999}], headers=headers, timeout=10)
    assert unknown.status_code == 404
    blank = requests.post(url, json=[{**shipment, "TrackingNumber": " "}], headers=headers, timeout=10)
    assert blank.status_code == 400
    assert requests.post(url, json=[shipment], headers=headers, timeout=10).json() == {"Added": 1}
    details = requests.get(
        f"{sandbox_url}/pressero/demo-b2b/api/v2/orders/{number}/Details", headers=headers, timeout=10
    ).json()
    assert details["Shipments"] == [
        {"Carrier": "DHL", "TrackingNumber": "JD01", "TrackingUrl": "", "ItemNumbers": [1]}
    ]
