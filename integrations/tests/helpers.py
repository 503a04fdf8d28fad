"""Shared by the integration tests that talk to the sandbox platforms."""

import re
import time
from urllib.parse import parse_qsl, urlsplit

import requests
from django.urls import reverse

from sandbox.demo_keys import woocommerce_key

READ_WRITE = woocommerce_key("demo-posters", "Printfront read/write")
READ_ONLY = woocommerce_key("demo-posters", "Read only")


def sandbox_switch(sandbox_url, shop="woocommerce/demo-posters", **fields):
    """Flip a failure switch of a demo shop on its sandbox page, as a person would."""
    page_url = f"{sandbox_url}/shops/{shop}/"
    session = requests.Session()
    page = session.get(page_url, timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    data = {
        "fault": "",
        "fault_limit": 0,
        "retry_after": 1,
        "slow_seconds": 1,
        "bucket_available": 1000,
        "token_lifetime": 3600,
        "limit_per_second": 10,
        "limit_per_day": 10000,
        "csrfmiddlewaretoken": token,
        **fields,
    }
    response = session.post(
        page_url, data=data, timeout=10, headers={"Referer": page_url}, allow_redirects=False
    )
    assert response.status_code == 302, response.text[-500:]


def consent(authorize_url, decision="install", callback_path=None):
    """Answer Shopify's consent screen as the merchant; returns our callback's query."""
    session = requests.Session()
    page = session.get(authorize_url, timeout=10)
    assert page.status_code == 200, page.text
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    answer = session.post(
        authorize_url,
        data={**fields, "decision": decision},
        headers={"Referer": authorize_url},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text
    location = urlsplit(answer.headers["Location"])
    assert location.path == (callback_path or reverse("integrations:shopify_callback"))
    return dict(parse_qsl(location.query, keep_blank_values=True))


def sandbox_form(sandbox_url, shop, **data):
    """Post one of a demo shop's page forms (place an order, Pressero's webhook settings)."""
    page_url = f"{sandbox_url}/shops/{shop}/"
    session = requests.Session()
    page = session.get(page_url, timeout=10).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    if data.get("action") == "order" and "variant" not in data:
        data["variant"] = re.search(r'<option value="(\d+)"', page).group(1)
    response = session.post(
        page_url,
        data={"csrfmiddlewaretoken": token, **data},
        headers={"Referer": page_url},
        allow_redirects=False,
        timeout=20,
    )
    assert response.status_code == 302, response.text[-800:]


def place_order(sandbox_url, shop):
    sandbox_form(sandbox_url, shop, action="order", quantity=2, name="Sam Buyer", email="sam@example.com")


def check_again(client, store, patience=60):
    """Press "Verify again" and follow the store page's polling until the worker has answered
    (the page then asks htmx to reload it). Needs the `celery_worker` fixture."""
    client.post(reverse("integrations:store_verify", args=[store.code]))
    poll = reverse("integrations:store_connection", args=[store.code])
    give_up = time.monotonic() + patience
    while time.monotonic() < give_up:
        if client.get(poll, headers={"HX-Request": "true"}).get("HX-Refresh") == "true":
            return
        time.sleep(0.2)
    raise AssertionError("the connection check did not finish")
