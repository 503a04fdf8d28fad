from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.listing import paginate
from core.tenancy import Action, client_required, scoped
from storefronts import services as store_services
from storefronts.forms import StoreNameForm
from storefronts.models import Store

from . import services
from .base import AdapterError
from .registry import PLATFORMS, adapter_for, connectable_platforms


def connected(request, store):
    """After a connect page succeeded: say so, and open the store's page. The name is quoted,
    not followed by a full stop, because shop names often end in one ("Demo Apparel Co.")."""
    messages.success(request, _("“%(name)s” is connected.") % {"name": store.name})
    return redirect("integrations:store", code=store.code)


@client_required(Action.VIEW_STORES)
def stores(request):
    """Storefronts > Stores: the client's stores (a Store Manager's own), and a tile per
    platform to connect another."""
    page, querystring = paginate(request, scoped(request, Store).order_by("name", "id"))
    return render(
        request,
        "integrations/stores.html",
        {"page": page, "querystring": querystring, "platforms": connectable_platforms(), "section": "stores"},
    )


@client_required(Action.VIEW_STORES, load=Store)
def store(request, store):
    entry = PLATFORMS.get(store.platform)
    return render(
        request,
        "integrations/store.html",
        {
            "store": store,
            "section": "stores",
            "connect_url_name": entry and entry.connect_url_name,
            "deliveries": store.deliveries.defer("body")[:20],
            "webhook_url": services.webhook_url(store) if store.platform == Store.Platform.PRESSERO else "",
            "receives_webhooks": store.platform in services.WEBHOOK_PLATFORMS,
        },
    )


@client_required(Action.MANAGE_STORES, load=Store)
@require_POST
def store_verify(request, store):
    """Check the connection again with the stored credentials."""
    if store.state == Store.State.DISCONNECTED or store.platform == Store.Platform.MANUAL:
        messages.error(request, _("There is no connection to check: connect the store first."))
        return redirect("integrations:store", code=store.code)
    try:
        adapter_for(store).verify()
    except AdapterError as error:
        store_services.record_connection_check(request.user, store, str(error))
        messages.error(request, _("The connection fails: %(error)s") % {"error": error})
    else:
        store_services.record_connection_check(request.user, store, None)
        messages.success(request, _("The connection works."))
    return redirect("integrations:store", code=store.code)


@client_required(Action.MANAGE_STORES, load=Store)
@require_POST
def store_disconnect(request, store):
    if store.platform == Store.Platform.MANUAL:
        messages.error(request, _("A manual store has no connection to end."))
        return redirect("integrations:store", code=store.code)
    store_services.disconnect_store(request.user, store)
    messages.success(
        request,
        _("%(name)s is disconnected. Its data stays; connect it again at any time.") % {"name": store.name},
    )
    return redirect("integrations:store", code=store.code)


@client_required(Action.MANAGE_STORES, load=Store)
def store_rename(request, store):
    form = StoreNameForm(request.POST or None, initial={"name": store.name})
    if request.method == "POST" and form.is_valid():
        try:
            store_services.rename_store(request.user, store, form.cleaned_data["name"])
        except store_services.StoreNameTaken as error:
            form.add_error("name", str(error))
        else:
            messages.success(request, _("The store is now called “%(name)s”.") % {"name": store.name})
            return redirect("integrations:store", code=store.code)
    return render(
        request, "integrations/store_rename.html", {"store": store, "form": form, "section": "stores"}
    )


@client_required(Action.MANAGE_STORES, load=Store)
def store_remove(request, store):
    """A page that asks first; removing is for manual stores (others are disconnected)."""
    if store.platform != Store.Platform.MANUAL:
        messages.error(request, _("Only manual stores can be removed. Disconnect this store instead."))
        return redirect("integrations:store", code=store.code)
    if request.method == "POST":
        store_services.remove_store(request.user, store)
        messages.success(request, _("The store “%(name)s” is removed.") % {"name": store.name})
        return redirect("integrations:stores")
    return render(request, "integrations/store_remove.html", {"store": store, "section": "stores"})
