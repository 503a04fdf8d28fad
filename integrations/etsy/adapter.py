"""Etsy through OAuth 2.0 with PKCE and Open API v3.

Not through `etsy-python`: it hard-codes production URLs in a shared global, sends the
keystring alone in x-api-key (refused by Etsy since 2026-02-09), loses a saved PKCE verifier,
refreshes only once a token has expired, never retries, and needs OAUTHLIB_INSECURE_TRANSPORT
to reach http. It stays in the tests, as an independent client of the sandbox.
"""

from datetime import UTC, datetime, timedelta
from functools import partial
from urllib.parse import urlencode

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from core import http
from integrations.base import AdapterError, Connection, answer_of, busy, is_busy, unreachable
from integrations.types import SourceProduct, SourceVariant
from storefronts.services import save_credentials

from .orders import etsy_order, money_of

REFRESH_MARGIN = timedelta(minutes=5)
PAGE_LIMIT = 100  # Etsy's maximum


# Etsy's listing states -> catalog.models.SourceState values. Sold-out and expired listings
# cannot be bought until the seller restocks or renews them: shown as inactive.
LISTING_STATES = ("active", "draft", "inactive", "expired", "sold_out")
PRODUCT_STATES = {
    "active": "active",
    "draft": "draft",
    "inactive": "archived",
    "expired": "archived",
    "sold_out": "archived",
}


def listing_updated(listing):
    """When a listing last changed, in Unix seconds (Etsy's whole seconds), or None. Etsy names
    it updated_timestamp; some answers carry only last_modified_timestamp. The one reading for
    both the incremental filter and SourceProduct.updated_at."""
    return listing.get("updated_timestamp") or listing.get("last_modified_timestamp") or None


def updated_since(listing, since_stamp):
    """Whether a listing changed at or after `since_stamp` (Unix seconds). Etsy's times are whole
    seconds, so a change in the same second as `since` counts (reading it again is harmless;
    missing it is not). A listing without a time counts too: only reading it tells."""
    updated = listing_updated(listing)
    return updated is None or updated >= int(since_stamp)


def source_product(listing, inventory):
    """A listing with its inventory as a SourceProduct: each inventory product is a variant
    (its product_id is what receipts name), its property values the variant's options."""
    variants, names = [], []
    for product in inventory.get("products") or ():
        if product.get("is_deleted"):
            continue
        options = {}
        for prop in product.get("property_values") or ():
            options[prop["property_name"]] = ", ".join(prop.get("values") or ())
            if prop["property_name"] not in names:
                names.append(prop["property_name"])
        offerings = [o for o in product.get("offerings") or () if not o.get("is_deleted")]
        variants.append(
            SourceVariant(
                external_id=str(product["product_id"]),
                sku=product.get("sku") or "",
                title=" / ".join(options.values()),
                options=options,
                price=money_of(offerings[0].get("price")) if offerings else None,
            )
        )
    updated = listing_updated(listing)
    return SourceProduct(
        external_id=str(listing["listing_id"]),
        title=listing.get("title") or "",
        state=PRODUCT_STATES.get(listing.get("state"), "draft"),
        product_type=", ".join(listing.get("tags") or ())[:255],
        option_names=tuple(names),
        variants=tuple(variants),
        updated_at=datetime.fromtimestamp(updated, tz=UTC) if updated else None,
    )


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
        self.resume = None  # where iter_product_pages goes on from after its last page

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

    def call(self, method, path, params=None, data=None, json=None):
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
                data=data,
                json=json,
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
            reason = answer_of(response, "Etsy").get("error") if response.status_code < 500 else None
            if reason:  # a 400 says which parameter and why
                raise AdapterError(
                    _("Etsy refused the request (HTTP %(status)s): %(reason)s")
                    % {"status": response.status_code, "reason": reason},
                    permanent=True,
                )
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

    def iter_product_pages(self, since=None, resume=None, limit=PAGE_LIMIT):
        """Every listing, in every state, with its variations (the inventory, asked for with
        `includes=Inventory`), as lists of SourceProduct, one list per page of 100. With `since`,
        only listings updated since then: each state is read newest first and left at the first
        older listing. After each page `self.resume` is where a later call goes on from (None
        after the last); pass it back as `resume`."""
        position = resume or {"state": LISTING_STATES[0], "offset": 0}
        states = list(LISTING_STATES)
        since_stamp = since.timestamp() if since else None
        order = (
            {"sort_on": "updated", "sort_order": "desc"}
            if since
            else {"sort_on": "created", "sort_order": "asc"}
        )
        for state in states[states.index(position["state"]) :]:
            offset = position["offset"] if state == position["state"] else 0
            while True:
                params = {"state": state, "limit": limit, "offset": offset, "includes": "Inventory", **order}
                page = self.call("GET", f"shops/{self.shop_id}/listings", params)
                results = page["results"]
                offset += len(results)
                if since_stamp is not None:
                    fresh = [r for r in results if updated_since(r, since_stamp)]
                    finished = len(fresh) < len(results)
                    results = fresh
                else:
                    finished = False
                done = finished or not page["results"] or offset >= page["count"]
                following = states.index(state) + 1
                if not done:
                    self.resume = {"state": state, "offset": offset}
                elif following < len(states):
                    self.resume = {"state": states[following], "offset": 0}
                else:
                    self.resume = None
                yield [self._source_product(listing) for listing in results]
                if done:
                    break

    def _source_product(self, listing):
        inventory = listing.get("inventory")
        if inventory is None:  # an answer without the association: ask for it on its own
            inventory = self.call("GET", f"listings/{listing['listing_id']}/inventory")
        return source_product(listing, inventory)

    # --- Orders (polled: Etsy sends apps without commercial access no webhooks) ---

    def fetch_order(self, external_id):
        """One receipt as it is now. AdapterError (permanent) when the shop has no such receipt."""
        if not str(external_id).isdigit():
            raise AdapterError(_("Etsy has no receipt %(id)s.") % {"id": external_id}, permanent=True)
        return etsy_order(self.call("GET", f"shops/{self.shop_id}/receipts/{external_id}"))

    def iter_orders_changed(self, since, limit=PAGE_LIMIT):
        """Every receipt modified at or after `since` (Etsy's whole seconds: a change in the
        same second is read again rather than missed), oldest change first, as SourceOrders.
        Paged by time, not offset: each page asks from the last change the one before saw. A
        receipt changed during the walk moves to the end of the list, and with offsets would
        push an unread one back past the next page's start, never to be read."""
        start, offset = int(since.timestamp()), 0
        read = set()  # ids of the receipts read that changed in second `start`
        while True:
            params = {"min_last_modified": start, "sort_on": "updated", "sort_order": "asc"}
            page = self.call(
                "GET", f"shops/{self.shop_id}/receipts", {**params, "limit": limit, "offset": offset}
            )
            results = page["results"]
            for receipt in results:
                if receipt["receipt_id"] not in read:
                    yield etsy_order(receipt)
            if len(results) < limit:
                return
            last = results[-1]["updated_timestamp"]
            in_last = {receipt["receipt_id"] for receipt in results if receipt["updated_timestamp"] == last}
            if last == start:  # a whole page changed in one second: step through that second
                offset, read = offset + len(results), read | in_last
            else:
                start, offset, read = last, 0, in_last

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
        return source_product(listing, inventory)

    # --- Publishing ---

    def publish_product(self, new_product, existing_id=None, on_created=None):
        """Create `new_product` as a draft listing (createDraftListing, with the fields Etsy
        requires), then its variations as the listing's inventory (updateListingInventory, which
        replaces the inventory whole, so a repeat is harmless). Etsy allows two variation
        properties: more options are joined into one. `existing_id` / `on_created` as for the
        other adapters: a retry finishes the listing an earlier attempt created."""
        names = list(new_product.option_names)
        joined = len(names) > MAX_VARIATION_PROPERTIES
        properties = [_("Variant")] if joined else names
        lowest = min(variant.price for variant in new_product.variants)
        if existing_id is None:
            listing = self.call(
                "POST",
                f"shops/{self.shop_id}/listings",
                data={
                    "quantity": STOCK,
                    "title": new_product.title[:TITLE_LIMIT],
                    "description": new_product.description or new_product.title,
                    "price": str(lowest),
                    "who_made": "i_did",
                    "when_made": "made_to_order",
                    "taxonomy_id": TAXONOMY_ID,
                    "type": "physical",
                    "is_supply": "false",
                },
            )
            existing_id = str(listing["listing_id"])
            if on_created:
                on_created(existing_id)

        def values_of(variant):
            if joined:
                return [" / ".join(variant.options[name] for name in names)]
            return [variant.options[name] for name in names]

        on_property = [FIRST_CUSTOM_PROPERTY + i for i in range(len(properties))]
        varied_price = len({variant.price for variant in new_product.variants}) > 1
        self.call(
            "PUT",
            f"listings/{existing_id}/inventory",
            json={
                "products": [
                    {
                        "sku": variant.sku,
                        "property_values": [
                            {
                                "property_id": FIRST_CUSTOM_PROPERTY + i,
                                "property_name": name,
                                "value_ids": [],
                                "values": [value],
                            }
                            for i, (name, value) in enumerate(
                                zip(properties, values_of(variant), strict=True)
                            )
                        ],
                        "offerings": [{"price": float(variant.price), "quantity": STOCK, "is_enabled": True}],
                    }
                    for variant in new_product.variants
                ],
                "price_on_property": on_property if varied_price else [],
                "quantity_on_property": [],
                "sku_on_property": on_property,
            },
        )
        # The listing with its inventory as Etsy now has them, read as every sync reads them
        # (source_product), so the next sync finds this listing as publishing stored it. A new
        # listing is a draft: it goes live once it has a photo, in Etsy's shop manager.
        return self.fetch_product(existing_id)

    # --- Tracking back to the shop ---

    def push_shipment(self, shipment):
        """Add the tracking to the receipt (createReceiptShipment; Etsy then emails the buyer).
        Safe to repeat: a receipt that already has a shipment with this tracking code is left
        as it is. Etsy tracks a receipt as a whole, so `line_ids` play no part."""
        receipt_path = f"shops/{self.shop_id}/receipts/{shipment.order_external_id}"
        receipt = self.call("GET", receipt_path)
        if any(
            sent.get("tracking_code") == shipment.tracking_code for sent in receipt.get("shipments") or []
        ):
            return
        self.call(
            "POST",
            f"{receipt_path}/tracking",
            data={"tracking_code": shipment.tracking_code, "carrier_name": shipment.carrier},
        )


STOCK = 999  # made to order: Etsy's largest quantity
TITLE_LIMIT = 140
MAX_VARIATION_PROPERTIES = 2
FIRST_CUSTOM_PROPERTY = 513  # Etsy's ids for a seller's own variation properties: 513 and 514
# Etsy asks every listing for a seller taxonomy node. Printfront has no mapping of its product
# types to Etsy's taxonomy yet, so listings start under one node the seller can change on Etsy.
TAXONOMY_ID = 1
