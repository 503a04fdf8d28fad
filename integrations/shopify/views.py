"""Connecting a Shopify shop: the merchant approves Printfront on Shopify's own screen and comes
back to the callback, which checks the state nonce, the HMAC, the timestamp and the shop's
hostname before trading the code for a token. A refused check saves nothing and says why.
Whether this client may connect the shop is asked at the start and again before the trade,
which revokes the shop's earlier token (one active token per app and shop)."""

import time

from django import forms
from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import http
from core.signing import constant_time_equal, random_token
from core.tenancy import Action, client_required
from integrations import services as integration_services
from integrations.base import AdapterError
from integrations.views import connected
from storefronts import services as store_services
from storefronts.models import Store
from storefronts.services import StoreError

from .adapter import ShopifyAdapter, authorize_url, callback_is_fresh, normalise_shop
from .signatures import callback_is_signed

SESSION_KEY = "shopify_oauth"


class ShopForm(forms.Form):
    shop = forms.CharField(
        label=gettext_lazy("Shop name or URL"),
        max_length=255,
        help_text=gettext_lazy("For example my-shop, or my-shop.myshopify.com"),
    )

    def clean_shop(self):
        shop = normalise_shop(self.cleaned_data["shop"])
        if shop is None:
            raise forms.ValidationError(_("Enter your shop's name or its .myshopify.com address."))
        return shop


def _page(request, form, error=None, status=200):
    context = {"form": form, "error": error, "section": "stores"}
    return render(request, "integrations/shopify/connect.html", context, status=status)


@client_required(Action.MANAGE_STORES)
def connect(request):
    form = ShopForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not settings.SHOPIFY_API_KEY:
            return _page(request, form, _("Shopify is not set up on this Printfront (SHOPIFY_API_KEY)."))
        shop = form.cleaned_data["shop"]
        try:
            store_services.check_can_connect(request.membership, Store.Platform.SHOPIFY, shop)
        except StoreError as error:
            return _page(request, form, str(error))
        state = random_token()
        request.session[SESSION_KEY] = {"state": state, "shop": shop, "client": str(request.client.code)}
        callback = request.build_absolute_uri(reverse("integrations:shopify_callback"))
        return redirect(authorize_url(shop, state, callback))
    return _page(request, form)


def callback_problem(request, pending):
    """Why this callback must be refused, or None when every check holds."""
    params = request.GET
    if pending is None or pending["client"] != str(request.client.code):
        return _("This authorization was not started here, or was already used. Start again.")
    if not constant_time_equal(params.get("state", ""), pending["state"]):
        return _("The state of the answer does not match the request we made. Start again.")
    if params.get("error"):
        return _("The installation was declined on Shopify, so nothing was connected.")
    if not callback_is_signed(params):
        return _("The answer's signature (HMAC) is not Shopify's. Nothing was connected.")
    if not callback_is_fresh(params.get("timestamp"), now=time.time()):
        return _("The answer is too old to trust. Start again.")
    if params.get("shop") != pending["shop"]:  # pending["shop"] is a checked myshopify.com hostname
        return _("The answer came for a different shop than the one you entered.")
    return None


@client_required(Action.MANAGE_STORES)
@http.within_request_deadline
def callback(request):
    pending = request.session.pop(SESSION_KEY, None)
    form = ShopForm(initial={"shop": pending and pending["shop"]})
    problem = callback_problem(request, pending)
    if problem:
        return _page(request, form, problem, status=400)
    adapter = ShopifyAdapter(pending["shop"])
    try:
        # Asked again before the code is spent: the exchange revokes the token the shop's
        # store holds, and the shop may have been connected since the start.
        store_services.check_can_connect(request.membership, Store.Platform.SHOPIFY, pending["shop"])
        connection = adapter.exchange_code(request.GET["code"])
        store = integration_services.save_connection(
            request.user, request.membership, Store.Platform.SHOPIFY, connection
        )
    except (AdapterError, StoreError) as error:
        return _page(request, form, str(error), status=400)
    return connected(request, store)
