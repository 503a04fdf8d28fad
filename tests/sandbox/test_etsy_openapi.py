"""The Etsy emulator's answers checked against Etsy's OpenAPI document (sandbox/schemas): each
answer against the schema the document gives for its operation and status, and each query
parameter's declared enum and bounds against what the emulator accepts and refuses.

The document declares `required` only where a subset is meant (ErrorSchema); Etsy sends every
other property of a resource, null where it has no value, so here every property is required and
no other may appear. Associations a client did not ask for with `includes` are null."""

import gzip
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest
from django.conf import settings
from etsy_python.v3.common import Env
from etsy_python.v3.enums.Listing import Includes
from etsy_python.v3.resources import ListingResource, ReceiptResource
from etsy_python.v3.resources.Session import EtsyClient

from integrations.tests.helpers import place_order

from .etsy_api import API_KEY, SHOP, grant, switch

DOCUMENT = json.loads(
    gzip.decompress(
        (Path(settings.BASE_DIR) / "sandbox" / "schemas" / "etsy-openapi-v3-2022.json.gz").read_bytes()
    )
)
PREFIX = "/v3/application/"
# What each association of a listing is null without (the `includes` value that fills it).
ASSOCIATIONS = {
    "shipping_profile": "Shipping",
    "images": "Images",
    "shop": "Shop",
    "user": "User",
    "translations": "Translations",
    "inventory": "Inventory",
    "videos": "Videos",
}


def strict(schema, nullable_fields=()):
    """An OpenAPI 3.0 schema as JSON Schema: `nullable` as a null type, and for a resource every
    property required and nothing else allowed."""
    if not isinstance(schema, dict):
        return schema
    converted = {key: strict(value) for key, value in schema.items() if key not in ("nullable", "example")}
    if "properties" in schema:
        converted["properties"] = {name: strict(value) for name, value in schema["properties"].items()}
        if "required" not in schema:
            converted["required"] = sorted(schema["properties"])
            converted["additionalProperties"] = False
        for name in nullable_fields:
            converted["properties"][name] = {"anyOf": [{"type": "null"}, converted["properties"][name]]}
    if "items" in schema:
        converted["items"] = strict(schema["items"])
    for key in ("allOf", "anyOf", "oneOf"):
        if key in schema:
            converted[key] = [strict(part) for part in schema[key]]
    if schema.get("nullable"):
        converted = {"anyOf": [{"type": "null"}, converted]}
    return converted


COMPONENTS = {"schemas": {name: strict(schema) for name, schema in DOCUMENT["components"]["schemas"].items()}}
for name, fields in (
    ("ShopListingWithAssociations", ASSOCIATIONS),
    ("ListingInventoryWithAssociations", ["listing"]),
):
    COMPONENTS["schemas"][name] = strict(DOCUMENT["components"]["schemas"][name], nullable_fields=fields)


def operation(path, method="get"):
    return DOCUMENT["paths"][PREFIX + path][method]


def check(response, path, method="get"):
    """Validate an answer against the schema the document gives for its operation and status
    (a 429, which the 2022 document does not list, against ErrorSchema). Returns its JSON."""
    responses = operation(path, method)["responses"]
    status = str(response.status_code)
    assert status in responses or status == "429", f"{status} is not an answer of {method} {path}"
    schema = responses[status]["content"]["application/json"]["schema"] if status in responses else None
    schema = schema or {"$ref": "#/components/schemas/ErrorSchema"}
    body = response.json()
    jsonschema.validate(body, {**schema, "components": COMPONENTS})
    return body


@pytest.fixture
def api(sandbox_url):
    switch(sandbox_url, limit_per_second=100)  # these tests make many calls in a row
    yield grant(sandbox_url)
    switch(sandbox_url)


def test_me_and_shop(api):
    me = check(api.get("users/me"), "users/me")
    check(api.get(f"shops/{me['shop_id']}"), "shops/{shop_id}")


@pytest.mark.parametrize("state", ["active", "inactive", "draft"])
def test_listings(api, state):
    body = check(
        api.get(f"shops/{api.shop_id()}/listings", {"state": state, "limit": 100}), "shops/{shop_id}/listings"
    )
    assert body["results"] and all(listing["state"] == state for listing in body["results"])
    assert all(listing[field] is None for listing in body["results"] for field in ASSOCIATIONS)


def test_listings_with_every_association(api):
    everything = ",".join(ASSOCIATIONS.values())
    answer = api.get(f"shops/{api.shop_id()}/listings", {"includes": everything, "limit": 5})
    body = check(answer, "shops/{shop_id}/listings")
    assert all(listing[field] is not None for listing in body["results"] for field in ASSOCIATIONS)


def test_inventory_with_and_without_its_listing(api):
    listing_id = api.get(f"shops/{api.shop_id()}/listings", {"limit": 1}).json()["results"][0]["listing_id"]
    path = "listings/{listing_id}/inventory"
    assert check(api.get(f"listings/{listing_id}/inventory"), path)["listing"] is None
    with_listing = check(api.get(f"listings/{listing_id}/inventory", {"includes": "Listing"}), path)
    assert with_listing["listing"]["listing_id"] == listing_id


def test_receipts_before_and_after_shipping(api, sandbox_url):
    place_order(sandbox_url, SHOP)
    path = f"shops/{api.shop_id()}/receipts"
    receipt = check(api.get(path, {"limit": 100}), "shops/{shop_id}/receipts")["results"][0]
    one = f"{path}/{receipt['receipt_id']}"
    check(api.get(one), "shops/{shop_id}/receipts/{receipt_id}")
    shipped = api.post(f"{one}/tracking", {"tracking_code": "1Z9", "carrier_name": "ups"})
    assert check(shipped, "shops/{shop_id}/receipts/{receipt_id}/tracking", "post")["is_shipped"]


def test_error_answers(api, sandbox_url):
    shop = api.shop_id()
    listings = "shops/{shop_id}/listings"
    check(api.get(f"shops/{shop}/listings", {"state": "gone"}), listings)  # 400
    check(api.get(f"shops/{shop}/receipts/1"), "shops/{shop_id}/receipts/{receipt_id}")  # 404
    api.access_token = "1." + "x" * 40
    check(api.get(f"shops/{shop}/listings"), listings)  # 401, an unknown token
    switch(sandbox_url, fault="429", fault_limit=1)
    assert check(api.get("users/me"), "users/me")["error"]  # 429


def declared(path):
    """The query parameters of an operation with a schema worth probing: {name: schema}."""
    return {p["name"]: p["schema"] for p in operation(path)["parameters"] if p["in"] == "query"}


def wrong_values(schema):
    """Values the document refuses for a parameter's schema."""
    if "enum" in schema or "enum" in schema.get("items", {}):
        return ["not-a-value"]
    if schema["type"] == "boolean":
        return ["maybe"]
    if schema["type"] == "integer":
        return [
            "one",
            *([schema["minimum"] - 1] if "minimum" in schema else []),
            *([schema["maximum"] + 1] if "maximum" in schema else []),
        ]
    return []


def right_values(schema):
    """Values the document accepts: every enum value, and an integer's bounds."""
    if "enum" in schema:
        return schema["enum"]
    if "enum" in schema.get("items", {}):
        return schema["items"]["enum"]
    if schema["type"] == "boolean":
        return ["true", "false"]
    return [value for value in (schema.get("minimum"), schema.get("maximum")) if value is not None]


@pytest.mark.parametrize(
    "path", ["shops/{shop_id}/listings", "shops/{shop_id}/receipts", "listings/{listing_id}/inventory"]
)
def test_parameters_are_accepted_and_refused_as_declared(api, path):
    listing_id = api.get(f"shops/{api.shop_id()}/listings", {"limit": 1}).json()["results"][0]["listing_id"]
    url = path.format(shop_id=api.shop_id(), listing_id=listing_id)
    for name, schema in declared(path).items():
        for value in right_values(schema):
            assert api.get(url, {name: value}).status_code == 200, (name, value)
        for value in wrong_values(schema):
            refused = api.get(url, {name: value})
            assert refused.status_code == 400, (name, value)
            check(refused, path)


@pytest.fixture
def etsy_python(api, monkeypatch):
    """etsy-python, an independent client, pointed at the sandbox (its URLs live in one shared
    object) and given the x-api-key Etsy requires since 2026-02."""
    monkeypatch.setattr(Env.environment, "request_url", api.url("").rstrip("/"))
    keystring = API_KEY.partition(":")[0]
    client = EtsyClient(keystring, api.access_token, "unused", expiry=datetime.now(UTC) + timedelta(hours=1))
    client.session.headers["x-api-key"] = API_KEY
    return client


def test_what_etsy_python_asks_for(api, etsy_python, sandbox_url):
    """Its unencoded `includes=Images,Inventory` and lowercase booleans."""
    place_order(sandbox_url, SHOP)
    shop = api.shop_id()
    listings = ListingResource(etsy_python).get_listings_by_shop(
        shop, limit=3, includes=[Includes.IMAGES, Includes.INVENTORY]
    )
    assert all(listing["images"] and listing["inventory"] for listing in listings.message["results"])
    receipts = ReceiptResource(etsy_python).get_shop_receipts(
        shop, was_paid=True, was_shipped=False, limit=100
    )
    assert receipts.message["results"] and all(not r["is_shipped"] for r in receipts.message["results"])
