"""core.signing against test vectors worked out independently of it.

Every expected signature below comes from outside core.signing: a published example (RFC, platform or
vendor documentation), or OpenSSL run on the command line over a message written out by hand from the
platform's documented algorithm. The exact command is in the comment next to each constant. Hand-written
messages and base strings are asserted as text too, so a wrong canonical form cannot hide behind a matching
HMAC.
"""

import json

import pytest
from django.http import QueryDict

from core import signing

# --- generic HMAC-SHA256 -------------------------------------------------------------------------------

# RFC 4231 §4.3, test case 2: key "Jefe", data "what do ya want for nothing?".
RFC4231_KEY = "Jefe"
RFC4231_DATA = b"what do ya want for nothing?"
RFC4231_HEX = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"  # as printed in the RFC
# printf '%s' 'what do ya want for nothing?' | openssl dgst -sha256 -hmac Jefe -binary | base64
RFC4231_B64 = "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM="


def test_hmac_sha256_matches_rfc4231():
    assert signing.hmac_sha256_hex(RFC4231_KEY, RFC4231_DATA) == RFC4231_HEX
    assert signing.hmac_sha256_hex(RFC4231_KEY.encode(), RFC4231_DATA) == RFC4231_HEX
    assert signing.hmac_sha256_base64(RFC4231_KEY, RFC4231_DATA) == RFC4231_B64


def test_verify_hmac_sha256_accepts_the_right_signature():
    assert signing.verify_hmac_sha256(RFC4231_KEY, RFC4231_DATA, RFC4231_HEX, "hex")
    assert signing.verify_hmac_sha256(RFC4231_KEY, RFC4231_DATA, RFC4231_HEX.upper(), "hex")
    assert signing.verify_hmac_sha256(RFC4231_KEY, RFC4231_DATA, RFC4231_B64, "base64")
    # Header values may arrive with surrounding whitespace.
    assert signing.verify_hmac_sha256(RFC4231_KEY, RFC4231_DATA, f" {RFC4231_B64}\t", "base64")


def flipped(data: bytes, index: int = 0) -> bytes:
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


@pytest.mark.parametrize(
    ("secret", "body", "signature", "encoding"),
    [
        pytest.param(RFC4231_KEY, flipped(RFC4231_DATA, 5), RFC4231_B64, "base64", id="flipped-body-byte"),
        pytest.param("Jeff", RFC4231_DATA, RFC4231_B64, "base64", id="wrong-secret"),
        pytest.param(RFC4231_KEY, RFC4231_DATA, RFC4231_B64[:-4], "base64", id="truncated-base64"),
        pytest.param(RFC4231_KEY, RFC4231_DATA, RFC4231_HEX[:-2], "hex", id="truncated-hex"),
        pytest.param(RFC4231_KEY, RFC4231_DATA, "not base64 at all!!", "base64", id="non-base64"),
        pytest.param(RFC4231_KEY, RFC4231_DATA, "zz" * 32, "hex", id="non-hex"),
        pytest.param(RFC4231_KEY, RFC4231_DATA, RFC4231_HEX[:-1] + "\u212a", "hex", id="non-ascii-hex"),
        pytest.param(RFC4231_KEY, RFC4231_DATA, RFC4231_HEX, "base64", id="hex-where-base64-expected"),
        pytest.param(RFC4231_KEY, RFC4231_DATA, RFC4231_B64, "hex", id="base64-where-hex-expected"),
        pytest.param(RFC4231_KEY, RFC4231_DATA, RFC4231_B64.rstrip("="), "base64", id="unpadded"),
        pytest.param(RFC4231_KEY, RFC4231_DATA, "", "base64", id="empty-header"),
        pytest.param(RFC4231_KEY, RFC4231_DATA, "   ", "base64", id="blank-header"),
        pytest.param(RFC4231_KEY, RFC4231_DATA, None, "base64", id="missing-header"),
        pytest.param(RFC4231_KEY, RFC4231_DATA, None, "hex", id="missing-hex"),
        pytest.param(RFC4231_KEY, RFC4231_DATA, RFC4231_B64.encode(), "base64", id="bytes-header"),
        pytest.param(
            RFC4231_KEY,
            RFC4231_DATA,
            "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOE\u00e9=",
            "base64",
            id="non-ascii",
        ),
        pytest.param(
            "", RFC4231_DATA, signing.hmac_sha256_base64("", RFC4231_DATA), "base64", id="empty-secret"
        ),
    ],
)
def test_verify_hmac_sha256_rejects_without_raising(secret, body, signature, encoding):
    assert signing.verify_hmac_sha256(secret, body, signature, encoding) is False


def test_verify_hmac_sha256_refuses_an_unknown_encoding():
    with pytest.raises(ValueError):
        signing.verify_hmac_sha256(RFC4231_KEY, RFC4231_DATA, RFC4231_B64, "base32")


# --- Shopify: OAuth / install query HMAC (hex) -----------------------------------------------------------


def test_shopify_query_hmac_matches_shopifys_documented_examples():
    # Shopify's OAuth docs example with secret "hush", as quoted in the exshopify docs
    # (hexdocs.pm/exshopify, Shopify.HMAC.verify/2). Recomputed over the message with hmac removed:
    # printf '%s' 'code=0907a61c0c8d55e99db179b68161bc00&shop=some-shop.myshopify.com&timestamp=1337178173' \
    #   | openssl dgst -sha256 -hmac hush
    params = {
        "code": "0907a61c0c8d55e99db179b68161bc00",
        "hmac": "4712bf92ffc2917d15a2f5a273e39f0116667419aa4b6ac0b3baaf26fa3c4d20",
        "shop": "some-shop.myshopify.com",
        "timestamp": "1337178173",
    }
    assert signing.shopify_query_hmac(params, "hush") == params["hmac"]
    assert signing.verify_shopify_query(params, "hush")

    # The shopify.dev authorization-code-grant example (same secret, with a state); recomputed with
    # printf '%s' 'code=0907a61c0c8d55e99db179b68161bc00&shop=some-shop.myshopify.com&state=0.6784241404160823&timestamp=1337178173' \
    #   | openssl dgst -sha256 -hmac hush
    with_state = {
        "shop": "some-shop.myshopify.com",
        "timestamp": "1337178173",
        "state": "0.6784241404160823",
        "code": "0907a61c0c8d55e99db179b68161bc00",
        "hmac": "700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf",
    }
    assert signing.verify_shopify_query(with_state, "hush")


def test_shopify_query_hmac_over_the_platforms_md_example_message():
    # The example message of PLATFORMS.md §1.1, keyed with "hush":
    # printf '%s' 'code=0907a61c0c8d55e99db179b68161bc00&host=YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvZGVtbw&shop=demo.myshopify.com&state=n0nce&timestamp=1337178173' \
    #   | openssl dgst -sha256 -hmac hush
    expected = "f6992dc408a9c0fe9c1ce7aee568d8cb6c19ea252456042f3ae69c7cd8bd5ba0"
    callback = QueryDict(
        "timestamp=1337178173&state=n0nce&shop=demo.myshopify.com&host=YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvZGVtbw"
        f"&hmac={expected}&code=0907a61c0c8d55e99db179b68161bc00"
    )
    assert signing.shopify_query_hmac(callback, "hush") == expected
    assert signing.verify_shopify_query(callback, "hush")
    assert signing.verify_shopify_query(dict(callback.lists()), "hush")


# Arrays and delimiter escaping, per the rule in PLATFORMS.md §1.1 (Shopify's Python library): ids[]=1&ids[]=2
# becomes ids=["1", "2"]; "=" in a key becomes %3D; "&" and "%" in a value become %26 and %25; hmac and
# signature are left out; pairs are sorted. Hand-written canonical message, then:
# printf '%s' 'ids=["1", "2"]&k%3Dey=v&note=a%26b%25c&shop=demo.myshopify.com' | openssl dgst -sha256 -hmac hush
ESCAPED_HMAC = "bb3d6b002322bc4dd9c21e865c42954eba7461abb21b57bff8968d5462f1bff0"


def test_shopify_query_hmac_lists_and_escaping():
    params = {
        "shop": "demo.myshopify.com",
        "note": "a&b%c",
        "k=ey": "v",
        "ids[]": ["1", "2"],
        "signature": "legacy-app-proxy-value",
        "hmac": ESCAPED_HMAC,
    }
    assert signing.shopify_query_hmac(params, "hush") == ESCAPED_HMAC
    assert signing.verify_shopify_query(params, "hush")
    # The same request as a Django QueryDict, straight from the wire.
    raw = f"ids[]=1&ids[]=2&k%3Dey=v&note=a%26b%25c&shop=demo.myshopify.com&signature=x&hmac={ESCAPED_HMAC}"
    assert signing.verify_shopify_query(QueryDict(raw), "hush")
    assert signing.verify_shopify_query(QueryDict(raw.replace("hmac=bb", "hmac=BB")), "hush")


@pytest.mark.parametrize(
    "params",
    [
        pytest.param(
            {"shop": "evil.myshopify.com", "note": "a&b%c", "k=ey": "v", "ids[]": ["1", "2"]}, id="tampered"
        ),
        pytest.param(
            {"shop": "demo.myshopify.com", "note": "a&b%c", "k=ey": "v", "ids[]": ["2", "1"]}, id="list-order"
        ),
        pytest.param({"shop": "demo.myshopify.com", "note": "a&b%c", "k=ey": "v"}, id="dropped-param"),
        pytest.param(
            {"shop": ["demo.myshopify.com", "x"], "note": "a&b%c", "k=ey": "v", "ids[]": ["1", "2"]},
            id="repeated-plain-key",
        ),
    ],
)
def test_verify_shopify_query_rejects_tampering(params):
    assert signing.verify_shopify_query({**params, "hmac": ESCAPED_HMAC}, "hush") is False


@pytest.mark.parametrize(
    "hmac_value",
    [ESCAPED_HMAC[:-1], "", "not-hex", ["a", "b"], [ESCAPED_HMAC, ESCAPED_HMAC], "\u00e9" * 64],
)
def test_verify_shopify_query_rejects_garbled_hmac(hmac_value):
    params = {"shop": "demo.myshopify.com", "note": "a&b%c", "k=ey": "v", "ids[]": ["1", "2"]}
    assert signing.verify_shopify_query({**params, "hmac": hmac_value}, "hush") is False


def test_verify_shopify_query_needs_an_hmac_and_a_secret():
    params = {"shop": "demo.myshopify.com", "note": "a&b%c", "k=ey": "v", "ids[]": ["1", "2"]}
    assert signing.verify_shopify_query(params, "hush") is False
    assert signing.verify_shopify_query({**params, "hmac": ESCAPED_HMAC}, "") is False
    assert signing.verify_shopify_query({**params, "hmac": ESCAPED_HMAC}, "not-hush") is False


# --- Shopify webhooks (base64) ---------------------------------------------------------------------------

SHOPIFY_BODY = b'{"id":5859286515712,"name":"#1042","email":"jane@example.com","financial_status":"paid"}'
# printf '%s' '{"id":5859286515712,"name":"#1042","email":"jane@example.com","financial_status":"paid"}' \
#   | openssl dgst -sha256 -hmac 'app-client-secret' -binary | base64
SHOPIFY_SIG = "dMoWW9jB0U7GIYZgH/fer+3I+mRd347EKhuZzCEy3qE="


def test_verify_shopify_webhook():
    assert signing.hmac_sha256_base64("app-client-secret", SHOPIFY_BODY) == SHOPIFY_SIG
    assert signing.verify_shopify_webhook(SHOPIFY_BODY, SHOPIFY_SIG, "app-client-secret")


@pytest.mark.parametrize(
    ("body", "header", "secret"),
    [
        pytest.param(flipped(SHOPIFY_BODY, 10), SHOPIFY_SIG, "app-client-secret", id="flipped-byte"),
        pytest.param(SHOPIFY_BODY, SHOPIFY_SIG, "other-secret", id="wrong-secret"),
        pytest.param(SHOPIFY_BODY, SHOPIFY_SIG[:20], "app-client-secret", id="truncated"),
        pytest.param(SHOPIFY_BODY, "%%%not*base64%%%", "app-client-secret", id="non-base64"),
        pytest.param(SHOPIFY_BODY, "", "app-client-secret", id="empty"),
        pytest.param(SHOPIFY_BODY, None, "app-client-secret", id="missing"),
        pytest.param(
            signing.hmac_sha256_hex("app-client-secret", SHOPIFY_BODY).encode(),
            signing.hmac_sha256_hex("app-client-secret", SHOPIFY_BODY),
            "app-client-secret",
            id="hex-instead-of-base64",
        ),
        pytest.param(
            json.dumps(json.loads(SHOPIFY_BODY)).encode(), SHOPIFY_SIG, "app-client-secret", id="reserialized"
        ),
    ],
)
def test_verify_shopify_webhook_rejects(body, header, secret):
    assert signing.verify_shopify_webhook(body, header, secret) is False


# --- WooCommerce webhooks --------------------------------------------------------------------------------

# PHP's wp_json_encode output: "/" escaped as "\/", non-ASCII as \uXXXX (PLATFORMS.md §0).
WOO_BODY = (
    rb'{"id":1287,"status":"processing","permalink":"https:\/\/shop.example.com\/?post_type=shop_order&p=1287",'
    rb'"billing":{"first_name":"Zo\u00eb"}}'
)
# printf '%s' '{"id":1287,"status":"processing","permalink":"https:\/\/shop.example.com\/?post_type=shop_order&p=1287","billing":{"first_name":"Zo\u00eb"}}' \
#   | openssl dgst -sha256 -hmac 'Wh00kS3cretAlnum' -binary | base64
WOO_SIG = "AafHQp2+zMTThbpPK6I5eBuSbhaEB2z5QxumZh6WQMY="


def test_verify_woocommerce_webhook():
    assert b"\\/" in WOO_BODY
    assert signing.verify_woocommerce_webhook(WOO_BODY, WOO_SIG, "Wh00kS3cretAlnum")


def test_woocommerce_webhook_fails_on_reserialized_json():
    data = json.loads(WOO_BODY)
    for reserialized in (json.dumps(data), json.dumps(data, separators=(",", ":"), ensure_ascii=False)):
        assert reserialized.encode() != WOO_BODY
        assert signing.verify_woocommerce_webhook(reserialized.encode(), WOO_SIG, "Wh00kS3cretAlnum") is False
    # Only undoing the \/ escaping is enough to break it.
    assert (
        signing.verify_woocommerce_webhook(WOO_BODY.replace(b"\\/", b"/"), WOO_SIG, "Wh00kS3cretAlnum")
        is False
    )


@pytest.mark.parametrize(
    ("body", "header", "secret"),
    [
        pytest.param(flipped(WOO_BODY, 3), WOO_SIG, "Wh00kS3cretAlnum", id="flipped-byte"),
        pytest.param(WOO_BODY, WOO_SIG, "Wh00kS3cretAlnuM", id="wrong-secret"),
        pytest.param(WOO_BODY, WOO_SIG[:-1], "Wh00kS3cretAlnum", id="truncated"),
        pytest.param(
            WOO_BODY, "AafHQp2+zMTThbpPK6I5eBuSbhaEB2z5QxumZh6WQMY", "Wh00kS3cretAlnum", id="unpadded"
        ),
        pytest.param(
            WOO_BODY,
            "AafHQp2-zMTThbpPK6I5eBuSbhaEB2z5QxumZh6WQMY=",
            "Wh00kS3cretAlnum",
            id="urlsafe-alphabet",
        ),
        pytest.param(WOO_BODY, "", "Wh00kS3cretAlnum", id="empty"),
        pytest.param(b"webhook_id=12", None, "Wh00kS3cretAlnum", id="unsigned-ping"),
        pytest.param(WOO_BODY, WOO_SIG, "", id="no-secret"),
    ],
)
def test_verify_woocommerce_webhook_rejects(body, header, secret):
    assert signing.verify_woocommerce_webhook(body, header, secret) is False


# --- WooCommerce OAuth 1.0a one-legged signing -------------------------------------------------------------

CK = "ck_1a2b3c4d5e6f70819203a4b5c6d7e8f901234567"
CS = "cs_0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c"
NONCE = "a9993e364706816aba3e25717850c26c9cd0d89d"  # 40 hex, like the Python client's nonces
TIMESTAMP = "1748880000"


def test_oauth1_base_string_matches_the_twitter_documented_example():
    # developer.twitter.com "Creating a signature" (the api.twitter.com/1 version of the page): a query
    # parameter, a form parameter with spaces and "+,!", and the oauth_* parameters. Base string as published.
    # The published signature tnnArxj06cWHq44gCs1OSKk/jLY= (with a token secret, which Woo's one-legged
    # scheme has not) was recomputed from this exact base string with
    # printf '%s' "$BASE" | openssl dgst -sha1 -binary \
    #   -hmac 'kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw&LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE' | base64
    params = [
        ("include_entities", "true"),
        ("status", "Hello Ladies + Gentlemen, a signed OAuth request!"),
        ("oauth_consumer_key", "xvz1evFS4wEEPTGEFPHBog"),
        ("oauth_nonce", "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", "1318622958"),
        ("oauth_token", "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb"),
        ("oauth_version", "1.0"),
    ]
    expected = (
        "POST&https%3A%2F%2Fapi.twitter.com%2F1%2Fstatuses%2Fupdate.json&include_entities%3Dtrue"
        "%26oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%26oauth_nonce%3DkYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"
        "%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1318622958"
        "%26oauth_token%3D370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb%26oauth_version%3D1.0"
        "%26status%3DHello%2520Ladies%2520%252B%2520Gentlemen%252C%2520a%2520signed%2520OAuth%2520request%2521"
    )
    url = "https://api.twitter.com/1/statuses/update.json?include_entities=true"
    assert signing.oauth1_base_string("post", url, params) == expected


def test_oauth1_base_string_matches_the_oauth_core_appendix_a_example():
    # OAuth Core 1.0 Appendix A.5.1 (photos.example.net). Its published signature tR3+Ty81lMeYAr/Fid0kMTYa/WM=
    # was recomputed from this base string with
    # printf '%s' "$BASE" | openssl dgst -sha1 -hmac 'kd94hf93k423kf44&pfkkdhi9sl3r4s00' -binary | base64
    params = [
        ("file", "vacation.jpg"),
        ("size", "original"),
        ("oauth_consumer_key", "dpf43f3p2l4k3l03"),
        ("oauth_token", "nnch734d00sl2jdk"),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_signature", "tR3+Ty81lMeYAr/Fid0kMTYa/WM="),
        ("oauth_timestamp", "1191242096"),
        ("oauth_nonce", "kllo9940pd9333jh"),
        ("oauth_version", "1.0"),
    ]
    expected = (
        "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%3Ddpf43f3p2l4k3l03"
        "%26oauth_nonce%3Dkllo9940pd9333jh%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1191242096"
        "%26oauth_token%3Dnnch734d00sl2jdk%26oauth_version%3D1.0%26size%3Doriginal"
    )
    assert signing.oauth1_base_string("GET", "http://photos.example.net/photos", params) == expected


# A list-orders call as the Python `woocommerce` client makes it against http://127.0.0.1:8000 (PLATFORMS.md
# §5b), HMAC-SHA256. Base string written out by hand per PLATFORMS.md §2.1: sorted keys, key=value encoded
# twice, key consumer_secret + "&":
ORDERS_URL = "http://127.0.0.1:8000/wp-json/wc/v3/orders"
ORDERS_PARAMS = [
    ("per_page", "100"),
    ("page", "2"),
    ("oauth_consumer_key", CK),
    ("oauth_timestamp", TIMESTAMP),
    ("oauth_nonce", NONCE),
    ("oauth_signature_method", "HMAC-SHA256"),
]
ORDERS_BASE = (
    "GET&http%3A%2F%2F127.0.0.1%3A8000%2Fwp-json%2Fwc%2Fv3%2Forders"
    "&oauth_consumer_key%3Dck_1a2b3c4d5e6f70819203a4b5c6d7e8f901234567"
    "%26oauth_nonce%3Da9993e364706816aba3e25717850c26c9cd0d89d"
    "%26oauth_signature_method%3DHMAC-SHA256%26oauth_timestamp%3D1748880000%26page%3D2%26per_page%3D100"
)
# printf '%s' "$ORDERS_BASE" | openssl dgst -sha256 -hmac 'cs_0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c&' -binary | base64
ORDERS_SIG = "xw1RBqi2H1PGEKM9VM3Zre6kn0a/h8haxIKtd5UmsRo="


def test_oauth1_hmac_sha256_woocommerce_request():
    assert signing.oauth1_base_string("GET", ORDERS_URL, ORDERS_PARAMS) == ORDERS_BASE
    assert signing.oauth1_signature("GET", ORDERS_URL, ORDERS_PARAMS, CS) == ORDERS_SIG


def test_oauth1_tolerates_the_python_clients_duplicated_query():
    # woocommerce 3.0.0 sends ?per_page=100&page=2&oauth_...&per_page=100&page=2; PHP keeps the last value.
    duplicated = [*ORDERS_PARAMS, ("oauth_signature", ORDERS_SIG), ("per_page", "100"), ("page", "2")]
    assert signing.oauth1_base_string("GET", f"{ORDERS_URL}?per_page=100&page=2", duplicated) == ORDERS_BASE
    assert signing.oauth1_signature("GET", ORDERS_URL, duplicated, CS) == ORDERS_SIG
    # ...and the last value is the one that counts.
    last_wins = [*ORDERS_PARAMS, ("page", "3"), ("page", "2")]
    assert signing.oauth1_signature("GET", ORDERS_URL, last_wins, CS) == ORDERS_SIG
    assert signing.oauth1_signature("GET", ORDERS_URL, [*last_wins, ("page", "3")], CS) != ORDERS_SIG


# HMAC-SHA1, with values that need encoding ("/", space, "+", ":" but not "~") and PHP array parameters.
# WooCommerce's own docblock gives 'filter[period]' => 'week' as filter%255Bperiod%255D; include[]=5&include[]=7
# becomes include[0], include[1]. Hand-written:
PRODUCTS_URL = "http://shop.example.test/wp-json/wc/v3/products"
PRODUCTS_PARAMS = [
    ("search", "a/b c+d~e"),
    ("modified_after", "2025-06-01T00:00:00"),
    ("filter[period]", "week"),
    ("include[]", "5"),
    ("include[]", "7"),
    ("oauth_consumer_key", CK),
    ("oauth_nonce", NONCE),
    ("oauth_signature_method", "HMAC-SHA1"),
    ("oauth_timestamp", TIMESTAMP),
]
PRODUCTS_BASE = (
    "GET&http%3A%2F%2Fshop.example.test%2Fwp-json%2Fwc%2Fv3%2Fproducts"
    "&filter%255Bperiod%255D%3Dweek%26include%255B0%255D%3D5%26include%255B1%255D%3D7"
    "%26modified_after%3D2025-06-01T00%253A00%253A00"
    "%26oauth_consumer_key%3Dck_1a2b3c4d5e6f70819203a4b5c6d7e8f901234567"
    "%26oauth_nonce%3Da9993e364706816aba3e25717850c26c9cd0d89d"
    "%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1748880000"
    "%26search%3Da%252Fb%2520c%252Bd~e"
)
# printf '%s' "$PRODUCTS_BASE" | openssl dgst -sha1 -hmac 'cs_0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c&' -binary | base64
PRODUCTS_SIG = "4IPrunfDgmhGcYsB1OPK6LVh47A="


def test_oauth1_hmac_sha1_with_encoded_values_and_php_arrays():
    assert signing.oauth1_base_string("GET", PRODUCTS_URL, PRODUCTS_PARAMS) == PRODUCTS_BASE
    assert signing.oauth1_signature("GET", PRODUCTS_URL, PRODUCTS_PARAMS, CS, "HMAC-SHA1") == PRODUCTS_SIG


def test_oauth1_base_string_mangles_names_like_php():
    # PHP turns "." and " " in a parameter name into "_", and an unclosed "[" too; it strips leading
    # spaces and drops parameters with no name.
    params = [("a.b", "1"), ("x[y", "2"), (" lead", "3"), ("", "4"), ("[k]", "5")]
    assert (
        signing.oauth1_base_string("GET", "http://h/p", params)
        == "GET&http%3A%2F%2Fh%2Fp&a_b%3D1%26lead%3D3%26x_y%3D2"
    )


def test_oauth1_signature_with_plus_and_slash():
    # The orders request one second later, whose signature has "+" and "/" in it: ORDERS_BASE with
    # oauth_timestamp%3D1748880009 instead, then the same openssl command as for ORDERS_SIG.
    params = [(k, "1748880009" if k == "oauth_timestamp" else v) for k, v in ORDERS_PARAMS]
    signature = "vm+EZZnaJEjRxmQa2SXTxs7EPkUPZyso6xOvS2+bc60="
    assert signing.oauth1_base_string("GET", ORDERS_URL, params) == ORDERS_BASE.replace(
        "1748880000", "1748880009"
    )
    assert signing.oauth1_signature("GET", ORDERS_URL, params, CS) == signature


def test_oauth1_signature_refuses_bad_methods():
    with pytest.raises(ValueError):
        signing.oauth1_signature("GET", ORDERS_URL, ORDERS_PARAMS, CS, "PLAINTEXT")
    with pytest.raises(ValueError):  # params say HMAC-SHA256
        signing.oauth1_signature("GET", ORDERS_URL, ORDERS_PARAMS, CS, "HMAC-SHA1")


# --- Etsy PKCE -----------------------------------------------------------------------------------------------

# RFC 7636 Appendix B. Cross-checked with
# printf '%s' 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk' | openssl dgst -sha256 -binary | basenc --base64url | tr -d '='
RFC7636_VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
RFC7636_CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_pkce_challenge_matches_rfc7636():
    assert signing.pkce_challenge(RFC7636_VERIFIER) == RFC7636_CHALLENGE
    # A value that has circulated as "the RFC example" but is not what the RFC (or OpenSSL) gives.
    assert signing.pkce_challenge(RFC7636_VERIFIER) != "E9cdYp2u-JP1-0cfEWWrLzzNpTwUlFS1U19ARZSRhjA"


def test_pkce_rejects_the_etsy_python_empty_verifier():
    # PLATFORMS.md §5b: etsy-python sent the challenge of the empty string. Cross-checked with
    # printf '' | openssl dgst -sha256 -binary | basenc --base64url | tr -d '='
    # (challenge "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"): we never make one from an empty verifier.
    with pytest.raises(ValueError):
        signing.pkce_challenge("")


def test_pkce_pair():
    verifier, challenge = signing.pkce_pair()
    assert 43 <= len(verifier) <= 128
    assert set(verifier) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
    assert len(challenge) == 43 and "=" not in challenge
    assert signing.pkce_challenge(verifier) == challenge
    assert signing.pkce_pair()[0] != verifier


# --- Pressero ------------------------------------------------------------------------------------------------

PRESSERO_KEY = "PresseroKey42"
PRESSERO_BODY = b'{"Type":10,"TypeName":"OrderPlaced","MessageID":"0b6c0000-0000-0000-0000-000000000000"}'
# K='PresseroKey42'; B='{"Type":10,"TypeName":"OrderPlaced","MessageID":"0b6c0000-0000-0000-0000-000000000000"}'
# printf '%s%s' "$K" "$B" | openssl dgst -sha1                    (key first, hex: the default reading)
PRESSERO_HEX = "79f7fb074fcb2de65390e8b9266dcd20ce7b8fc1"
# printf '%s%s' "$K" "$B" | openssl dgst -sha1 -binary | base64   (key first, base64)
PRESSERO_B64 = "eff7B0/LLeZTkOi5Jm3NIM57j8E="
# printf '%s%s' "$B" "$K" | openssl dgst -sha1                    (payload first, hex)
PRESSERO_BODY_FIRST_HEX = "1839b0a19ac689576037a83fe8874fca30d61e4e"


def test_pressero_message_hash_variants():
    assert signing.pressero_message_hash(PRESSERO_KEY, PRESSERO_BODY) == PRESSERO_HEX
    assert signing.pressero_message_hash(PRESSERO_KEY, PRESSERO_BODY, encoding="base64") == PRESSERO_B64
    assert (
        signing.pressero_message_hash(PRESSERO_KEY, PRESSERO_BODY, key_first=False) == PRESSERO_BODY_FIRST_HEX
    )


def test_verify_pressero():
    assert signing.verify_pressero(PRESSERO_BODY, PRESSERO_HEX, PRESSERO_KEY)
    assert signing.verify_pressero(PRESSERO_BODY, PRESSERO_HEX.upper(), PRESSERO_KEY)
    assert signing.verify_pressero(PRESSERO_BODY, PRESSERO_B64, PRESSERO_KEY, encoding="base64")
    assert signing.verify_pressero(PRESSERO_BODY, PRESSERO_BODY_FIRST_HEX, PRESSERO_KEY, key_first=False)
    # The variants do not stand in for one another.
    assert not signing.verify_pressero(PRESSERO_BODY, PRESSERO_BODY_FIRST_HEX, PRESSERO_KEY)


@pytest.mark.parametrize(
    ("body", "header", "key"),
    [
        pytest.param(flipped(PRESSERO_BODY, 8), PRESSERO_HEX, PRESSERO_KEY, id="flipped-byte"),
        pytest.param(PRESSERO_BODY, PRESSERO_HEX, "PresseroKey43", id="wrong-key"),
        pytest.param(PRESSERO_BODY, PRESSERO_HEX[:-1], PRESSERO_KEY, id="truncated"),
        pytest.param(PRESSERO_BODY, "XYZ" * 13 + "X", PRESSERO_KEY, id="non-hex"),
        pytest.param(PRESSERO_BODY, "", PRESSERO_KEY, id="empty"),
        pytest.param(PRESSERO_BODY, None, PRESSERO_KEY, id="missing"),
        pytest.param(PRESSERO_BODY, PRESSERO_HEX, "", id="no-key"),
        pytest.param(
            json.dumps(json.loads(PRESSERO_BODY)).encode(), PRESSERO_HEX, PRESSERO_KEY, id="reserialized"
        ),
    ],
)
def test_verify_pressero_rejects(body, header, key):
    assert signing.verify_pressero(body, header, key) is False


# --- tokens ------------------------------------------------------------------------------------------------


def test_random_token_and_constant_time_equal():
    token = signing.random_token()
    assert len(token) == 43  # 32 bytes, url-safe base64 without padding
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert len(signing.random_token(16)) == 22
    assert token != signing.random_token()
    assert signing.constant_time_equal(token, str(token))
    assert not signing.constant_time_equal(token, token[:-1])
    assert not signing.constant_time_equal(token, None)
    assert not signing.constant_time_equal("", "")
    assert not signing.constant_time_equal("caf\u00e9", "cafe")


def test_standard_webhooks_signatures_match_the_reference_library():
    from datetime import UTC, datetime

    from standardwebhooks import Webhook

    from core.signing import standard_webhooks_secret, standard_webhooks_signature

    secret = standard_webhooks_secret()
    assert secret.startswith("whsec_") and len(secret) == len("whsec_") + 44
    body = '{"type":"order.shipped","data":{"note":"Ünïcode ✓"}}'
    ours = standard_webhooks_signature(secret, "msg_1", 1_700_000_000, body)
    assert ours == Webhook(secret).sign("msg_1", datetime.fromtimestamp(1_700_000_000, UTC), body)
    assert ours != standard_webhooks_signature(standard_webhooks_secret(), "msg_1", 1_700_000_000, body)
