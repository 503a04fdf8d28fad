"""Connect: production. The queue of every client's orders, an order's page where staff move its
items through production, and the orders waiting for a product mapping."""

from django.contrib import messages
from django.db.models import Case, Count, F, Max, Min, Sum, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from catalog.models import StoreVariant
from core.listing import paginate
from core.tenancy import staff_required

from ..filters import TABS, OrderFilterForm, page_of
from ..models import Hold, ItemStatus, Order, OrderItem
from ..move_form import MoveForm
from ..print_files import request_check
from ..production import MoveRefused, move_items

# Why a held order waits, in words staff can act on.
HOLD_WORDS = {
    Hold.TEST: gettext_lazy("The shop marked this as a test order: it is not produced."),
    Hold.UNPAID: gettext_lazy("The shop says it is not paid yet: it waits until the payment arrives."),
    Hold.NEEDS_MAPPING: gettext_lazy(
        "Some items are not linked to a catalog product yet. The client maps them in Storefronts "
        "(Products), and the order continues by itself."
    ),
    Hold.FILE_PROBLEM: gettext_lazy(
        "A print file is missing or has a problem (see the items). Once it is fixed, check again."
    ),
    Hold.FILE_PENDING: gettext_lazy("The print files are being checked."),
    Hold.REVIEW: gettext_lazy(
        "A workflow rule holds it for review (see Workflow above): release it once checked."
    ),
}


def _base(**context):
    return {"section": "orders", **context}


@staff_required
def orders(request):
    filters = OrderFilterForm(request.GET)
    page = page_of(filters.orders(), request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    tab_params = params.copy()
    tab_params.pop("tab", None)
    return render(
        request,
        "orders/connect/orders.html",
        _base(
            filters=filters,
            tabs=[(key, label) for key, (label, _q) in TABS.items()],
            tab=filters.current_tab,
            tab_query=tab_params.urlencode(),
            held_count=Order.objects.exclude(hold=Hold.NONE).exclude(status=ItemStatus.CANCELED).count(),
            page=page,
            querystring=params.urlencode(),
        ),
    )


def _order(code):
    return get_object_or_404(
        Order.objects.select_related(
            "client", "store", "workflow_rule", "production_line", "review_released_by"
        ),
        code=code,
    )


def _panel(order, form=None, asked=None):
    """What the order's production panel shows: status, hold, items, and the move form (a
    fresh one choosing every movable item, unless `asked` says which: the choice changed)."""
    items = list(order.items.select_related("store_variant__product"))
    if form is None:
        initial = {"items": [str(item.code) for item in items]}
        if asked is not None:
            initial = {name: asked.get(name, "") for name in MoveForm.base_fields}
            initial["items"] = asked.getlist("items")
        form = MoveForm(items, initial=initial)
    return {
        "order": order,
        "items": items,
        "form": form,
        "targets": form.targets(),
        "hold_words": HOLD_WORDS.get(order.hold, ""),
    }


def _page(request, order, form=None):
    return render(
        request,
        "orders/connect/order.html",
        _base(
            **_panel(order, form),
            events=order.events.select_related("actor", "item"),
            shop_updates=list(order.outbox.all()),
        ),
    )


@staff_required
def order(request, code):
    order = _order(code)
    if request.htmx and request.GET.get("panel"):
        # The move form's item choice changed: offer the statuses the chosen items may move to.
        return render(request, "orders/connect/panel.html", _panel(order, asked=request.GET))
    return _page(request, order)


@staff_required
@require_POST
def order_move(request, code):
    order = _order(code)
    form = MoveForm(list(order.items.all()), request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            order = move_items(
                request.user,
                order,
                data["items"],
                data["target"],
                reason=data["reason"],
                carrier=data["carrier"],
                tracking_code=data["tracking_code"],
                tracking_url=data["tracking_url"],
            )
        except MoveRefused as refused:
            form.add_error(None, str(refused))
        else:
            done = _("%(count)s item(s) moved to %(status)s.") % {
                "count": len(data["items"]),
                "status": ItemStatus(data["target"]).label,
            }
            if not request.htmx:
                messages.success(request, done)
                return redirect("orders:connect_order", order.code)
            order = _order(code)
            return render(
                request, "orders/connect/moved.html", {**_panel(order), "done": done, **_history(order)}
            )
    if request.htmx:
        return render(request, "orders/connect/panel.html", _panel(order, form))
    return _page(request, order, form)


def _history(order):
    return {"events": order.events.select_related("actor", "item"), "oob": True}


@staff_required
@require_POST
def order_check_files(request, code):
    order = _order(code)
    request_check(order)
    if request.htmx:
        order = _order(code)
        return render(request, "orders/connect/moved.html", {**_panel(order), **_history(order)})
    messages.success(request, _("The print files will be checked again."))
    return redirect("orders:connect_order", order.code)


@staff_required
def needs_mapping(request):
    """What waits for a mapping, across clients: one row per shop variant (custom items, which
    have none, by title), with how many orders and pieces wait for it."""
    waiting = (
        OrderItem.objects.filter(order__hold=Hold.NEEDS_MAPPING, catalog_variant__isnull=True)
        .exclude(status=ItemStatus.CANCELED)
        .values(
            "order__client__name",
            "order__client__code",
            "order__store_id",
            "order__store__name",
            "order__store__platform",
            "external_variant_id",
            custom_title=Case(When(external_variant_id="", then=F("title")), default=Value("")),
        )
        .annotate(
            title=Max("title"),
            variant_title=Max("variant_title"),
            sku=Max("sku"),
            orders=Count("order", distinct=True),
            pieces=Sum("quantity"),
            waiting_since=Min("order__placed_at"),
        )
        .order_by("order__client__name", "order__store__name", "title", "external_variant_id")
    )
    page, querystring = paginate(request, waiting, per_page=100)
    rows = list(page.object_list)
    products = _shop_products(rows)
    for row in rows:
        row["product_code"] = products.get((row["order__store_id"], row["external_variant_id"]))
    page.object_list = rows
    return render(request, "orders/connect/needs_mapping.html", _base(page=page, querystring=querystring))


def _shop_products(rows):
    """(store id, shop variant id) -> the synced product's code, for the rows whose variant the
    store's product sync knows (a link to the client's product page in Connect)."""
    wanted = {
        (row["order__store_id"], row["external_variant_id"]) for row in rows if row["external_variant_id"]
    }
    if not wanted:
        return {}
    variants = StoreVariant.objects.filter(
        store_id__in={store for store, _v in wanted}, external_id__in={variant for _s, variant in wanted}
    ).values_list("store_id", "external_id", "product__code")
    return {(store, external): code for store, external, code in variants if (store, external) in wanted}
