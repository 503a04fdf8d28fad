"""Removing webhooks in the sandbox, as the platforms do it. WooCommerce's own client library is
the independent client; Shopify's mutation is checked against its schema in the adapter tests."""

import pytest
from woocommerce import API

from sandbox.demo_keys import woocommerce_key

READ_WRITE = woocommerce_key("demo-posters", "Printfront read/write")


@pytest.fixture
def api(sandbox_url):
    return API(
        url=f"{sandbox_url}/woocommerce/demo-posters",
        consumer_key=READ_WRITE[0],
        consumer_secret=READ_WRITE[1],
        version="wc/v3",
        timeout=10,
    )


@pytest.fixture
def webhook(api):
    created = api.post(
        "webhooks",
        {"name": "Removal test", "topic": "order.created", "delivery_url": "https://example.com/hook"},
    )
    assert created.status_code == 201
    yield created.json()
    api.delete(f"webhooks/{created.json()['id']}", params={"force": True})


def test_a_webhook_cannot_be_trashed(api, webhook):
    response = api.delete(f"webhooks/{webhook['id']}")
    assert response.status_code == 501
    assert response.json()["code"] == "woocommerce_rest_trash_not_supported"
    assert api.get(f"webhooks/{webhook['id']}").status_code == 200


def test_a_forced_delete_removes_it_and_answers_with_it(api, webhook):
    response = api.delete(f"webhooks/{webhook['id']}", params={"force": True})
    assert response.status_code == 200 and response.json()["id"] == webhook["id"]
    gone = api.get(f"webhooks/{webhook['id']}")
    assert (gone.status_code, gone.json()["code"]) == (404, "woocommerce_rest_webhook_invalid_id")
