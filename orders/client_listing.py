"""Storefronts > Orders: the filters, the search and the page of a client's orders, in a few
queries whatever the page (the page is chosen on the bare ids along order_client_placed; only
its rows are then read, with their store and item count)."""

from datetime import datetime, time, timedelta

from django import forms
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Hold, ItemStatus, Order, OrderItem

ANY_HOLD = "any"


class OrderFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    store = forms.ModelChoiceField(
        label=_("Store"), queryset=None, required=False, empty_label=_("All stores"), to_field_name="code"
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    hold = forms.ChoiceField(label=_("Hold"), required=False)
    placed_from = forms.DateField(
        label=_("Placed from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    placed_to = forms.DateField(
        label=_("Placed until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, stores, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores
        self.fields["status"].choices = [("", _("Any status")), *ItemStatus.choices]
        holds = [(value, label) for value, label in Hold.choices if value]
        self.fields["hold"].choices = [("", _("Held or not")), (ANY_HOLD, _("Held")), *holds]


def order_rows(queryset, *, q="", store=None, status="", hold="", placed_from=None, placed_to=None):
    """The orders of `queryset` that match the filters (any of them may be empty)."""
    if store is not None:
        queryset = queryset.filter(store=store)
    if status:
        queryset = queryset.filter(status=status)
    if hold == ANY_HOLD:
        queryset = queryset.exclude(hold=Hold.NONE)
    elif hold:
        queryset = queryset.filter(hold=hold)
    # Whole days in the site's time zone, as bounds on placed_at itself (its index serves them).
    if placed_from:
        queryset = queryset.filter(placed_at__gte=_start_of(placed_from))
    if placed_to:
        queryset = queryset.filter(placed_at__lt=_start_of(placed_to + timedelta(days=1)))
    if q:
        sku = OrderItem.objects.filter(order=OuterRef("pk"), sku__icontains=q)
        queryset = queryset.filter(
            Q(number__icontains=q)
            | Q(external_id=q)
            | Q(customer_name__icontains=q)
            | Q(customer_email__icontains=q)
            | Exists(sku)
        )
    return queryset.order_by("-placed_at", "-id")


def _start_of(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def page_of_orders(ids):
    """The orders with these ids, in this order, with their store and item count."""
    rows = {
        order.pk: order
        for order in Order.objects.filter(pk__in=ids)
        .select_related("store")
        .annotate(item_count=Count("items"))
        .defer("shipping_address", "note")
    }
    return [rows[pk] for pk in ids if pk in rows]
