"""Sync products: the panel on a store's page (loaded by htmx from the store page, which
belongs to integrations and so cannot render it itself), and the button that starts a sync."""

from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.tenancy import Action, client_required, role_can
from integrations.registry import reads_products
from storefronts.models import Store

from .. import products_sync
from ..models import RunState

# The panel stands in two places of the store page: with the products, and as a re-sync
# button among the connection's settings.
PLACES = ("products", "settings")


def panel(request, store, place):
    """The running sync (of either kind) while there is one, else the last full sync; the last
    scheduled check for changes on a line of its own, when it came after that full sync."""
    run = products_sync.live_run(store) or products_sync.latest_full_run(store)
    incremental = products_sync.latest_incremental_run(store)
    if incremental is not None and run is not None and incremental.created_at < run.created_at:
        incremental = None
    return render(
        request,
        "catalog/sync_panel.html",
        {
            "store": store,
            "run": run,
            "incremental": incremental,
            "live": run is not None and run.state in products_sync.LIVE,
            "place": place,
            "can_sync": products_sync.can_sync(store),
            "reads_products": reads_products(store),
            "can_manage": role_can(request.membership.role, Action.MANAGE_PRODUCTS),
            "RunState": RunState,
        },
    )


def place_of(request):
    place = request.GET.get("place") or request.POST.get("place") or PLACES[0]
    return place if place in PLACES else PLACES[0]


@client_required(Action.VIEW_PRODUCTS, load=Store)
def store_sync(request, store):
    """The sync panel: the button, the running sync's progress (polled every second while it
    runs), or the last sync's summary."""
    return panel(request, store, place_of(request))


@client_required(Action.MANAGE_PRODUCTS, load=Store)
@require_POST
def store_sync_start(request, store):
    """Start a sync, or join the one running."""
    if not products_sync.can_sync(store):
        return HttpResponseBadRequest(_("Products of this store cannot be synced."))
    products_sync.start(request.user, store)
    if not request.htmx:
        return redirect("integrations:store", code=store.code)
    response = panel(request, store, place_of(request))
    response["HX-Trigger"] = "sync-started"  # the panel in the other place follows
    return response
