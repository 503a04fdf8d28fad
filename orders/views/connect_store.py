"""Connect: the orders part of a client's store page, as the printer's staff see it."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from core.tenancy import staff_required
from storefronts.models import Store

from ..models import Order
from .storefronts import store_orders_context


@staff_required
@require_GET
def store_orders(request, code):
    store = get_object_or_404(Store, code=code)
    return render(
        request,
        "orders/storefronts/store_orders.html",
        store_orders_context(store, orders=Order.objects.all()),
    )
