"""Storefronts > Products: the list of a client's synced products, and Connect product (which
catalog variant and design file each store variant is), with the design files' checks."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.listing import paginate
from core.models import is_code
from core.tenancy import Action, client_required, role_can, scoped, staff_required
from storefronts.models import Store

from .. import mapping as services
from ..mapping_forms import ConnectForm, ProductFilterForm
from ..models import CatalogProduct, FileCheck, ProductMapping, StoreProduct, StoreVariant

# A check the worker has not answered by then was lost (a broker outage): stop polling for it
# and offer "Check again".
CHECK_PATIENCE = timedelta(minutes=5)


@client_required(Action.VIEW_PRODUCTS)
def products(request):
    stores = scoped(request, Store).order_by("name", "id")
    filters = ProductFilterForm(request.GET, stores=stores)
    filters.is_valid()
    data = filters.cleaned_data
    rows = services.product_rows(
        scoped(request, StoreProduct),
        store=data.get("store"),
        mapping=data.get("mapping") or "",
        file_problems=bool(data.get("problems")),
        source_state=data.get("state") or "",
        query=data.get("q") or "",
    )
    # The page is chosen on the bare rows; only its 25 rows get their counts and store (on a deep
    # page, counting for every row skipped by OFFSET would cost more than the page itself).
    page, querystring = paginate(request, rows.order_by("title", "id").values_list("pk", flat=True))
    page.object_list = services.page_of_products(list(page.object_list))
    searching = any(data.get(name) for name in ("q", "store", "mapping", "state", "problems"))
    return render(
        request,
        "catalog/products.html",
        {
            "page": page,
            "querystring": querystring,
            "filters": filters,
            "searching": searching,
            "has_stores": stores.exists(),
            "section": "products",
        },
    )


def _variants(product):
    return list(
        product.variants.select_related("mapping__catalog_variant__product").order_by("position", "id")
    )


def _mapping_of(variant):
    try:
        return variant.mapping
    except ProductMapping.DoesNotExist:
        return None


def _files_context(request, product, variants=None):
    """The connected variants of a product and their design file checks; `pending` when the
    page should keep asking the worker's verdict."""
    variants = variants if variants is not None else _variants(product)
    now = timezone.now()
    connected = []
    pending = False
    for variant in variants:
        mapping = _mapping_of(variant)
        if mapping is None:
            continue
        waiting = mapping.file_check == FileCheck.PENDING and now - mapping.updated_at < CHECK_PATIENCE
        lost = mapping.file_check == FileCheck.PENDING and not waiting
        pending = pending or waiting
        connected.append({"variant": variant, "mapping": mapping, "waiting": waiting, "lost": lost})
    return {
        "product": product,
        "connected": connected,
        "pending": pending,
        "can_manage": role_can(request.membership.role, Action.MANAGE_PRODUCTS),
    }


def _catalog_choice(request, product):
    code = request.GET.get("catalog")
    if code:
        return CatalogProduct.objects.filter(active=True, code=code).first() if is_code(code) else None
    return product.catalog_product


def _connect_form(product, catalog_product, variants, data=None, files=None):
    initial_uids, initial_urls, suggested = {}, {}, set()
    if catalog_product is not None:
        catalog_variants = list(catalog_product.variants.filter(active=True).order_by("id"))
        suggestions = services.suggest_uids(variants, catalog_variants, catalog_product.attributes)
        for variant in variants:
            mapping = _mapping_of(variant)
            if mapping is not None and mapping.catalog_variant.product_id == catalog_product.pk:
                initial_uids[variant.id] = mapping.catalog_variant.uid
            elif variant.id in suggestions:
                initial_uids[variant.id] = suggestions[variant.id].uid
                suggested.add(variant.id)
            if mapping is not None:
                initial_urls[variant.id] = mapping.design_file_url
    form = ConnectForm(
        data,
        files,
        product=product,
        catalog_product=catalog_product,
        variants=variants,
        initial_uids=initial_uids,
        initial_urls=initial_urls,
    )
    return form, suggested


def _render_product(request, product, form=None, catalog_product=None, status=200):
    variants = _variants(product)
    if catalog_product is None and form is None:
        catalog_product = _catalog_choice(request, product)
    suggested = set()
    if form is None:
        form, suggested = _connect_form(product, catalog_product, variants)
    query = request.GET.get("q", "").strip()
    context = {
        **_files_context(request, product, variants),
        "form": form,
        "catalog_product": catalog_product,
        "suggested": suggested,
        "rows": [(*row, row[0].id in suggested) for row in form.rows()],
        "query": query,
        "results": services.search_catalog_products(query) if query else None,
        "section": "products",
    }
    if catalog_product is not None:
        context["example_variant"] = catalog_product.variants.filter(active=True).order_by("id").first()
    return render(request, "catalog/product.html", context, status=status)


@client_required(Action.VIEW_PRODUCTS, load=lambda request: StoreProduct.objects.select_related("store"))
def product(request, product):
    """Connect product: choose the catalog product, each variant's UID and the design file.
    View only sees the same page, read-only."""
    return _render_product(request, product)


@client_required(Action.MANAGE_PRODUCTS, load=StoreProduct)
def catalog_search(request, product):
    """Catalog products matching a name or UID, for the Connect page's search (htmx)."""
    query = request.GET.get("q", "").strip()
    return render(
        request,
        "catalog/catalog_results.html",
        {
            "product": product,
            "query": query,
            "results": services.search_catalog_products(query) if query else None,
        },
    )


@client_required(Action.MANAGE_PRODUCTS, load=lambda request: StoreProduct.objects.select_related("store"))
@require_POST
def product_connect(request, product):
    variants = _variants(product)
    catalog_product = None
    code = request.POST.get("catalog_product", "")
    if is_code(code):
        catalog_product = CatalogProduct.objects.filter(active=True, code=code).first()
    form, _suggested = _connect_form(product, catalog_product, variants, request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Nothing was saved: correct the marked fields."))
        return _render_product(request, product, form=form, catalog_product=catalog_product, status=400)
    result = services.connect_product(
        request.user,
        product,
        form.cleaned_data["catalog_product"],
        form.choices(),
        spec_overrides=form.spec_overrides(),
        shared_url=form.cleaned_data.get("design_url") or "",
        shared_upload=form.cleaned_data.get("design_upload"),
    )
    connected = result.connected + result.changed
    if connected:
        messages.success(
            request,
            ngettext("%(count)d variant connected.", "%(count)d variants connected.", connected)
            % {"count": connected},
        )
    else:
        messages.info(request, _("Nothing changed."))
    return redirect("catalog:product", product.code)


@client_required(Action.VIEW_PRODUCTS, load=StoreProduct)
def product_files(request, product):
    """The connected variants and their design file checks; polled by htmx while checking."""
    return render(request, "catalog/product_files.html", _files_context(request, product))


@client_required(
    Action.MANAGE_PRODUCTS, load=lambda request: StoreVariant.objects.select_related("product", "mapping")
)
@require_POST
def variant_disconnect(request, variant):
    mapping = _mapping_of(variant)
    if mapping is None:
        messages.info(request, _("That variant was not connected."))
    else:
        services.disconnect_variant(request.user, mapping)
        messages.success(request, _("%(variant)s is no longer connected.") % {"variant": variant})
    return redirect("catalog:product", variant.product.code)


@client_required(
    Action.MANAGE_PRODUCTS, load=lambda request: StoreVariant.objects.select_related("product", "mapping")
)
@require_POST
def variant_check(request, variant):
    mapping = _mapping_of(variant)
    if mapping is None or not services.request_file_check(mapping):
        messages.info(request, _("That variant has no design file to check."))
    if request.htmx:
        return render(request, "catalog/product_files.html", _files_context(request, variant.product))
    return redirect("catalog:product", variant.product.code)


def _design_file_response(mapping):
    if mapping is None or not mapping.design_file.name:
        raise Http404
    try:
        handle = mapping.design_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    name = mapping.file_info.get("name") or mapping.design_file.name.rsplit("/", 1)[-1]
    response = FileResponse(handle, as_attachment=True, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@client_required(Action.VIEW_PRODUCTS, load=lambda request: StoreVariant.objects.select_related("mapping"))
def design_file(request, variant):
    """An uploaded design file, to the client's people who may see its store: never public."""
    return _design_file_response(_mapping_of(variant))


@staff_required
def staff_design_file(request, code):
    """The same file for the printer's staff, whatever the client."""
    if not request.user.is_staff:
        raise PermissionDenied
    variant = get_object_or_404(StoreVariant.objects.select_related("mapping"), code=code)
    return _design_file_response(_mapping_of(variant))
