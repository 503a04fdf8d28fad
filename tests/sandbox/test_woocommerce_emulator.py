"""The WooCommerce emulator is as strict as WooCommerce. The real `woocommerce` client library
is the independent client here: what it sends is what real integrations send."""

import pytest
import requests
from woocommerce import API

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
