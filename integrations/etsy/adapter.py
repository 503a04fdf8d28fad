"""Etsy through OAuth 2.0 with PKCE and Open API v3.

Not through `etsy-python`: it hard-codes production URLs in a shared global, sends the
keystring alone in x-api-key (refused by Etsy since 2026-02-09), loses a saved PKCE verifier,
refreshes only once a token has expired, never retries, and needs OAUTHLIB_INSECURE_TRANSPORT
to reach http. It stays in the tests, as an independent client of the sandbox.
"""

from datetime import timedelta
from functools import partial
from urllib.parse import urlencode

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from core import http
from integrations.base import AdapterError, Connection, answer_of, busy, is_busy, unreachable
from integrations.types import SourceProduct
from storefronts.services import save_credentials

from .products import LISTING_STATES, etsy_product

REFRESH_MARGIN = timedelta(minutes=5)
PAGE_LIMIT = 100  # Etsy's maximum


def daily_allowance_spent(response):
    """Etsy's 429 for calls per day (x-remaining-today 0), unlike its per-second 429, asks for hours."""
    return response.status_code == 429 and response.headers.get("x-remaining-today") == "0"


def authorize_url(state, challenge, redirect_uri):
    query = {
        "response_type": "code",
        "client_id": settings.ETSY_API_KEY,
        "redirect_uri": redirect_uri,
        "scope": " ".join(settings.ETSY_SCOPES),
        "state": state,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    return f"{settings.ETSY_OAUTH_URL}?{urlencode(query)}"


def token_credentials(answer):
    return {
        "access_token": answer["access_token"],
        "refresh_token": answer["refresh_token"],
        "expires_at": (timezone.now() + timedelta(seconds=answer["expires_in"])).isoformat(),
    }


class EtsyAdapter:
    def __init__(self, shop_id=None, credentials=None, on_refresh=None):
        self.shop_id = shop_id
        self.credentials = credentials or {}
        self.on_refresh = on_refresh

    @classmethod
    def from_store(cls, store):
        return cls(store.shop_identity, store.credentials, on_refresh=partial(save_credentials, store))

    # --- OAuth ---

    def _token(self, body):
        try:
            response = http.post(
                f"{settings.ETSY_API_URL}/v3/public/oauth/token",
                data={"client_id": settings.ETSY_API_KEY, **body},
                retry_unsafe=True,  # Etsy's token endpoint has transient 500s; a repeat is harmless
            )
        except http.OutboundError as error:
            raise unreachable("Etsy", error) from error
        if response.status_code in (400, 401):
            answer = answer_of(response, "Etsy")
            raise AdapterError(
                _("Etsy refused: %(reason)s")
                % {"reason": answer.get("error_description", answer.get("error"))},
                permanent=True,
            )
        if is_busy(response):
            raise busy("Etsy", response)
        if not response.ok:
            raise AdapterError(_("Etsy answered HTTP %(status)s.") % {"status": response.status_code})
        self.credentials = token_credentials(answer_of(response, "Etsy"))
        return self.credentials

    def exchange_code(self, code, verifier, redirect_uri):
        self._token(
            {
                "grant_type": "authorization_code",
                "code": code,
                "code_verifier": verifier,
                "redirect_uri": redirect_uri,
            }
        )
        me = self.call("GET", "users/me")
        self.shop_id = str(me["shop_id"])
        shop = self.call("GET", f"shops/{self.shop_id}")
        return Connection(
            name=shop.get("title") or shop["shop_name"],
            shop_identity=self.shop_id,
            base_url=settings.ETSY_API_URL,
            credentials=self.credentials,
            scopes=list(settings.ETSY_SCOPES),
        )

    def refresh_if_needed(self, margin=REFRESH_MARGIN):
        """Etsy tokens last an hour: swap one before it runs out (the refresh token rotates)."""
        expires_at = self.credentials.get("expires_at")
        if not expires_at or parse_datetime(expires_at) - margin > timezone.now():
            return False
        self._token({"grant_type": "refresh_token", "refresh_token": self.credentials["refresh_token"]})
        if self.on_refresh:
            self.on_refresh(self.credentials)
        return True

    # --- API ---

    def call(self, method, path, params=None):
        self.refresh_if_needed()
        headers = {
            "x-api-key": f"{settings.ETSY_API_KEY}:{settings.ETSY_SHARED_SECRET}",
            "Authorization": f"Bearer {self.credentials.get('access_token', '')}",
        }
        try:
            response = http.request(
                method,
                f"{settings.ETSY_API_URL}/v3/application/{path}",
                params=params,
                headers=headers,
                retry_if=lambda answer: not daily_allowance_spent(answer),
            )
        except http.OutboundError as error:
            raise unreachable("Etsy", error) from error
        if response.status_code in (401, 403):
            answer = answer_of(response, "Etsy")
            raise AdapterError(
                _("Etsy refused our access (%(reason)s). Connect the shop again.")
                % {"reason": answer.get("error_description") or answer.get("error")},
                permanent=True,
            )
        if daily_allowance_spent(response):
            raise AdapterError(
                _("Etsy's daily allowance of requests is used up; we try again when it frees up."),
                retry_after=response.headers.get("Retry-After"),
            )
        if is_busy(response):
            raise busy("Etsy", response)
        if not response.ok:
            raise AdapterError(
                _("Etsy answered HTTP %(status)s.") % {"status": response.status_code}, permanent=True
            )
        return answer_of(response, "Etsy")

    def verify(self):
        return self.call("GET", f"shops/{self.shop_id}")

    def iter_products(self, state="active", limit=PAGE_LIMIT):
        """Every listing in `state`; on Etsy a listing is a product, its variations products of it."""
        offset = 0
        while True:
            page = self.call(
                "GET", f"shops/{self.shop_id}/listings", {"state": state, "limit": limit, "offset": offset}
            )
            yield from page["results"]
            offset += len(page["results"])
            if not page["results"] or offset >= page["count"]:
                return

    # FOLD NOTE: a stand-in for branch `sync`'s iter_product_pages (see .products); same interface.
    def iter_product_pages(self, since=None, limit=PAGE_LIMIT):
        """Every listing in every state, as lists of SourceProduct, one per page. With `since`,
        only listings updated since then: Etsy cannot filter listings by time, so each state is
        read newest first (sort_on=updated) and left at the first older listing."""
        # Etsy's timestamps are whole seconds: a listing changed in the second `since` falls in
        # counts as changed.
        since_stamp = int(since.timestamp()) if since else None
        order = {"sort_on": "updated", "sort_order": "desc"} if since else {"sort_on": "created"}
        for state in LISTING_STATES:
            offset = 0
            while True:
                params = {"state": state, "limit": limit, "offset": offset, "includes": "Inventory", **order}
                page = self.call("GET", f"shops/{self.shop_id}/listings", params)
                results = page["results"]
                offset += len(results)
                fresh = [
                    r
                    for r in results
                    if since_stamp is None or (r.get("updated_timestamp") or 0) >= since_stamp
                ]
                if fresh:
                    yield [etsy_product(listing) for listing in fresh]
                if len(fresh) < len(results) or not results or offset >= page["count"]:
                    break

    def fetch_product(self, external_id):
        """One listing as it is now, with its inventory (getListingInventory with the listing);
        state "deleted" when Etsy no longer has it."""
        gone = SourceProduct(external_id=str(external_id), title="", state="deleted")
        if not str(external_id).isdigit():
            return gone
        try:
            inventory = self.call("GET", f"listings/{external_id}/inventory", {"includes": "Listing"})
        except AdapterError as error:
            if error.permanent and "404" in str(error):
                return gone
            raise
        listing = inventory.pop("listing", None)
        if not listing:
            return gone
        return etsy_product({**listing, "inventory": inventory})
