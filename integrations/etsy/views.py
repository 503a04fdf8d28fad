"""Connecting an Etsy shop: OAuth 2.0 with PKCE. The verifier stays in the session; only its
challenge goes to Etsy."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core import http
from core.signing import constant_time_equal, pkce_pair, random_token
from core.tenancy import Action, client_required
from integrations import services as integration_services
from integrations.base import AdapterError
from integrations.views import connected
from storefronts.models import Store
from storefronts.services import StoreError

from .adapter import EtsyAdapter, authorize_url

SESSION_KEY = "etsy_oauth"


def _page(request, error=None, status=200):
    return render(
        request, "integrations/etsy/connect.html", {"error": error, "section": "stores"}, status=status
    )


def _callback_url(request):
    return request.build_absolute_uri(reverse("integrations:etsy_callback"))


@client_required(Action.MANAGE_STORES)
def connect(request):
    if request.method != "POST":
        return _page(request)
    if not settings.ETSY_API_KEY:
        return _page(request, _("Etsy is not set up on this Printfront (ETSY_API_KEY)."))
    verifier, challenge = pkce_pair()
    state = random_token()
    request.session[SESSION_KEY] = {"state": state, "verifier": verifier, "client": str(request.client.code)}
    return redirect(authorize_url(state, challenge, _callback_url(request)))


@client_required(Action.MANAGE_STORES)
@http.within_request_deadline
def callback(request):
    pending = request.session.pop(SESSION_KEY, None)
    params = request.GET
    if pending is None or pending["client"] != str(request.client.code):
        return _page(
            request, _("This authorization was not started here, or was already used. Start again."), 400
        )
    if not constant_time_equal(params.get("state", ""), pending["state"]):
        return _page(
            request, _("The state of the answer does not match the request we made. Start again."), 400
        )
    if params.get("error"):
        return _page(request, _("Access was not granted on Etsy, so nothing was connected."), 400)
    adapter = EtsyAdapter()
    try:
        # Etsy names the shop only after the exchange. A new grant leaves the tokens of earlier
        # ones valid, and save_connection refuses another client's shop before keeping anything.
        connection = adapter.exchange_code(
            params.get("code", ""), pending["verifier"], _callback_url(request)
        )
        store = integration_services.save_connection(
            request.user, request.membership, Store.Platform.ETSY, connection
        )
    except (AdapterError, StoreError) as error:
        return _page(request, str(error), 400)
    return connected(request, store)
