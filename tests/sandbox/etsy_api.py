"""A bare client of the Etsy emulator for its tests: the PKCE grant as any app makes it, then
plain HTTP calls, so each test sees exactly what the emulator answers."""

import base64
import functools
import hashlib
import secrets
from urllib.parse import urlencode

import requests

from integrations.tests.helpers import consent, sandbox_switch
from sandbox import demo_keys

SHOP = "etsy/demo-mugs"
# The callback Printfront's own tests register with Etsy (Django's test client is `testserver`).
REDIRECT_URI = f"http://testserver{demo_keys.ETSY_APP_REDIRECT_PATH}"
SCOPES = "listings_r shops_r transactions_r transactions_w"
API_KEY = f"{demo_keys.ETSY_APP_KEYSTRING}:{demo_keys.ETSY_APP_SHARED_SECRET}"


class EtsyApi:
    def __init__(self, sandbox_url, access_token):
        self.sandbox_url = sandbox_url
        self.access_token = access_token
        self.user_id, _, _ = access_token.partition(".")

    def url(self, path):
        return f"{self.sandbox_url}/etsy/v3/application/{path}"

    def headers(self):
        return {"x-api-key": API_KEY, "Authorization": f"Bearer {self.access_token}"}

    def get(self, path, params=None):
        return requests.get(self.url(path), params=params, headers=self.headers(), timeout=10)

    def post(self, path, body):
        return requests.post(self.url(path), json=body, headers=self.headers(), timeout=10)

    @functools.cache  # noqa: B019 (one client per test)
    def shop_id(self):
        return self.get("users/me").json()["shop_id"]


def grant(sandbox_url, scopes=SCOPES):
    """Sign in on the consent screen and exchange the code: an access token for the demo shop."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = {
        "response_type": "code",
        "client_id": demo_keys.ETSY_APP_KEYSTRING,
        "redirect_uri": REDIRECT_URI,
        "scope": scopes,
        "state": secrets.token_urlsafe(8),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    answer = consent(
        f"{sandbox_url}/etsy/oauth/connect?{urlencode(query)}",
        decision="allow",
        callback_path=demo_keys.ETSY_APP_REDIRECT_PATH,
    )
    token = requests.post(
        f"{sandbox_url}/etsy/v3/public/oauth/token",
        data={
            "grant_type": "authorization_code",
            "client_id": demo_keys.ETSY_APP_KEYSTRING,
            "redirect_uri": REDIRECT_URI,
            "code": answer["code"],
            "code_verifier": verifier,
        },
        timeout=10,
    )
    assert token.status_code == 200, token.text
    return EtsyApi(sandbox_url, token.json()["access_token"])


def switch(sandbox_url, **fields):
    """Set the demo Etsy shop's switches; unnamed ones go back to Etsy's defaults."""
    sandbox_switch(sandbox_url, shop=SHOP, **fields)
