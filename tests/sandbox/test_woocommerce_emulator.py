"""The WooCommerce emulator is as strict as WooCommerce. The real `woocommerce` client library
is the independent client here: what it sends is what real integrations send."""

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256
from requests_oauthlib import OAuth1
from woocommerce import API

from integrations.tests.helpers import place_order

# The demo shop's keys are stable and shown on its sandbox page.
from sandbox.demo_keys import woocommerce_key

READ_WRITE = woocommerce_key("demo-posters", "Printfront read/write")
READ_ONLY = woocommerce_key("demo-posters", "Read only")


@pytest.fixture
def store_url(sandbox_url):
    return f"{sandbox_url}/woocommerce/demo-posters"


def client(store_url, key=READ_WRITE):
    return API(url=store_url, consumer_key=key[0], consumer_secret=key[1], version="wc/v3", timeout=10)


def test_signed_requests_page_through_products(store_url):
    api = client(store_url)
    first = api.get("products", params={"per_page": 100, "page": 1})
    second = api.get("products", params={"per_page": 100, "page": 2})
    assert first.status_code == second.status_code == 200
    total = int(first.headers["X-WP-Total"])
    assert total > 100 and first.headers["X-WP-TotalPages"] == "2"
    assert len(first.json()) == 100 and len(second.json()) == total - 100
    assert 'rel="next"' in first.headers["Link"]
    assert {p["status"] for p in first.json()} >= {"publish", "draft", "private"}


def test_per_page_over_100_is_refused(store_url):
    response = client(store_url).get("products", params={"per_page": 101})
    assert response.status_code == 400
    assert response.json()["code"] == "rest_invalid_param"


def test_a_wrong_secret_is_refused(store_url):
    response = client(store_url, (READ_WRITE[0], "cs_wrong")).get("products")
    assert response.status_code == 401
    assert response.json()["message"] == "Invalid signature - provided signature does not match."


def test_basic_auth_over_plain_http_is_ignored(store_url):
    response = requests.get(f"{store_url}/wp-json/wc/v3/products", auth=READ_WRITE, timeout=10)
    assert response.status_code == 401


def test_a_read_only_key_cannot_write(store_url):
    response = client(store_url, READ_ONLY).post("webhooks/batch", {})
    assert response.status_code == 401
    assert "does not have write permissions" in response.json()["message"]
    assert client(store_url, READ_ONLY).get("system_status").status_code == 200


def test_a_replayed_request_is_refused(store_url):
    api = client(store_url)
    response = api.get("system_status")
    assert response.status_code == 200
    replay = requests.get(response.url, timeout=10)  # same nonce, same signature
    assert replay.status_code == 401
    assert "nonce has already been used" in replay.json()["message"]


def test_the_index_says_it_is_woocommerce(store_url, sandbox_url):
    assert "wc/v3" in requests.get(f"{store_url}/wp-json/", timeout=10).json()["namespaces"]
    assert requests.get(f"{sandbox_url}/woocommerce/no-such-shop/wp-json/", timeout=10).status_code == 404


# --- OAuth 1.0a in the Authorization header (RFC 5849 3.5.1) --------------------------------------


def header_signed(key=READ_WRITE):
    """requests-oauthlib signs in an `Authorization: OAuth` header with percent-encoded values."""
    return OAuth1(key[0], key[1], signature_method=SIGNATURE_HMAC_SHA256, signature_type="AUTH_HEADER")


def test_an_oauth_authorization_header_is_percent_decoded(store_url):
    response = requests.get(f"{store_url}/wp-json/wc/v3/system_status", auth=header_signed(), timeout=10)
    # The base64 signature always ends in '=', sent as %3D: it only matches once decoded.
    assert "%3D" in response.request.headers["Authorization"].decode()
    assert response.status_code == 200, response.text
    wrong = requests.get(
        f"{store_url}/wp-json/wc/v3/system_status",
        auth=header_signed((READ_WRITE[0], "cs_wrong")),
        timeout=10,
    )
    assert wrong.status_code == 401


# --- Orders: filters, one order, updates and notes --------------------------------------------------


@pytest.fixture
def two_orders(sandbox_url):
    place_order(sandbox_url, "woocommerce/demo-posters")
    place_order(sandbox_url, "woocommerce/demo-posters")


def test_order_filters_are_honoured(store_url, two_orders):
    api = client(store_url)
    ascending = api.get("orders", params={"order": "asc", "orderby": "id", "per_page": 100}).json()
    descending = api.get("orders", params={"order": "desc", "orderby": "id", "per_page": 100}).json()
    assert len(ascending) >= 2 and [o["id"] for o in ascending] == [o["id"] for o in reversed(descending)]
    newest = descending[0]
    assert {o["id"] for o in api.get("orders", params={"status": "processing"}).json()} >= {newest["id"]}
    finished = api.get("orders", params={"status": "completed,refunded", "per_page": 100}).json()
    assert {o["status"] for o in finished} <= {"completed", "refunded"} and newest["id"] not in {
        o["id"] for o in finished
    }
    assert api.get("orders", params={"modified_after": "2099-01-01T00:00:00"}).json() == []
    before = api.get("orders", params={"before": "2000-01-01T00:00:00", "per_page": 100}).json()
    after = api.get("orders", params={"after": "2000-01-01T00:00:00", "per_page": 100}).json()
    assert before == [] and len(after) == len(ascending)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("status", "shipped"),
        ("after", "yesterday"),
        ("modified_after", "2025-13-45"),
        ("order", "up"),
        ("orderby", "price"),
    ],
)
def test_an_invalid_order_filter_is_a_400(store_url, name, value):
    response = client(store_url).get("orders", params={name: value})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "rest_invalid_param" and name in body["data"]["params"]


def test_link_headers_keep_the_other_arguments(store_url, two_orders):
    response = client(store_url).get("orders", params={"status": "processing", "per_page": 1, "order": "asc"})
    next_link = re.search(r'<([^>]+)>; rel="next"', response.headers["Link"]).group(1)
    query = dict(parse_qsl(urlsplit(next_link).query))
    assert query == {"status": "processing", "per_page": "1", "order": "asc", "page": "2"}


def test_an_order_body_carries_what_real_ones_do(store_url, two_orders):
    order = client(store_url).get("orders", params={"per_page": 1}).json()[0]
    assert order.keys() >= ORDER_FIELDS
    line = order["line_items"][0]
    assert {"subtotal", "total", "meta_data", "sku", "price", "variation_id"} <= line.keys()
    assert isinstance(line["price"], float | int) and isinstance(line["total"], str)
    assert order["shipping_lines"][0]["method_id"]


ORDER_FIELDS = {
    "id",
    "parent_id",
    "number",
    "order_key",
    "status",
    "currency",
    "date_created",
    "date_created_gmt",
    "date_modified",
    "date_modified_gmt",
    "date_paid_gmt",
    "total",
    "shipping_total",
    "total_tax",
    "customer_id",
    "customer_note",
    "billing",
    "shipping",
    "payment_method",
    "transaction_id",
    "meta_data",
    "line_items",
    "shipping_lines",
}


def test_an_order_is_read_updated_and_noted(store_url, two_orders):
    api = client(store_url)
    order_id = api.get("orders", params={"per_page": 1}).json()[0]["id"]
    assert api.get(f"orders/{order_id}").json()["id"] == order_id

    done = api.put(f"orders/{order_id}", {"status": "completed"})
    assert done.status_code == 200 and done.json()["status"] == "completed"
    assert done.json()["date_completed_gmt"]
    assert api.put(f"orders/{order_id}", {"status": "shipped"}).status_code == 400

    note = api.post(f"orders/{order_id}/notes", {"note": "Shipped with UPS 1Z999", "customer_note": True})
    assert note.status_code == 201
    assert {"id", "author", "date_created", "note", "customer_note"} <= note.json().keys()
    assert note.json()["customer_note"] is True
    assert api.post(f"orders/{order_id}/notes", {"customer_note": True}).json()["code"] == (
        "rest_missing_callback_param"
    )
    assert api.get(f"orders/{order_id}/notes").json()[0]["note"] == "Shipped with UPS 1Z999"
    assert api.get("orders/999999999").json()["code"] == "woocommerce_rest_shop_order_invalid_id"


# --- Routes, webhooks ---------------------------------------------------------------------------


def test_unknown_routes_and_methods_are_json_no_route(store_url, sandbox_url):
    unknown = requests.get(f"{store_url}/wp-json/wc/v3/no-such-thing", timeout=10)
    assert unknown.status_code == 404 and unknown.json()["code"] == "rest_no_route"
    wrong_method = client(store_url).delete("products")
    assert wrong_method.status_code == 404 and wrong_method.json()["code"] == "rest_no_route"


def test_webhook_status_is_validated_and_the_create_answer_complete(store_url):
    api = client(store_url)
    refused = api.post("webhooks", {"topic": "order.created", "delivery_url": DEAD_URL, "status": "sleeping"})
    assert refused.status_code == 400 and refused.json()["code"] == "rest_invalid_param"
    created = api.post("webhooks", {"topic": "order.updated", "delivery_url": DEAD_URL, "status": "paused"})
    assert created.status_code == 201
    hook = created.json()
    try:
        assert {"resource", "event", "hooks", "date_created", "date_modified_gmt", "_links"} <= hook.keys()
        assert (hook["resource"], hook["event"], hook["status"]) == ("order", "updated", "paused")
        assert api.put(f"webhooks/{hook['id']}", {"status": "asleep"}).status_code == 400
    finally:
        api.delete(f"webhooks/{hook['id']}", params={"force": "true"})


DEAD_URL = "http://127.0.0.1:9/hook"


class Receiver(BaseHTTPRequestHandler):
    """A webhook receiver that answers whatever status the test sets."""

    status = 500

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(Receiver.status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()


def test_a_webhook_is_disabled_after_more_than_five_failures_in_a_row(store_url, sandbox_url, receiver):
    api = client(store_url)
    Receiver.status = 200  # the ping
    hook_id = api.post("webhooks", {"topic": "order.created", "delivery_url": receiver}).json()["id"]
    try:

        def fail(times):
            Receiver.status = 500
            for _ in range(times):
                place_order(sandbox_url, "woocommerce/demo-posters")
            return api.get(f"webhooks/{hook_id}").json()["status"]

        assert fail(6) == "active"
        Receiver.status = 302  # a redirect counts as delivered and clears the count
        place_order(sandbox_url, "woocommerce/demo-posters")
        assert fail(6) == "active"
        assert fail(1) == "disabled"  # the 7th failure in a row
    finally:
        api.delete(f"webhooks/{hook_id}", params={"force": "true"})
