from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.tenancy import Action, client_required
from storefronts import services
from storefronts.models import Store


class ManualStoreForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Store name"), max_length=200)


@client_required(Action.MANAGE_STORES)
def connect(request):
    form = ManualStoreForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        store = services.create_store(
            request.user, request.membership, platform=Store.Platform.MANUAL, name=form.cleaned_data["name"]
        )
        messages.success(request, _("Store “%(name)s” created.") % {"name": store.name})
        return redirect("integrations:store", code=store.code)
    return render(request, "integrations/manual/connect.html", {"form": form, "section": "stores"})
