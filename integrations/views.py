from datetime import timedelta

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.listing import paginate
from core.tenancy import Action, client_required, role_can, scoped, staff_required
from storefronts import services as store_services
from storefronts.forms import StoreNameForm
from storefronts.models import Store

from . import replay as replays
from . import services
from .models import WebhookDelivery
from .registry import PLATFORMS, connectable_platforms


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


# A check the worker has not answered by then was lost (a broker outage): stop waiting for it.
CHECK_PATIENCE = timedelta(minutes=2)


def _connection_context(store):
    """What the state part of a store page shows, and whether it waits on the worker (the page
    polls until the first outcome; later retries of a busy platform are not waited for)."""
    checking = bool(store.check_requested_at) and timezone.now() - store.check_requested_at < CHECK_PATIENCE
    unregistering = store.state == Store.State.DISCONNECTED and store.credentials is not None
    return {
        "store": store,
        "checking": checking,
        "unregistering": unregistering,
        "webhooks_removed": any(hook.get("status") == "removed" for hook in store.webhooks),
        "pending": checking or (unregistering and not store.webhooks_error),
    }


DELIVERIES_PER_PAGE = 20


def _deliveries_context(request, store):
    """The store's health log: its webhook deliveries, newest first, a page at a time."""
    deliveries, querystring = paginate(
        request, store.deliveries.defer("body", "headers").order_by("-created_at", "-id"), DELIVERIES_PER_PAGE
    )
    return {
        "deliveries": deliveries,
        "deliveries_querystring": querystring,
        "dropped_deliveries": services.dropped_deliveries(store),
        "unsigned_kept": services.UNSIGNED_KEPT,
    }


@client_required(Action.VIEW_STORES, load=Store)
def store(request, store):
    entry = PLATFORMS.get(store.platform)
    return render(
        request,
        "integrations/store.html",
        {
            **_connection_context(store),
            "section": "stores",
            "connect_url_name": entry and entry.connect_url_name,
            **_deliveries_context(request, store),
            "can_replay": role_can(request.membership.role, Action.MANAGE_STORES),
            "replay_url_name": "integrations:delivery_replay",
            "webhook_url": services.webhook_url(store) if store.platform == Store.Platform.PRESSERO else "",
            "receives_webhooks": store.platform in services.WEBHOOK_PLATFORMS,
        },
    )


@client_required(Action.VIEW_STORES, load=Store)
def store_connection(request, store):
    """The state part of a store page, polled by htmx while the worker checks the connection or
    removes webhooks. Once that is done the whole page reloads, badges and buttons with it."""
    context = _connection_context(store)
    response = render(request, "integrations/store_connection.html", context)
    if request.htmx and not context["pending"]:
        response["HX-Refresh"] = "true"
    return response


@client_required(Action.MANAGE_STORES, load=Store)
@require_POST
def store_verify(request, store):
    """Check the connection again, in the worker: a platform that hangs cannot hold this request."""
    if store.state == Store.State.DISCONNECTED or store.platform == Store.Platform.MANUAL:
        messages.error(request, _("There is no connection to check: connect the store first."))
    else:
        services.request_check(request.user, store)
    return redirect("integrations:store", code=store.code)


@client_required(Action.MANAGE_STORES, load=Store)
@require_POST
def store_disconnect(request, store):
    if store.platform == Store.Platform.MANUAL:
        messages.error(request, _("A manual store has no connection to end."))
        return redirect("integrations:store", code=store.code)
    services.disconnect(request.user, store)
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
    problem = store_services.why_not_removable(store)
    if problem:
        messages.error(request, problem)
        return redirect("integrations:store", code=store.code)
    if request.method == "POST":
        store_services.remove_store(request.user, store)
        messages.success(request, _("The store “%(name)s” is removed.") % {"name": store.name})
        return redirect("integrations:stores")
    return render(request, "integrations/store_remove.html", {"store": store, "section": "stores"})


@client_required(Action.MANAGE_STORES, load=WebhookDelivery)
@require_POST
def delivery_replay(request, delivery):
    """Replay a failed delivery from the store's health log (an Admin, or the store's Store Manager)."""
    _replay(request, delivery)
    return redirect(f"{reverse('integrations:store', kwargs={'code': delivery.store.code})}#deliveries")


def _replay(request, delivery):
    try:
        replays.replay(request.user, delivery.pk)
    except replays.ReplayRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The delivery is processed again; its outcome shows here shortly."))


@staff_required
def connect_store(request, code):
    """Connect: a client's store as the printer sees it, for support: its connection, its
    webhook deliveries (with Replay) and its orders part."""
    store = get_object_or_404(Store.objects.select_related("client"), code=code)
    return render(
        request,
        "integrations/connect_store.html",
        {
            "store": store,
            "client": store.client,
            "section": "clients",
            "tab": "stores",
            **_deliveries_context(request, store),
            "can_replay": True,
            "replay_url_name": "connect_stores:delivery_replay",
            "receives_webhooks": store.platform in services.WEBHOOK_PLATFORMS,
        },
    )


@staff_required
@require_POST
def connect_delivery_replay(request, code):
    delivery = get_object_or_404(WebhookDelivery.objects.select_related("store"), code=code)
    _replay(request, delivery)
    return redirect(f"{reverse('connect_stores:store', kwargs={'code': delivery.store.code})}#deliveries")
