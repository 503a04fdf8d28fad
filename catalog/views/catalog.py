"""The printer's catalog: staff edit it in Connect, every client's people browse it in Storefronts.

The catalog is the printer's, not a client's: Storefronts pages show it to any signed-in member
of an active client, whatever their role (Order Managers need UIDs for manual orders too).
"""

from django.contrib import messages
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.listing import paginate
from core.tenancy import Action, client_required, staff_required

from .. import catalog
from ..catalog_forms import FORMAT_LABELS, CatalogFilterForm, CatalogProductForm
from ..models import CatalogProduct, CatalogVariant, DesignTemplate


def _filtered(request, *, staff):
    filters = CatalogFilterForm(request.GET)
    filters.is_valid()
    query = filters.cleaned_data.get("q", "").strip()
    product_type = filters.cleaned_data.get("type", "")
    active = {"yes": True, "no": False}.get(filters.cleaned_data.get("active", "")) if staff else True
    products = catalog.search_products(query, product_type, active).annotate(
        variant_count=Count("variants"),
        active_variant_count=Count("variants", filter=Q(variants__active=True)),
    )
    page, querystring = paginate(request, products)
    return {
        "filters": filters,
        "page": page,
        "querystring": querystring,
        "searching": bool(query or product_type or (staff and filters.cleaned_data.get("active"))),
        "query": query,
    }


def _formats(product):
    return ", ".join(FORMAT_LABELS.get(code, code.upper()) for code in product.file_formats)


# ---------------------------------------------------------------------------------------------
# Connect (staff)


@staff_required
def connect_catalog(request):
    return render(
        request, "catalog/connect/catalog.html", {**_filtered(request, staff=True), "section": "catalog"}
    )


@staff_required
def connect_catalog_create(request):
    form = CatalogProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            product = catalog.create_product(request.user, **form.cleaned_data)
        except catalog.CatalogError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _("%(name)s added to the catalog with %(count)s variants.")
                % {"name": product.name, "count": product.variants.count()},
            )
            return redirect("catalog:connect_catalog_product", code=product.code)
    return render(request, "catalog/connect/product_form.html", {"form": form, "section": "catalog"})


@staff_required
def connect_catalog_product(request, code):
    product = get_object_or_404(CatalogProduct, code=code)
    form = CatalogProductForm(request.POST or None, product=product)
    if request.method == "POST" and form.is_valid():
        try:
            catalog.update_product(request.user, product, **form.cleaned_data)
        except catalog.CatalogError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Catalog product saved; its variants follow its attributes."))
            return redirect("catalog:connect_catalog_product", code=product.code)
    variants = product.variants.annotate(mapping_count=Count("mappings")).order_by("-active", "id")
    page, querystring = paginate(request, variants, per_page=100)
    return render(
        request,
        "catalog/connect/product_form.html",
        {"form": form, "product": product, "page": page, "querystring": querystring, "section": "catalog"},
    )


@staff_required
@require_POST
def connect_catalog_variant_active(request, code):
    variant = get_object_or_404(CatalogVariant.objects.select_related("product"), code=code)
    active = request.POST.get("active") == "on"
    catalog.set_variant_active(request.user, variant, active)
    messages.success(
        request,
        (_("%(uid)s is active again.") if active else _("%(uid)s is inactive: clients no longer see it."))
        % {"uid": variant.uid},
    )
    return redirect("catalog:connect_catalog_product", code=variant.product.code)


# ---------------------------------------------------------------------------------------------
# Storefronts (any member)


@client_required(Action.VIEW_CATALOG)
def catalog_list(request):
    return render(
        request, "catalog/storefronts/catalog.html", {**_filtered(request, staff=False), "section": "catalog"}
    )


@client_required(Action.VIEW_CATALOG)
def catalog_product(request, code):
    product = get_object_or_404(CatalogProduct, code=code, active=True)
    query = request.GET.get("q", "").strip()
    variants = catalog.search_variants(query, product=product)
    page, querystring = paginate(request, variants, per_page=100)
    return render(
        request,
        "catalog/storefronts/product.html",
        {
            "product": product,
            "formats": _formats(product),
            "page": page,
            "querystring": querystring,
            "query": query,
            "section": "catalog",
        },
    )


@client_required(Action.VIEW_PRODUCTS)
def template_image(request, code):
    """A design template's image, to signed-in people who work on products (media is never
    served publicly)."""
    template = get_object_or_404(DesignTemplate, code=code, active=True)
    try:
        handle = template.image.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
