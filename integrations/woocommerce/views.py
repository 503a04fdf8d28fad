from django import forms
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import http
from core.tenancy import Action, client_required
from integrations import services as integration_services
from integrations.base import AdapterError
from integrations.views import connected
from storefronts.models import Store
from storefronts.services import StoreError

from .adapter import WooCommerceAdapter, normalise_store_url


class WooCommerceForm(forms.Form):
    store_url = forms.CharField(
        label=gettext_lazy("Store URL"),
        max_length=400,
        help_text=gettext_lazy("For example https://shop.example.com"),
    )
    consumer_key = forms.CharField(label=gettext_lazy("Consumer key"), max_length=100)
    consumer_secret = forms.CharField(
        label=gettext_lazy("Consumer secret"), max_length=100, widget=forms.PasswordInput(render_value=False)
    )

    def clean_store_url(self):
        try:
            url = normalise_store_url(self.cleaned_data["store_url"])
        except (ValueError, http.UnsupportedURL):
            raise forms.ValidationError(
                _("Enter the shop's address, for example https://shop.example.com.")
            ) from None
        try:
            http.check_url(url)
        except http.OutboundError as error:
            raise forms.ValidationError(str(error)) from None
        return url


@client_required(Action.MANAGE_STORES)
@http.within_request_deadline
def connect(request):
    """Store URL, consumer key and secret, then "Verify connection": nothing is saved until
    WooCommerce has accepted the key for reading and writing."""
    form = WooCommerceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        adapter = WooCommerceAdapter(data["store_url"], data["consumer_key"], data["consumer_secret"])
        try:
            connection = adapter.verify()
            store = integration_services.save_connection(
                request.user, request.membership, Store.Platform.WOOCOMMERCE, connection
            )
        except (AdapterError, StoreError) as error:
            form.add_error(None, str(error))
        else:
            return connected(request, store)
    return render(request, "integrations/woocommerce/connect.html", {"form": form, "section": "stores"})
