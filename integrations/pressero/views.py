"""Connecting a Pressero site: API credentials entered and verified here; Pressero's own admin
then gets our webhook URL, the integration ID and the security key (shown on the store page)."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import http
from core.tenancy import Action, client_required
from integrations import services as integration_services
from integrations.base import AdapterError
from storefronts.models import Store
from storefronts.services import StoreError, StoreNameTaken

from .adapter import PresseroAdapter, normalise_host


class PresseroForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Store name"),
        max_length=Store.NAME_MAX_LENGTH,
        initial="Pressero",
        help_text=gettext_lazy("How this site is named in Printfront, for example your B2B portal's name."),
    )
    host = forms.CharField(
        label=gettext_lazy("Admin host"),
        max_length=300,
        help_text=gettext_lazy(
            "Your data centre's admin address, for example https://admin.chi.v6.pressero.com"
        ),
    )
    username = forms.CharField(label=gettext_lazy("API user name"), max_length=200)
    password = forms.CharField(label=gettext_lazy("API password"), max_length=200, widget=forms.PasswordInput)
    subscriber_id = forms.UUIDField(label=gettext_lazy("SubscriberId"))
    consumer_id = forms.UUIDField(label=gettext_lazy("ConsumerID"))

    def clean_host(self):
        try:
            host = normalise_host(self.cleaned_data["host"])
            http.check_url(host)
        except http.OutboundError as error:
            raise forms.ValidationError(str(error)) from None
        return host


@client_required(Action.MANAGE_STORES)
@http.within_request_deadline
def connect(request):
    form = PresseroForm(request.POST or None)
    reference_id = request.client.reference_id
    if request.method == "POST" and reference_id and form.is_valid():
        data = {**form.cleaned_data}
        name = data.pop("name")
        data["subscriber_id"], data["consumer_id"] = str(data["subscriber_id"]), str(data["consumer_id"])
        try:
            connection = PresseroAdapter(**data).verify()
            store = integration_services.save_connection(
                request.user, request.membership, Store.Platform.PRESSERO, connection, name=name
            )
        except (AdapterError, StoreError) as error:
            form.add_error("name" if isinstance(error, StoreNameTaken) else None, str(error))
        else:
            messages.success(
                request, _("Connected. Now enter the webhook details below in Pressero's admin.")
            )
            return redirect("integrations:store", code=store.code)
    return render(
        request,
        "integrations/pressero/connect.html",
        {"form": form, "reference_id": reference_id, "section": "stores"},
    )
