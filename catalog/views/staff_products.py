"""Connect: a client's synced products and their mappings, as staff see them (read-only)."""

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render

from connect.models import Client
from core.listing import paginate
from core.tenancy import staff_required

from ..catalog_forms import ClientProductFilterForm
from ..models import StoreProduct, StoreVariant


def _client_context(client, tab="products"):
    return {
        "client": client,
        "section": "clients",
        "tab": tab,
        "invitation": client.access_invitation(),
    }


@staff_required
def client_products(request, code):
    client = get_object_or_404(Client, code=code)
    filters = ClientProductFilterForm(request.GET)
    filters.is_valid()
    query = filters.cleaned_data.get("q", "").strip()
    products = StoreProduct.objects.filter(store__client=client).select_related("store")
    if query:
        with_sku = StoreVariant.objects.filter(store__client=client, sku__icontains=query).values(
            "product_id"
        )
        products = products.filter(Q(title__icontains=query) | Q(pk__in=with_sku))
    products = products.annotate(
        variant_count=Count("variants", distinct=True),
        mapped_count=Count("variants__mapping", distinct=True),
    ).order_by("store__name", "title", "id")
    page, querystring = paginate(request, products)
    return render(
        request,
        "catalog/connect/client_products.html",
        {
            **_client_context(client),
            "filters": filters,
            "page": page,
            "querystring": querystring,
            "searching": bool(query),
        },
    )


@staff_required
def client_product(request, code, product):
    client = get_object_or_404(Client, code=code)
    product = get_object_or_404(
        StoreProduct.objects.select_related("store"), code=product, store__client=client
    )
    variants = product.variants.select_related("mapping__catalog_variant__product").order_by("position", "id")
    page, querystring = paginate(request, variants, per_page=100)
    return render(
        request,
        "catalog/connect/client_product.html",
        {**_client_context(client), "product": product, "page": page, "querystring": querystring},
    )
