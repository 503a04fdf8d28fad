"""Storefronts > Orders: the client's orders, one order's page (its status followed live), the
Needs mapping queue, a store's order intake (on the store's page) and the sandbox's test order."""

from django.contrib import messages
from django.db.models import Count, Max, Min, Sum
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from catalog.models import FileCheck, StoreVariant
from core.listing import paginate
from core.tenancy import Action, client_required, role_can, scoped
from storefronts.models import Store

from .. import print_files, sandbox_orders
from ..client_listing import OrderFilterForm, order_rows, page_of_orders
from ..models import Hold, ItemStatus, Order, OrderEvent, OrderIntake, OrderItem

# Where an order's status goes no further by itself: its page stops asking.
FINAL = {ItemStatus.DELIVERED, ItemStatus.RETURNED, ItemStatus.CANCELED}
# Made by the helper that shows what went back to the shop; shown when it is there.


def _sandbox_stores(request):
    """The client's stores that are sandbox shops, where a test order may be placed."""
    stores = scoped(request, Store).exclude(state=Store.State.DISCONNECTED).order_by("name", "id")
    return [store for store in stores if sandbox_orders.sandbox_shop(store)]


@client_required(Action.VIEW_ORDERS)
def orders(request):
    stores = scoped(request, Store).order_by("name", "id")
    filters = OrderFilterForm(request.GET, stores=stores)
    filters.is_valid()
    data = filters.cleaned_data
    rows = order_rows(scoped(request, Order), **{name: value for name, value in data.items() if value})
    page, querystring = paginate(request, rows.values_list("pk", flat=True))
    page.object_list = page_of_orders(list(page.object_list))
    searching = any(data.get(name) for name in filters.fields)
    can_test = role_can(request.membership.role, (Action.MANAGE_ORDERS, Action.MANAGE_STORES))
    return render(
        request,
        "orders/storefronts/orders.html",
        {
            "page": page,
            "querystring": querystring,
            "filters": filters,
            "searching": searching,
            "has_stores": bool(page.object_list) or stores.exists(),
            "test_stores": _sandbox_stores(request) if can_test else [],
            "section": "orders",
        },
    )


HOLD_HELP = {
    Hold.TEST: gettext_lazy("A test order from the shop: it is not produced."),
    Hold.UNPAID: gettext_lazy("The buyer has not paid yet: production starts once the shop reports it paid."),
    Hold.NEEDS_MAPPING: gettext_lazy(
        "Some items are not connected to a product of the printer yet: map them, and the order continues."
    ),
    Hold.FILE_PROBLEM: gettext_lazy("A print file has a problem (below): fix the file, then check again."),
    Hold.FILE_PENDING: gettext_lazy("The print files are being checked."),
    # The printer's rule and its reason are the printer's own: the client sees that it is held.
    Hold.REVIEW: gettext_lazy("The printer reviews this order before it goes into production."),
}


def _live_context(request, order):
    """What the live part of an order page shows (status, hold, items, tracking, history)."""
    items = list(
        order.items.select_related("store_variant__product", "catalog_variant").order_by("position", "id")
    )
    return {
        "order": order,
        "items": items,
        "hold_help": HOLD_HELP.get(order.hold, ""),
        # The hold's "print file problem" is a failed check or a linked item with no file at all.
        "file_problems": [
            item
            for item in items
            if item.mapped
            and item.status != ItemStatus.CANCELED
            and item.file_check in (FileCheck.PROBLEM, FileCheck.NONE)
        ],
        "can_check_again": any(item.file_check == FileCheck.PROBLEM for item in items),
        "can_manage": role_can(request.membership.role, Action.MANAGE_ORDERS),
        "final": order.status in FINAL,
        # The printer's workflow rules are its own: their entries stay in Connect.
        "events": order.events.exclude(kind=OrderEvent.Kind.WORKFLOW)
        .select_related("item", "actor")
        .order_by("-created_at", "-id"),
    }


def _orders(request):
    return scoped(request, Order).select_related("store")


@client_required(Action.VIEW_ORDERS, load=_orders)
def order(request, order):
    return render(
        request,
        "orders/storefronts/order.html",
        {**_live_context(request, order), "shop_updates": list(order.outbox.all()), "section": "orders"},
    )


@client_required(Action.VIEW_ORDERS, load=_orders)
@require_GET
def order_live(request, order):
    """The live part of the order page, asked for every few seconds until the status is final."""
    return render(request, "orders/storefronts/order_live.html", _live_context(request, order))


@client_required(Action.MANAGE_ORDERS, load=_orders)
@require_POST
def order_check_files(request, order):
    """ "Check again": the print files of the order are fetched and checked once more, in the worker."""
    if not order.items.filter(file_check=FileCheck.PROBLEM).exists():
        messages.error(request, _("No print file of this order has a problem to check again."))
    else:
        print_files.request_check(order)
        messages.success(request, _("The print files are being checked again."))
    return redirect("orders:order", code=order.code)


def _waiting_items(request):
    """Live items of the client's orders that are not linked to a product of the printer."""
    return scoped(request, OrderItem).filter(catalog_variant__isnull=True).exclude(status=ItemStatus.CANCELED)


WAITING = {
    "orders": Count("order", distinct=True),
    "quantity": Sum("quantity"),
    "sku": Min("sku"),
    "variant_title": Min("variant_title"),
    "last_placed": Max("order__placed_at"),
}


@client_required(Action.VIEW_ORDERS)
def needs_mapping(request):
    """The client's Needs mapping queue: one row per shop variant (or custom item) that orders
    wait for, with where to map it."""
    stores = {store.pk: store for store in scoped(request, Store)}
    waiting = _waiting_items(request)
    # Paged: a shop whose catalog was never mapped can have thousands of variants waiting.
    page, querystring = paginate(
        request,
        waiting.exclude(external_variant_id="")
        .values("order__store", "external_product_id", "external_variant_id")
        .annotate(title=Min("title"), **WAITING)
        .order_by("-last_placed", "order__store", "external_variant_id"),
    )
    variants = list(page.object_list)
    known = {
        (variant.store_id, variant.external_id): variant
        for variant in StoreVariant.objects.filter(
            store_id__in=stores, external_id__in={row["external_variant_id"] for row in variants}
        ).select_related("product")
    }
    for row in variants:
        row["store"] = stores.get(row["order__store"])
        row["variant"] = known.get((row["order__store"], row["external_variant_id"]))
    custom = list(
        waiting.filter(external_variant_id="")
        .values("order__store", "title")
        .annotate(**WAITING)
        .order_by("-last_placed")
    )
    for row in custom:
        row["store"] = stores.get(row["order__store"])
    return render(
        request,
        "orders/storefronts/needs_mapping.html",
        {
            "variants": [row for row in variants if row["store"]],
            "page": page,
            "querystring": querystring,
            "custom": [row for row in custom if row["store"]],
            "can_map": role_can(request.membership.role, Action.MANAGE_PRODUCTS),
            "section": "orders",
        },
    )


def store_orders_context(store, *, orders, can_test=False, can_see_orders=False):
    """The orders part of a store's page: the last order received (newest of `orders`, the
    visitor's view of the store's orders), the last reconciliation, the test order button."""
    return {
        "store": store,
        "intake": OrderIntake.objects.filter(store=store).first(),
        "last_order": orders.filter(store=store).order_by("-created_at", "-id").first(),
        "can_test": can_test and sandbox_orders.sandbox_shop(store) is not None,
        "can_see_orders": can_see_orders,
    }


@client_required(Action.VIEW_STORES, load=Store)
@require_GET
def store_orders(request, store):
    """The orders part of a store's page (loaded by htmx: the page belongs to integrations, which
    may not read orders)."""
    role = request.membership.role
    context = store_orders_context(
        store,
        orders=scoped(request, Order),
        can_test=role_can(role, (Action.MANAGE_ORDERS, Action.MANAGE_STORES)),
        can_see_orders=role_can(role, Action.VIEW_ORDERS),
    )
    return render(request, "orders/storefronts/store_orders.html", context)


@client_required((Action.MANAGE_ORDERS, Action.MANAGE_STORES), load=Store)
@require_POST
def store_test_order(request, store):
    """ "Place test order" in a sandbox shop: the order then arrives by the shop's webhook."""
    try:
        number = sandbox_orders.place_test_order(store)
    except sandbox_orders.TestOrderRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Test order %(number)s placed in the shop; it appears here when the shop delivers it.")
            % {"number": number},
        )
    back = request.POST.get("next")
    if back == "orders" or not role_can(request.membership.role, Action.VIEW_STORES):
        return redirect("orders:orders")
    return redirect("integrations:store", code=store.code)
