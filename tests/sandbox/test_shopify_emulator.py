"""The Shopify emulator is as strict as Shopify. These tests talk to it over HTTP with plain
`requests`, as any outside client would; the rules come from Shopify's documentation and from
graphql-ruby, which Shopify runs."""

import base64
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlencode

import pytest
import requests

from core.testing import wait_for
from integrations.tests.helpers import consent, place_order, sandbox_switch
from sandbox import demo_keys

HANDLE = "demo-apparel"
SHOP = f"{HANDLE}.myshopify.com"
CALLBACK = "http://testserver" + demo_keys.SHOPIFY_APP_REDIRECT_PATH
ALL_SCOPES = "read_products,write_products,read_orders,write_orders"


@pytest.fixture
def admin(sandbox_url):
    yield f"{sandbox_url}/shopify/{SHOP}/admin"
    sandbox_switch(sandbox_url, shop=f"shopify/{HANDLE}")


def authorize_url(admin, scope=ALL_SCOPES, redirect_uri=CALLBACK):
    query = {"client_id": demo_keys.SHOPIFY_APP_CLIENT_ID, "scope": scope, "redirect_uri": redirect_uri}
    return f"{admin}/oauth/authorize?{urlencode({**query, 'state': 'n0nce'})}"


def token(admin, scope=ALL_SCOPES):
    """An access token for these scopes, through the consent screen and the code exchange."""
    code = consent(authorize_url(admin, scope), callback_path=demo_keys.SHOPIFY_APP_REDIRECT_PATH)["code"]
    answer = requests.post(
        f"{admin}/oauth/access_token",
        json={
            "client_id": demo_keys.SHOPIFY_APP_CLIENT_ID,
            "client_secret": demo_keys.SHOPIFY_APP_CLIENT_SECRET,
            "code": code,
        },
        timeout=10,
    )
    return answer.json()["access_token"]


def gql(admin, access_token, query, variables=None, version="2026-10"):
    return requests.post(
        f"{admin}/api/{version}/graphql.json",
        json={"query": query, "variables": variables or {}},
        headers={"X-Shopify-Access-Token": access_token},
        timeout=20,
    )


def codes(answer):
    return [error.get("extensions", {}).get("code") for error in answer.json()["errors"]]


# --- OAuth ---


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "http://evil.example" + demo_keys.SHOPIFY_APP_REDIRECT_PATH,  # another host, same path
        "https://testserver" + demo_keys.SHOPIFY_APP_REDIRECT_PATH,  # another scheme
        "http://testserver:8080" + demo_keys.SHOPIFY_APP_REDIRECT_PATH,  # another port
        CALLBACK + "extra/",
        CALLBACK + "?next=/elsewhere",
    ],
)
def test_shopify_redirect_uri_must_be_an_allowed_url_exactly(admin, redirect_uri):
    assert requests.get(authorize_url(admin, redirect_uri=CALLBACK), timeout=10).status_code == 200
    refused = requests.get(authorize_url(admin, redirect_uri=redirect_uri), timeout=10)
    assert refused.status_code == 400
    assert "redirect_uri is not whitelisted" in refused.text


@pytest.mark.parametrize("host", ["http://evil.example", "http://testserver:8080", "https://testserver"])
def test_etsy_redirect_uri_must_be_an_allowed_url_exactly(sandbox_url, host):
    def connect(redirect_uri):
        query = {
            "response_type": "code",
            "client_id": demo_keys.ETSY_APP_KEYSTRING,
            "redirect_uri": redirect_uri,
            "scope": "listings_r shops_r",
            "state": "n0nce",
            "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "code_challenge_method": "S256",
        }
        return requests.get(f"{sandbox_url}/etsy/oauth/connect?{urlencode(query)}", timeout=10)

    assert connect("http://testserver" + demo_keys.ETSY_APP_REDIRECT_PATH).status_code == 200
    refused = connect(host + demo_keys.ETSY_APP_REDIRECT_PATH)
    assert refused.status_code == 400
    assert "redirect URL is not permitted" in refused.text


def test_callback_host_is_base64_of_the_admin_address(admin):
    params = consent(authorize_url(admin), callback_path=demo_keys.SHOPIFY_APP_REDIRECT_PATH)
    host = params["host"]
    assert "=" not in host  # Shopify leaves the padding off
    assert base64.b64decode(host + "=" * (-len(host) % 4)).decode() == f"admin.shopify.com/store/{HANDLE}"


# --- Access scopes ---


def test_a_read_orders_token_cannot_create_products(admin):
    reader = token(admin, scope="read_orders")
    create = """mutation Create($product: ProductCreateInput!) {
      productCreate(product: $product) { product { id } userErrors { message } } }"""
    answer = gql(admin, reader, create, {"product": {"title": "Sneaky"}})
    assert answer.status_code == 200
    assert answer.json()["data"] == {"productCreate": None}
    [error] = answer.json()["errors"]
    assert error["extensions"]["code"] == "ACCESS_DENIED"
    assert error["path"] == ["productCreate"]
    assert "`write_products` access scope" in error["message"]
    titles = gql(admin, token(admin), "{ products(first: 250) { nodes { title } } }").json()
    assert "Sneaky" not in {product["title"] for product in titles["data"]["products"]["nodes"]}


def test_scopes_are_checked_per_field(admin):
    reader = token(admin, scope="read_products")
    query = '{ shop { name } order(id: "gid://shopify/Order/1") { id } products(first: 1) { nodes { id } } }'
    answer = gql(admin, reader, query).json()
    assert answer["data"]["shop"] == {"name": "Demo Apparel Co."}  # needs no scope
    assert answer["data"]["order"] is None and len(answer["data"]["products"]["nodes"]) == 1
    [error] = answer["errors"]
    assert (error["path"], error["extensions"]["code"]) == (["order"], "ACCESS_DENIED")
    # A write scope includes its read scope.
    writer = token(admin, scope="write_products")
    assert "errors" not in gql(admin, writer, "{ products(first: 1) { nodes { id } } }").json()


# --- Documents, variables, connections ---


def test_a_connection_needs_first_or_last(admin):
    access = token(admin)
    answer = gql(admin, access, "{ products { nodes { id } } }").json()
    assert answer["errors"][0]["message"] == "you must provide one of first or last"
    everything = gql(admin, access, "{ products(first: 250) { nodes { id } } }").json()
    last_two = gql(
        admin, access, "{ products(last: 2) { nodes { id } pageInfo { hasPreviousPage } } }"
    ).json()
    assert last_two["data"]["products"]["nodes"] == everything["data"]["products"]["nodes"][-2:]
    assert last_two["data"]["products"]["pageInfo"]["hasPreviousPage"] is True


@pytest.mark.parametrize(
    ("variables", "value"),
    [({"first": "ten"}, "ten"), ({"first": 2.5}, 2.5), ({}, None), ({"first": None}, None)],
)
def test_a_variable_of_the_wrong_type_is_a_graphql_error(admin, variables, value):
    query = "query Products($first: Int!) { products(first: $first) { nodes { id } } }"
    answer = gql(admin, token(admin), query, variables)
    assert answer.status_code == 200
    [error] = answer.json()["errors"]
    assert error["message"] == "Variable $first of type Int! was provided invalid value"
    assert error["extensions"]["value"] == value and error["extensions"]["problems"]
    assert "data" not in answer.json()


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("{ shop { nmae } }", "undefinedField"),
        ("{ product { id } }", "missingRequiredArguments"),
        ("{ shop(id: 1) { name } }", "argumentNotAccepted"),
        ("{ shop }", "selectionMismatch"),
        ('{ products(first: "ten") { nodes { id } } }', "argumentLiteralsIncompatible"),
        ("query Q($unused: Int) { shop { name } }", "variableNotUsed"),
    ],
)
def test_validation_errors_carry_a_code(admin, query, code):
    answer = gql(admin, token(admin), query)
    assert answer.status_code == 200
    assert codes(answer) == [code]


# --- API versions ---


@pytest.mark.parametrize("version", ["2026-13", "2026-02", "latest", "v1", "2026-1"])
def test_a_malformed_api_version_is_not_found(admin, version):
    answer = gql(admin, token(admin), "{ shop { name } }", version=version)
    assert (answer.status_code, answer.json()) == (404, {"errors": "Not Found"})


@pytest.mark.parametrize(("version", "served"), [("2026-10", "2026-10"), ("2024-01", "2026-01")])
def test_an_unsupported_version_falls_forward_to_the_oldest_supported(admin, version, served):
    answer = gql(admin, token(admin), "{ shop { name } }", version=version)
    assert answer.status_code == 200 and answer.json()["data"]["shop"]["name"] == "Demo Apparel Co."
    assert answer.headers["X-Shopify-API-Version"] == served


# --- Values ---


def test_ids_are_64_bit_numbers_above_2_53(admin):
    query = """{ products(first: 3) { nodes { id legacyResourceId
      variants(first: 3) { nodes { id legacyResourceId } } } } }"""
    products = gql(admin, token(admin), query).json()["data"]["products"]["nodes"]
    objects = products + [variant for product in products for variant in product["variants"]["nodes"]]
    for item in objects:
        number = int(item["legacyResourceId"])
        assert item["id"].endswith(f"/{number}")
        assert 2**53 < number < 2**63
        assert int(float(number)) != number  # a float cannot carry it


def test_datetimes_are_utc_with_a_z(admin):
    query = "{ products(first: 1) { nodes { createdAt updatedAt } } }"
    [product] = gql(admin, token(admin), query).json()["data"]["products"]["nodes"]
    for value in product.values():
        assert value.endswith("Z") and datetime.fromisoformat(value).utcoffset().total_seconds() == 0


# --- Webhook deliveries ---


class Receiver(ThreadingHTTPServer):
    """An app's webhook endpoint in this process: records each delivery and answers with
    `status`, after `delay` seconds for the first one."""

    daemon_threads = True

    def __init__(self, status=500, first_delay=0):
        self.status, self.first_delay, self.deliveries = status, first_delay, []
        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}/hooks/shopify"


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self.server.deliveries.append(dict(self.headers))
        if len(self.server.deliveries) == 1:
            time.sleep(self.server.first_delay)
        try:
            self.send_response(self.server.status)
            self.end_headers()
        except OSError:
            pass  # the sender stopped waiting

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    servers = []

    def start(**kwargs):
        server = Receiver(**kwargs)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def subscribe(admin, access_token, uri):
    create = """mutation Hook($uri: String!) {
      webhookSubscriptionCreate(topic: ORDERS_CREATE, webhookSubscription: {uri: $uri, format: JSON}) {
        webhookSubscription { id } userErrors { message } } }"""
    answer = gql(admin, access_token, create, {"uri": uri}).json()["data"]["webhookSubscriptionCreate"]
    assert answer["userErrors"] == []


def subscribed_uris(admin, access_token):
    """The newest subscriptions (a cheap query, so polling it stays within the cost bucket)."""
    answer = gql(admin, access_token, "{ webhookSubscriptions(last: 5) { nodes { uri } } }").json()
    return {hook["uri"] for hook in answer["data"]["webhookSubscriptions"]["nodes"]}


def test_a_failing_webhook_is_retried_8_times_then_unsubscribed(admin, sandbox_url, receiver):
    sandbox_switch(sandbox_url, shop=f"shopify/{HANDLE}", fast_webhook_retries="on")
    access, endpoint = token(admin), receiver(status=500)
    subscribe(admin, access, endpoint.url)
    place_order(sandbox_url, f"shopify/{HANDLE}")
    wait_for(lambda: endpoint.url not in subscribed_uris(admin, access), timeout=30)
    assert endpoint.url not in subscribed_uris(admin, access)
    assert len(endpoint.deliveries) == 9  # the delivery and its 8 retries
    # Each retry is the same delivery: same id, same trigger time.
    assert len({(d["X-Shopify-Webhook-Id"], d["X-Shopify-Triggered-At"]) for d in endpoint.deliveries}) == 1


def test_a_webhook_not_answered_within_5_seconds_is_retried(admin, sandbox_url, receiver):
    sandbox_switch(sandbox_url, shop=f"shopify/{HANDLE}", fast_webhook_retries="on")
    access, endpoint = token(admin), receiver(status=200, first_delay=6)
    subscribe(admin, access, endpoint.url)
    place_order(sandbox_url, f"shopify/{HANDLE}")
    wait_for(lambda: len(endpoint.deliveries) >= 2, timeout=30)
    assert len(endpoint.deliveries) == 2  # answered in time the second time: no more
    assert endpoint.url in subscribed_uris(admin, access)
    page = requests.get(f"{sandbox_url}/shops/shopify/{HANDLE}/", timeout=10).text
    assert "Read timed out" in page and "(retry 1)" in page


def test_a_delivery_says_when_it_was_triggered_in_utc(admin, sandbox_url, receiver):
    access, endpoint = token(admin), receiver(status=200)
    subscribe(admin, access, endpoint.url)
    place_order(sandbox_url, f"shopify/{HANDLE}")
    [delivery] = endpoint.deliveries
    assert delivery["X-Shopify-Triggered-At"].endswith("Z")
