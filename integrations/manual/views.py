from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.tenancy import Action, client_required
from storefronts import services
from storefronts.forms import StoreNameForm
from storefronts.models import Store


@client_required(Action.MANAGE_STORES)
def connect(request):
    form = StoreNameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            store = services.create_store(
                request.user,
                request.membership,
                platform=Store.Platform.MANUAL,
                name=form.cleaned_data["name"],
            )
        except services.StoreNameTaken as error:
            form.add_error("name", str(error))
        else:
            messages.success(request, _("Store “%(name)s” created.") % {"name": store.name})
            return redirect("integrations:store", code=store.code)
    return render(request, "integrations/manual/connect.html", {"form": form, "section": "stores"})
