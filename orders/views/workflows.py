"""Connect: the workflow rules seen from the orders. "Try it" runs the rules against recent
orders and shows which would apply and why, changing nothing; an order held for review is
released from its page."""

from collections import defaultdict

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.listing import paginate
from core.tenancy import staff_required
from workflows.matching import first_match
from workflows.services import rules_in_order

from ..models import Order, OrderItem
from ..rules import ReleaseRefused, facts_of, product_types, release_review

TRY_PER_PAGE = 50


@staff_required
def workflow_try(request):
    """The recent orders (newest first), each with the rule that applied when it arrived and
    the rule that would apply now. Reads only."""
    page, querystring = paginate(
        request, Order.objects.select_related("client", "store").order_by("-placed_at", "-id"), TRY_PER_PAGE
    )
    orders = list(page.object_list)
    items = defaultdict(list)
    for item in OrderItem.objects.filter(order__in=orders):
        items[item.order_id].append(item)
    types = product_types([item for group in items.values() for item in group])
    rules = rules_in_order()
    page.object_list = [
        (order, first_match(rules, facts_of(order, items[order.pk], types))) for order in orders
    ]
    return render(
        request,
        "orders/connect/workflow_try.html",
        {"section": "workflows", "page": page, "querystring": querystring},
    )


@staff_required
@require_POST
def order_release(request, code):
    order = get_object_or_404(Order, code=code)
    try:
        release_review(request.user, order)
    except ReleaseRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Released from review: the order goes on."))
    return redirect("orders:connect_order", order.code)
