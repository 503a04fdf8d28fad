from django.shortcuts import render

from core.listing import paginate
from core.tenancy import Action, client_required, scoped
from storefronts.models import Store

from .registry import connectable_platforms


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
    return render(request, "integrations/store.html", {"store": store, "section": "stores"})
