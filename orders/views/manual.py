"""A manual store's orders: "Place order" (a form) and "Import orders" (a CSV file, checked,
previewed, then imported all at once)."""

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from catalog.mapping_csv.reading import FileRefused
from core.tenancy import Action, client_required
from storefronts.models import Store

from .. import csv_import, import_runs
from ..manual import ReferenceTaken, place_order
from ..manual_forms import OrderForm, item_formset, manual_order, orderable_catalog_variants, typed_rows
from ..models import OrderImport

RECENT_IMPORTS = 10


def manual_stores(request):
    """Only a manual store takes orders by hand or by file; any other store is a 404 here."""
    return Store.objects.filter(platform=Store.Platform.MANUAL)


def _catalog_uids():
    return orderable_catalog_variants().order_by("product__name", "id")


def _place_page(request, store, form, formset, status=200):
    return render(
        request,
        "orders/manual/place.html",
        {
            "store": store,
            "form": form,
            "formset": formset,
            "catalog_variants": _catalog_uids(),
            "section": "stores",
        },
        status=status,
    )


@client_required(Action.MANAGE_ORDERS, load=manual_stores)
def place(request, store):
    """The form; "Add item" without JavaScript posts it back with one more row (htmx adds the row
    in place, item_row)."""
    if request.method != "POST":
        return _place_page(request, store, OrderForm(store=store), item_formset(store))
    form = OrderForm(request.POST, store=store)
    formset = item_formset(store, request.POST, request.FILES)
    if "add_item" in request.POST:  # shown again as typed, not checked: the order is not placed yet
        again = OrderForm(store=store, initial=request.POST.dict())
        return _place_page(request, store, again, item_formset(store, typed=typed_rows(formset)))
    if not (form.is_valid() and formset.is_valid()):
        return _place_page(request, store, form, formset, status=400)
    try:
        order = place_order(request.user, store, manual_order(form, formset))
    except ReferenceTaken as taken:
        form.add_error("reference", str(taken))
        return _place_page(request, store, form, formset, status=400)
    messages.success(
        request,
        _("Order %(number)s is placed. Its print files are being checked.") % {"number": order.number},
    )
    return redirect("orders:order", code=order.code)


@client_required(Action.MANAGE_ORDERS, load=manual_stores)
@require_GET
def item_row(request, store):
    """One more item row for htmx's "Add item", numbered after the rows the page has, and the
    formset's row count raised to match (out of band)."""
    formset = item_formset(store)
    try:
        index = int(request.GET.get("items-TOTAL_FORMS", ""))
    except ValueError:
        index = formset.total_form_count()
    if not 0 <= index < formset.absolute_max:
        return HttpResponse(status=204)  # the most items an order may have are on the page
    form = formset.empty_form
    form.prefix = formset.add_prefix(index)
    return render(
        request,
        "orders/manual/item_row.html",
        {"item": form, "index": index, "number": index + 1, "total": index + 1, "oob": True},
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy("UTF-8 text with the template's columns, at most %(rows)s rows.")
        % {"rows": csv_import.MAX_ROWS},
        error_messages={"required": gettext_lazy("Choose the CSV file to import.")},
    )


def _import_page(request, store, form, status=200, plan=None):
    return render(
        request,
        "orders/manual/import.html",
        {
            "store": store,
            "form": form,
            "plan": plan,
            "columns": csv_import.COLUMNS,
            "imports": store.order_imports.select_related("created_by")[:RECENT_IMPORTS],
            "section": "stores",
        },
        status=status,
    )


@client_required(Action.MANAGE_ORDERS, load=manual_stores)
def import_page(request, store):
    """The upload; a file is checked at once: its row errors are listed here and nothing is kept,
    or it is kept and previewed on its own page, ready to import."""
    if request.method != "POST":
        return _import_page(request, store, ImportForm())
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_page(request, store, form, status=400)
    upload = form.cleaned_data["file"]
    try:
        csv_import.check_size(upload.size)  # before reading it
        data = upload.read()
        plan = csv_import.validate(store, csv_import.read_rows(data))
    except FileRefused as refused:
        form.add_error("file", str(refused))
        return _import_page(request, store, form, status=400)
    if plan.error_count:
        return _import_page(request, store, form, status=400, plan=plan)
    checked = import_runs.keep_checked(request.user, store, upload.name, data, plan)
    return redirect("orders:order_import", code=checked.code)


def _imports(request):
    return OrderImport.objects.filter(store__platform=Store.Platform.MANUAL).select_related("store")


@client_required(Action.MANAGE_ORDERS, load=_imports)
@require_GET
def order_import(request, checked):
    """A checked file: its preview and "Import", then its progress (htmx polls the state part
    while the worker imports) and outcome."""
    template = "orders/manual/import_state.html" if request.htmx else "orders/manual/import_run.html"
    return render(request, template, {"run": checked, "store": checked.store, "section": "stores"})


@client_required(Action.MANAGE_ORDERS, load=_imports)
@require_POST
def order_import_start(request, checked):
    if not import_runs.start(checked):
        messages.error(request, _("This file is imported already, or being imported."))
    return redirect("orders:order_import", code=checked.code)


@client_required(Action.MANAGE_ORDERS, load=manual_stores)
@require_GET
def import_template(request, store):
    example = (
        orderable_catalog_variants().order_by("product__name", "id").values_list("uid", flat=True).first()
    )
    response = HttpResponse(csv_import.template_csv(example or ""), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="orders-template.csv"'
    return response
