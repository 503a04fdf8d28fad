"""Signature maths for the platform integrations, kept in one place.

Every function here is pure: bytes or str in, bool or str out, no Django models and no HTTP. Every
comparison with a signature goes through `hmac.compare_digest`. Every `verify_*` answers False, and never
raises, for a missing, empty, truncated or garbled signature, and also for an empty secret, so an
unconfigured connection can never verify anything.

The rules follow the platform research notes (PLATFORMS.md):

* Shopify (§1.1, §1.3, gotcha 6): the OAuth/install callback query carries a lowercase *hex* HMAC-SHA256;
  webhooks carry a *base64* HMAC-SHA256 of the raw body in `X-Shopify-Hmac-Sha256`.
* WooCommerce (§2.1, §2.4, gotchas 8-9): webhooks carry a base64 HMAC-SHA256 of the raw body in
  `X-WC-Webhook-Signature`; over plain http the REST API only takes OAuth 1.0a "one-legged" signatures,
  built the way WooCommerce's `WC_REST_Authentication::check_oauth_signature` rebuilds them.
* Etsy (§3.1): PKCE with S256.
* Pressero (§4.2): `MessageHash` is a plain SHA-1 over the security key and the payload.

Always verify against the raw request bytes (PLATFORMS.md §0): re-serialising parsed JSON changes the bytes
(WooCommerce's PHP escapes `/` as `\\/`) and the signature no longer matches.
"""

import base64
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Iterable, Mapping
from typing import Any, Literal
from urllib.parse import quote

Secret = str | bytes
Encoding = Literal["base64", "hex"]


def _as_bytes(value: Secret) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


def _matches(expected: str, provided: object) -> bool:
    """Constant-time check of an untrusted `provided` value against our ASCII `expected` value."""
    if not isinstance(provided, str):
        return False
    provided = provided.strip()
    if not provided or not provided.isascii():
        return False
    return hmac.compare_digest(expected.encode("ascii"), provided.encode("ascii"))


def _matches_hex(expected: str, provided: object) -> bool:
    """As `_matches`, for lowercase hex `expected`; `provided` may be in either case."""
    if not isinstance(provided, str) or not provided.isascii():
        return False
    return _matches(expected, provided.lower())


def constant_time_equal(a: object, b: object) -> bool:
    """Compare two tokens (e.g. an OAuth `state` with the nonce we issued) in constant time.

    False when either is missing, empty or not a str.
    """
    if not isinstance(a, str) or not isinstance(b, str) or not a or not b:
        return False
    return hmac.compare_digest(a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass"))


def random_token(nbytes: int = 32) -> str:
    """A url-safe random token for state nonces and the like (`nbytes` of entropy)."""
    return secrets.token_urlsafe(nbytes)


# --- generic HMAC-SHA256 -------------------------------------------------------------------------------


def hmac_sha256_base64(secret: Secret, body: bytes) -> str:
    """Standard base64 (with padding) of HMAC-SHA256(secret, body)."""
    return base64.b64encode(hmac.new(_as_bytes(secret), body, hashlib.sha256).digest()).decode("ascii")


def hmac_sha256_hex(secret: Secret, body: bytes) -> str:
    """Lowercase hex of HMAC-SHA256(secret, body)."""
    return hmac.new(_as_bytes(secret), body, hashlib.sha256).hexdigest()


def verify_hmac_sha256(secret: Secret, body: bytes, signature: object, encoding: Encoding) -> bool:
    """Check `signature` (base64 or hex, as sent by the platform) against HMAC-SHA256(secret, body).

    Hex is compared case-insensitively; base64 must be the canonical padded form.
    """
    if encoding not in ("base64", "hex"):
        raise ValueError(f"encoding must be 'base64' or 'hex', not {encoding!r}")
    if not secret:
        return False
    if encoding == "hex":
        return _matches_hex(hmac_sha256_hex(secret, body), signature)
    return _matches(hmac_sha256_base64(secret, body), signature)


# --- Shopify -------------------------------------------------------------------------------------------

_SHOPIFY_UNSIGNED = frozenset({"hmac", "signature"})


def _values(params: Mapping[str, Any], key: str) -> list[str]:
    getlist = getattr(params, "getlist", None)  # a Django QueryDict keeps repeated keys only via getlist()
    raw = getlist(key) if callable(getlist) else params[key]
    if isinstance(raw, list | tuple):
        return [str(item) for item in raw]
    return [str(raw)]


def _shopify_message(params: Mapping[str, Any]) -> str:
    # PLATFORMS.md §1.1, as in Shopify's Python library: drop `hmac` (and the legacy `signature`), turn
    # `foo[]` lists into foo=["a", "b"] (JSON, with a space after the comma), escape `%` and `&` in values
    # and `%`, `=` and `&` in keys, then sort the `key=value` pairs and join them with `&`.
    pairs = []
    for key in params:
        if key in _SHOPIFY_UNSIGNED:
            continue
        values = _values(params, key)
        if key.endswith("[]"):
            name, value = key[:-2], json.dumps(values)
        elif len(values) == 1:
            name, value = key, values[0]
        else:
            raise ValueError(f"query parameter {key!r} is repeated but is not a [] list")
        name = name.replace("%", "%25").replace("=", "%3D").replace("&", "%26")
        value = value.replace("%", "%25").replace("&", "%26")
        pairs.append(f"{name}={value}")
    return "&".join(sorted(pairs))


def shopify_query_hmac(params: Mapping[str, str | list[str]], secret: Secret) -> str:
    """The hex HMAC Shopify puts in the `hmac` query parameter of install and OAuth callback requests.

    `params` holds URL-decoded values: a plain dict, a dict of lists (`dict(request.GET.lists())`), or a
    Django QueryDict itself. This is the OAuth/install rule only; app-proxy requests use another one.
    """
    return hmac_sha256_hex(secret, _shopify_message(params).encode("utf-8"))


def verify_shopify_query(params: Mapping[str, str | list[str]], secret: Secret) -> bool:
    """Check the `hmac` parameter of a Shopify install or OAuth callback query.

    This checks the signature only; the caller still checks `state`, the shop hostname and the timestamp.
    """
    if not secret or "hmac" not in params:
        return False
    try:
        provided = _values(params, "hmac")
        expected = shopify_query_hmac(params, secret)
    except (TypeError, ValueError, UnicodeError):
        return False
    if len(provided) != 1:
        return False
    return _matches_hex(expected, provided[0])


def verify_shopify_webhook(body: bytes, header_value: object, secret: Secret) -> bool:
    """Check `X-Shopify-Hmac-Sha256` (base64) against the raw body.

    During a client-secret rotation Shopify may sign with either secret for up to an hour: call this once
    per secret.
    """
    return verify_hmac_sha256(secret, body, header_value, "base64")


# --- WooCommerce ---------------------------------------------------------------------------------------


def verify_woocommerce_webhook(body: bytes, header_value: object, secret: Secret) -> bool:
    """Check `X-WC-Webhook-Signature` (base64 HMAC-SHA256 of the raw body, keyed with the webhook secret).

    Woo runs the secret through `wp_specialchars_decode` before signing, so use alphanumeric secrets.
    The first "ping" delivery (`webhook_id=N`, form-encoded) is unsigned and never verifies here.
    """
    return verify_hmac_sha256(secret, body, header_value, "base64")


_OAUTH1_DIGESTS = {"HMAC-SHA1": hashlib.sha1, "HMAC-SHA256": hashlib.sha256}
_CANONICAL_INT = re.compile(r"0|-?[1-9][0-9]{0,17}")

# A PHP request array: str/int keys, leaves are str, nested arrays are dicts.
PhpArray = dict[str | int, Any]


def _rawurlencode(value: str) -> str:
    # PHP rawurlencode: every byte of the UTF-8 form except A-Z a-z 0-9 - _ . ~ becomes %XX (uppercase).
    # `quote(..., safe="")` has exactly that unreserved set, and unlike quote()'s default it encodes "/".
    return quote(value, safe="")


def _php_key(array: PhpArray, segment: str | None) -> str | int:
    if segment is None:  # "foo[]": PHP appends at the next free integer index
        return max((k for k in array if isinstance(k, int)), default=-1) + 1
    return int(segment) if _CANONICAL_INT.fullmatch(segment) else segment


def _php_path(name: str) -> list[str | None] | None:
    """Split a request parameter name the way PHP does when it fills $_GET/$_POST.

    "a.b" -> ["a_b"], "filter[period]" -> ["filter", "period"], "ids[]" -> ["ids", None]. None for a name
    PHP drops (empty). Brackets after the first unclosed one, and text after the last "]", are ignored.
    """
    name = name.lstrip(" ")
    open_at = name.find("[")
    if open_at == -1:
        base = re.sub(r"[ .]", "_", name)
        return [base] if base else None
    base = re.sub(r"[ .]", "_", name[:open_at])
    if not base:
        return None
    rest = name[open_at:]
    if "]" not in rest:
        # An unclosed "[" is not an array: PHP turns it, and any later space, "." or "[", into "_".
        return [base + re.sub(r"[ .\[]", "_", rest)]
    path: list[str | None] = [base]
    while rest.startswith("[") and "]" in rest:
        close = rest.index("]")
        path.append(rest[1:close] or None)
        rest = rest[close + 1 :]
    return path


def _php_params(params: Iterable[tuple[str, str]]) -> PhpArray:
    """Rebuild the array WooCommerce signs: array_merge($_GET, $_POST) as PHP builds it.

    A repeated plain key keeps its last value (so the duplicated query parameters of the Python
    `woocommerce` client sign the same as single ones), and `x[]` / `x[k]` build nested arrays.
    Pass query parameters first and form-body parameters after them, since POST wins the merge.
    Not modelled: array_merge renumbering purely numeric top-level names, which no Woo endpoint uses.
    """
    result: PhpArray = {}
    for raw_name, raw_value in params:
        path = _php_path(str(raw_name))
        if path is None:
            continue
        target = result
        *parents, last = path
        for segment in parents:
            key = _php_key(target, segment)
            child = target.get(key)
            if not isinstance(child, dict):
                child = target[key] = {}
            target = child
        target[_php_key(target, last)] = str(raw_value)
    return result


def _wc_encode_values(value: Any) -> Any:
    # wc_rest_urlencode_rfc3986 over array_values(): nested arrays keep their (unencoded) keys.
    if isinstance(value, dict):
        return {key: _wc_encode_values(item) for key, item in value.items()}
    return _rawurlencode(value)


def _wc_join(array: Mapping[Any, Any], prefix: str | None = None) -> list[str]:
    # join_with_equals_sign(): nested keys become prefix%5Binner%5D, then each whole "key=value" is
    # rawurlencoded a second time. Keys and values were already encoded once, so they end up double-encoded.
    pairs = []
    for key, value in array.items():
        name = f"{prefix}%5B{key}%5D" if prefix is not None else str(key)
        if isinstance(value, dict):
            pairs.extend(_wc_join(value, name))
        else:
            pairs.append(_rawurlencode(f"{name}={value}"))
    return pairs


def _base_string(method: str, url: str, array: PhpArray) -> str:
    # METHOD & rawurlencode(url without query or fragment) & pairs joined with %26 (PLATFORMS.md §2.1).
    # Top-level keys are sorted with strcmp (byte order; Python's code-point order on str is the same).
    base_url = url.split("#", 1)[0].split("?", 1)[0]
    signed = sorted(((str(k), v) for k, v in array.items() if k != "oauth_signature"), key=lambda kv: kv[0])
    normalized = {_rawurlencode(key): _wc_encode_values(value) for key, value in signed}
    return f"{method.upper()}&{_rawurlencode(base_url)}&{'%26'.join(_wc_join(normalized))}"


def oauth1_base_string(method: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """The OAuth 1.0a signature base string exactly as WooCommerce rebuilds it on the server.

    `url` is the URL the request goes to (scheme, host, port and path: WooCommerce uses its configured
    home_url plus the request path); any query or fragment in it is ignored, so pass every query and form
    parameter, decoded, in `params`. Differences from plain RFC 5849, all WooCommerce's: a repeated key keeps
    only its last value, PHP's `x[]`/`x[k]` arrays are expanded, keys are sorted with strcmp, and the URL is
    used as given (no lowercasing, no dropping of default ports).
    """
    return _base_string(method, url, _php_params(params))


def _oauth1_sign(base_string: str, consumer_secret: Secret, signature_method: str) -> str:
    # WooCommerce's key is consumer_secret + "&" (one-legged: no token, so the token secret is empty);
    # the secret itself is not percent-encoded. The signature is base64 of the raw HMAC.
    key = _as_bytes(consumer_secret) + b"&"
    digest = hmac.new(key, base_string.encode("utf-8"), _OAUTH1_DIGESTS[signature_method]).digest()
    return base64.b64encode(digest).decode("ascii")


def oauth1_signature(
    method: str,
    url: str,
    params: Iterable[tuple[str, str]],
    consumer_secret: Secret,
    signature_method: str = "HMAC-SHA256",
) -> str:
    """The `oauth_signature` value for a one-legged WooCommerce request (HMAC-SHA1 or HMAC-SHA256).

    `params` are all request parameters including the other oauth_* ones; an `oauth_signature` among them is
    ignored. See `oauth1_base_string` for how `url` and `params` are read.
    """
    if signature_method not in _OAUTH1_DIGESTS:
        raise ValueError(f"unsupported OAuth 1.0a signature method {signature_method!r}")
    array = _php_params(params)
    declared = array.get("oauth_signature_method")
    if declared is not None and declared != signature_method:
        raise ValueError(f"params declare {declared!r} but signing with {signature_method!r}")
    return _oauth1_sign(_base_string(method, url, array), consumer_secret, signature_method)


# --- Etsy PKCE -----------------------------------------------------------------------------------------

_PKCE_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")


def pkce_challenge(verifier: str) -> str:
    """S256 code challenge: base64url(SHA-256(verifier)) without "=" padding (RFC 7636 §4.2).

    Raises ValueError unless the verifier is 43-128 characters from [A-Za-z0-9-._~].
    """
    if not isinstance(verifier, str) or not _PKCE_VERIFIER.fullmatch(verifier):
        raise ValueError("a PKCE code verifier is 43-128 characters from [A-Za-z0-9-._~]")
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def pkce_pair() -> tuple[str, str]:
    """A fresh (code_verifier, code_challenge) pair; the verifier is 86 url-safe characters."""
    verifier = secrets.token_urlsafe(64)
    return verifier, pkce_challenge(verifier)


# --- Pressero ------------------------------------------------------------------------------------------


def pressero_message_hash(
    key: Secret, payload: bytes, *, key_first: bool = True, encoding: Encoding = "hex"
) -> str:
    """The `MessageHash` header of a Pressero webhook: plain SHA-1 (not an HMAC) over key and payload.

    UNVERIFIED (PLATFORMS.md §4.2): Aleyant's KB only says the Security Key is "concatenated with the hook
    payload" and SHA-1 hashed. It does not say which comes first or whether the result is hex or base64.
    The default, key + payload as lowercase hex, is the reading the notes suggest; `key_first` and
    `encoding` allow the other three variants until a real delivery settles it.
    """
    if encoding not in ("base64", "hex"):
        raise ValueError(f"encoding must be 'base64' or 'hex', not {encoding!r}")
    key_bytes = _as_bytes(key)
    data = key_bytes + payload if key_first else payload + key_bytes
    digest = hashlib.sha1(data)  # noqa: S324 - SHA-1 is what Pressero uses; we only check it
    if encoding == "hex":
        return digest.hexdigest()
    return base64.b64encode(digest.digest()).decode("ascii")


def verify_pressero(
    body: bytes, header_value: object, key: Secret, *, key_first: bool = True, encoding: Encoding = "hex"
) -> bool:
    """Check a Pressero `MessageHash` header (hex compared case-insensitively). See pressero_message_hash."""
    if not key:
        return False
    expected = pressero_message_hash(key, body, key_first=key_first, encoding=encoding)
    if encoding == "hex":
        return _matches_hex(expected, header_value)
    return _matches(expected, header_value)


# --- Standard Webhooks (our postbacks) -----------------------------------------------------------------

STANDARD_WEBHOOKS_PREFIX = "whsec_"


def standard_webhooks_secret() -> str:
    """A new signing secret as Standard Webhooks writes them: "whsec_" and 32 random bytes in base64."""
    return STANDARD_WEBHOOKS_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def standard_webhooks_signature(secret: str, message_id: str, timestamp: int, body: str) -> str:
    """'v1,' and the base64 HMAC-SHA256 of "id.timestamp.body", keyed with the secret's bytes."""
    key = base64.b64decode(secret.removeprefix(STANDARD_WEBHOOKS_PREFIX))
    signed = f"{message_id}.{timestamp}.{body}".encode()
    return "v1," + hmac_sha256_base64(key, signed)
