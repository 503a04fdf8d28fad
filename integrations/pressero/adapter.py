"""Pressero (Aleyant) through its Admin API: a token from the subscriber's API credentials,
sent as `Authorization: token <t>`. Orders come by webhook, and by searching orders as a
reconciliation. Hosts differ per data centre, so the host is part of the connection."""

from django.utils.translation import gettext as _

from core import http
from integrations.base import AdapterError, Connection, answer_of, busy, is_busy, unreachable

from .orders import pressero_order

SEARCH_PAGE_SIZE = 50


def normalise_host(url):
    """'Admin.CHI.v6.pressero.com/' -> 'https://admin.chi.v6.pressero.com': one site, one identity
    (a Unicode host name in its ASCII form; people see it in Unicode: core.http.unicode_url)."""
    url = url.strip().rstrip("/")
    if "://" not in url:
        url = f"https://{url}"
    scheme, _, rest = url.partition("://")
    host, slash, path = rest.partition("/")
    return f"{scheme.lower()}://{http.ascii_netloc(host)}{slash}{path}"


class PresseroAdapter:
    def __init__(self, host, username, password, subscriber_id, consumer_id):
        self.host = normalise_host(host)
        self.credentials = {
            "username": username,
            "password": password,
            "subscriber_id": subscriber_id,
            "consumer_id": consumer_id,
        }
        self.token = None

    @classmethod
    def from_store(cls, store):
        return cls(store.base_url, **store.credentials)

    def _request(self, method, path, **kwargs):
        try:
            return http.request(method, f"{self.host}/api/{path}", **kwargs)
        except http.OutboundError as error:
            raise unreachable("Pressero", error) from error

    def authenticate(self):
        credentials = self.credentials
        response = self._request(
            "POST",
            "V2/Authentication",
            json={
                "UserName": credentials["username"],
                "Password": credentials["password"],
                "SubscriberId": credentials["subscriber_id"],
                "ConsumerID": credentials["consumer_id"],
            },
        )
        if response.status_code == 401:
            raise AdapterError(
                _(
                    "Pressero refused these credentials: check the user name, password, SubscriberId and ConsumerID."
                ),
                permanent=True,
            )
        if is_busy(response):
            raise busy("Pressero", response)
        try:
            token = response.json().get("Token") if response.ok else None
        except ValueError:
            token = None
        if not token:
            raise AdapterError(
                _(
                    "%(host)s does not answer as a Pressero Admin API (HTTP %(status)s). Check the admin host, and that the subscription includes the API."
                )
                % {"host": http.unicode_url(self.host), "status": response.status_code},
                permanent=response.status_code < 500,
            )
        self.token = token
        return token

    def _call(self, path, *, json=None, params=None):
        """An authenticated call (POST with a body, else GET), authenticating again once when the
        token has expired (Pressero does not say when it will)."""
        for attempt in (1, 2):
            if self.token is None:
                self.authenticate()
            response = self._request(
                "POST" if json is not None else "GET",
                path,
                params=params,
                json=json,
                headers={"Authorization": f"token {self.token}"},
                retry_unsafe=True,  # searches and reads change nothing
            )
            if response.status_code != 401 or attempt == 2:
                break
            self.token = None
        if response.status_code == 401:
            raise AdapterError(_("Pressero refused our token."), permanent=True)
        if response.status_code == 404:
            raise AdapterError(_("Pressero has no such order."), permanent=True)
        if is_busy(response):
            raise busy("Pressero", response)
        if not response.ok:
            raise AdapterError(_("Pressero answered HTTP %(status)s.") % {"status": response.status_code})
        return answer_of(response, "Pressero")

    def fetch_order(self, external_id):
        """One order (by its number) with its items, as a SourceOrder."""
        if not str(external_id).isdigit():
            raise AdapterError(_("Pressero has no such order."), permanent=True)
        details = self._call(f"v2/orders/{external_id}/Details")
        items = self._call(f"v2/orders/{external_id}/items")
        try:
            return pressero_order(details, items)
        except (KeyError, TypeError, ValueError) as error:
            raise AdapterError(
                _("Pressero's order could not be read (%(error)s).") % {"error": error}, permanent=True
            ) from None

    def iter_orders_changed(self, since, page_size=SEARCH_PAGE_SIZE):
        """Every order placed after `since` (Pressero's search filters on the order date, not on
        changes), each fetched whole."""
        filters = [{"Column": "OrderDate", "Value": since.isoformat(), "Operator": "greaterthan"}]
        page = 0
        while True:
            found = self._call(
                "v2/Orders/Search", json=filters, params={"pageNumber": page, "pageSize": page_size}
            )
            items = found.get("Items") or []
            for summary in items:
                yield self.fetch_order(summary["OrderNumber"])
            page += 1
            if not items or page * page_size >= int(found.get("TotalItems") or 0):
                return

    def verify(self):
        """Authenticate, then make one real call (an order search) with the token."""
        self.authenticate()
        response = self._request(
            "POST",
            "v2/Orders/Search",
            params={"pageNumber": 0, "pageSize": 1},
            json=[],
            headers={"Authorization": f"token {self.token}"},
            retry_unsafe=True,  # a search changes nothing
        )
        if response.status_code == 401:
            raise AdapterError(_("Pressero refused our token for order searches."), permanent=True)
        if is_busy(response):
            raise busy("Pressero", response)
        if not response.ok:
            raise AdapterError(_("Pressero answered HTTP %(status)s.") % {"status": response.status_code})
        return Connection(
            name="Pressero",
            shop_identity=f"{self.host}|{self.credentials['subscriber_id'].lower()}",
            base_url=self.host,
            credentials=self.credentials,
            scopes=["orders"],
        )

    # --- Tracking back to the shop ---

    def push_shipment(self, shipment):
        """Add a shipment with the tracking to the order (POST v2/Orders/Shipments; the body's
        shape is unverified, see docs/decisions.md). Safe to repeat: an order whose details
        already list this tracking number is left as it is."""
        self.authenticate()
        headers = {"Authorization": f"token {self.token}"}
        number = shipment.order_external_id
        details = self._answer(self._request("GET", f"v2/orders/{number}/Details", headers=headers), number)
        if any(
            sent.get("TrackingNumber") == shipment.tracking_code for sent in details.get("Shipments") or []
        ):
            return
        body = [
            {
                "OrderNumber": number,
                "ItemNumbers": list(shipment.line_ids),
                "Carrier": shipment.carrier,
                "TrackingNumber": shipment.tracking_code,
                "TrackingUrl": shipment.tracking_url,
            }
        ]
        self._answer(self._request("POST", "V2/Orders/Shipments", json=body, headers=headers), number)

    def _answer(self, response, number):
        if response.status_code == 401:
            raise AdapterError(
                _("Pressero refused our token: check the store's API credentials."), permanent=True
            )
        if response.status_code == 404:
            raise AdapterError(_("Pressero has no order %(number)s.") % {"number": number}, permanent=True)
        if is_busy(response):
            raise busy("Pressero", response)
        if not response.ok:
            raise AdapterError(
                _("Pressero refused the shipment (HTTP %(status)s): %(message)s")
                % {"status": response.status_code, "message": message_of(response)},
                permanent=True,
            )
        return answer_of(response, "Pressero")


def message_of(response):
    try:
        return response.json().get("Message", "")
    except (ValueError, AttributeError):
        return ""
