"""The Connect production queue: its tabs, filters and search, and a page of it that costs the
same on page 1 as on page 1000."""

from datetime import datetime, time, timedelta

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from connect.models import Client
from core.models import is_code
from storefronts.forms import StoreChoice
from storefronts.models import Store
from workflows.models import Priority, ProductionLine

from .models import Hold, ItemStatus, Order, OrderItem

PER_PAGE = 100
S = ItemStatus
# Past this many, a drop-down is no help to anyone, and rendering it on every page of the queue
# would cost more than the page itself (5,000 clients: two seconds). Then the client is typed,
# and the stores offered are the chosen client's.
MAX_CHOICES = 200

# tab -> (label, what it holds). "Ready" is what staff can start on: not held, not started.
TABS = {
    "ready": (_("Ready for production"), Q(hold=Hold.NONE, status__in=[S.RECEIVED, S.PASSED])),
    "held": (_("Held"), ~Q(hold=Hold.NONE) & ~Q(status=S.CANCELED)),
    "production": (_("In production"), Q(status__in=[S.IN_PRODUCTION, S.PRINTED, S.PACKAGED])),
    "failed": (_("Failed"), Q(status=S.FAILED)),
    "shipped": (_("Shipped"), Q(status__in=[S.SHIPPED, S.IN_TRANSIT, S.DELIVERED])),
    "all": (_("All"), Q()),
}
DEFAULT_TAB = "ready"


class ClientSearch(forms.CharField):
    """The client filter when there are too many clients to list: a name, a reference or a
    client's code (the links from other pages carry it). Cleans to the clients it names exactly,
    else to those whose name holds the text."""

    def clean(self, value):
        text = super().clean(value).strip()
        if not text:
            return None
        if is_code(text):
            return Client.objects.filter(code=text)
        exact = Client.objects.filter(Q(name__iexact=text) | Q(reference_id__iexact=text))
        return exact if exact.exists() else Client.objects.filter(name__icontains=text)


class OrderFilterForm(forms.Form):
    tab = forms.ChoiceField(
        required=False, label=_("View"), choices=[(key, label) for key, (label, _q) in TABS.items()]
    )
    q = forms.CharField(
        required=False, max_length=200, label=_("Search by order number, customer, SKU or product UID")
    )
    client = forms.ModelChoiceField(
        required=False,
        label=_("Client"),
        queryset=Client.objects.order_by("name"),
        to_field_name="code",
        empty_label=_("Any client"),
    )
    store = StoreChoice(
        required=False,
        queryset=Store.objects.select_related("client").order_by("client__name", "name"),
        to_field_name="code",
        empty_label=_("Any store"),
    )
    status = forms.ChoiceField(required=False, label=_("Status"), choices=[("", _("Any status")), *S.choices])
    hold = forms.ChoiceField(
        required=False,
        label=_("Hold"),
        choices=[("", _("Held or not")), ("none", _("Not held")), *Hold.choices[1:]],
    )
    placed_from = forms.DateField(
        required=False, label=_("Placed from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    placed_to = forms.DateField(
        required=False, label=_("Placed until"), widget=forms.DateInput(attrs={"type": "date"})
    )
    # What the workflow rules set (orders.rules): a line's people see their queue, rush first.
    priority = forms.ChoiceField(
        required=False, label=_("Priority"), choices=[("", _("Any priority")), *Priority.choices]
    )
    line = forms.ModelChoiceField(
        required=False,
        label=_("Production line"),
        queryset=ProductionLine.objects.all(),
        to_field_name="code",
        empty_label=_("Any production line"),
    )

    def __init__(self, data, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        if Client.objects.count() > MAX_CHOICES:
            self.fields["client"] = ClientSearch(
                required=False, max_length=200, label=_("Client name or reference")
            )
        self.is_valid()  # a bad filter value is ignored, never an error page
        self._offer_stores_of_one_client()

    def _offer_stores_of_one_client(self):
        """Any store is accepted; past MAX_CHOICES stores, only the chosen client's are listed
        (none until one client is chosen, and then the template leaves the list out)."""
        self.lists_stores = True
        stores = self.fields["store"].queryset
        if stores.count() <= MAX_CHOICES:
            return
        clients = self.chosen_clients()
        matched = list(clients[:2]) if clients is not None else []
        chosen = self.cleaned_data.get("store")
        if len(matched) == 1:
            # The chosen store stays listed even if it is another client's, so the list shows it.
            self.fields["store"].queryset = stores.filter(
                Q(client=matched[0]) | Q(pk=getattr(chosen, "pk", None))
            )
        else:
            self.lists_stores = False

    def chosen_clients(self):
        """The clients the client filter chose (a list or queryset), or None for any client."""
        client = self.cleaned_data.get("client")
        return [client] if isinstance(client, Client) else client

    @property
    def current_tab(self):
        return self.cleaned_data.get("tab") or DEFAULT_TAB

    @property
    def narrowed(self):
        """Whether anything beyond the tab narrows the list (for the empty state's words)."""
        return any(value not in (None, "") for name, value in self.cleaned_data.items() if name != "tab")

    def orders(self):
        """The orders the tab, filters and search select, newest placed first."""
        data = self.cleaned_data
        orders = Order.objects.filter(TABS[self.current_tab][1])
        clients = self.chosen_clients()
        if clients is not None:
            orders = orders.filter(client__in=clients)
        if data.get("store"):
            orders = orders.filter(store=data["store"])
        if data.get("status"):
            orders = orders.filter(status=data["status"])
        if data.get("hold"):
            orders = orders.filter(hold="" if data["hold"] == "none" else data["hold"])
        if data.get("priority"):
            orders = orders.filter(priority=data["priority"])
        if data.get("line"):
            orders = orders.filter(production_line=data["line"])
        # Whole days in the site's time zone, as ranges the placed_at indexes can use.
        if data.get("placed_from"):
            orders = orders.filter(placed_at__gte=start_of(data["placed_from"]))
        if data.get("placed_to"):
            orders = orders.filter(placed_at__lt=start_of(data["placed_to"] + timedelta(days=1)))
        query = (data.get("q") or "").strip()
        if query:
            orders = orders.filter(search(query))
        return orders.order_by("-placed_at", "-id")


def start_of(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def search(query):
    """Orders whose number or customer matches, or with an item of that SKU or product UID."""
    items = OrderItem.objects.filter(Q(sku__iexact=query) | Q(product_uid__icontains=query)).values(
        "order_id"
    )
    return (
        Q(number__icontains=query)
        | Q(external_id=query)
        | Q(customer_name__icontains=query)
        | Q(customer_email__icontains=query)
        | Q(pk__in=items)
    )


def page_of(orders, number, per_page=PER_PAGE):
    """One page of `orders`, with what its rows show. Pages by id alone first (the index on
    placed_at, id answers that without touching the rows or their joins), then loads just that
    page's orders with their client, store and items: page 1000 costs the queries page 1 does."""
    page = Paginator(orders.values_list("pk", flat=True), per_page).get_page(number)
    ids = list(page.object_list)
    rows = {
        order.pk: order
        for order in Order.objects.filter(pk__in=ids)
        .select_related("client", "store", "production_line")
        .prefetch_related("items")
    }
    page.object_list = [rows[pk] for pk in ids if pk in rows]
    return page
