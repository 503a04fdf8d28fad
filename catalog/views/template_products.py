"""Template products: the printer's, which staff define and offer in Connect, and a client's
own, saved from its products in Storefronts. Starting "Add product" from one is in
catalog.views.publishing."""

from django.contrib import messages
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.listing import paginate
from core.tenancy import Action, client_required, role_can, scoped, staff_required

from .. import template_products as services
from ..models import Publication, StoreProduct, TemplateProduct
from ..template_forms import NewTemplateForm, PrinterTemplateForm, TemplateDetailsForm, TemplateFilterForm
from .publishing import image_type


def _listed(request, queryset):
    """The search, the archived switch and the page of a template list."""
    filters = TemplateFilterForm(request.GET)
    filters.is_valid()
    query, state = filters.cleaned_data.get("q", ""), filters.cleaned_data.get("state", "")
    rows = services.search(queryset, query).select_related("catalog_product")
    rows = rows.annotate(variant_count=Count("catalog_variants", distinct=True)).order_by("name", "id")
    page, querystring = paginate(request, rows)
    return {
        "filters": filters,
        "page": page,
        "querystring": querystring,
        "searching": bool(query or state),
        "archived": state == "archived",
    }


# ---------------------------------------------------------------------------------------------
# Connect (staff): the printer's templates


@staff_required
def connect_templates(request):
    archived = request.GET.get("state") == "archived"
    templates = TemplateProduct.objects.filter(client__isnull=True, archived=archived).annotate(
        client_count=Count("offered_to", distinct=True)
    )
    return render(
        request,
        "catalog/templates/connect_list.html",
        {**_listed(request, templates), "section": "catalog"},
    )


@staff_required
def connect_template_create(request):
    """Step 1 chooses the catalog product (a GET form); step 2 is the template itself."""
    source = request.POST if request.method == "POST" else request.GET
    start = NewTemplateForm(source if "product" in source else None)
    if not start.is_bound or not start.is_valid():
        return render(request, "catalog/templates/connect_new.html", {"form": start, "section": "catalog"})
    product = start.cleaned_data["product"]
    form = PrinterTemplateForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        catalog_product=product,
        initial={"title": product.name, "description": product.description},
    )
    template = _save_printer_template(request, form, TemplateProduct(catalog_product=product))
    if template is not None:
        return _printer_template_saved(request, template, _("Template %(name)s created."))
    return render(
        request,
        "catalog/templates/connect_form.html",
        {"form": form, "product": product, "section": "catalog"},
    )


@staff_required
def connect_template(request, code):
    template = get_object_or_404(
        TemplateProduct.objects.select_related("catalog_product", "design_template").annotate(
            client_count=Count("offered_to", distinct=True)
        ),
        code=code,
        client__isnull=True,
    )
    form = PrinterTemplateForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        catalog_product=template.catalog_product,
        template=template,
    )
    if _save_printer_template(request, form, template) is not None:
        return _printer_template_saved(request, template, _("Template %(name)s saved."))
    return render(
        request,
        "catalog/templates/connect_form.html",
        {"form": form, "template": template, "product": template.catalog_product, "section": "catalog"},
    )


def _save_printer_template(request, form, template):
    """Save a posted, valid form into `template`; None (the form with its errors) otherwise."""
    if request.method != "POST" or not form.is_valid():
        return None
    data = dict(form.cleaned_data)
    variants, clients, upload = data.pop("variants"), data.pop("clients"), data.pop("upload")
    try:
        return services.save_printer_template(
            request.user, template, variants=variants, clients=clients, upload=upload, **data
        )
    except services.TemplateProblem as problem:
        form.add_error("upload", str(problem))
        return None


def _printer_template_saved(request, template, text):
    messages.success(request, text % {"name": template.name})
    if template.offer == TemplateProduct.Offer.CHOSEN and not template.offered_to.exists():
        messages.warning(request, _("No client can use it yet: choose clients, or offer it to every client."))
    return redirect("catalog:connect_template", code=template.code)


@staff_required
@require_POST
def connect_template_archive(request, code):
    template = get_object_or_404(TemplateProduct, code=code, client__isnull=True)
    _archive(request, template, client=None)
    return redirect("catalog:connect_template", code=template.code)


@staff_required
def connect_template_design(request, code):
    return _design_image(get_object_or_404(TemplateProduct, code=code, client__isnull=True))


def _design_image(template):
    """A template's design image, to signed-in people allowed the template (media is never
    served publicly)."""
    source = services.design_source(template)
    if source is None:
        raise Http404
    try:
        handle = source.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, content_type=image_type(source.name))
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _archive(request, template, *, client):
    archived = request.POST.get("archived") == "on"
    services.set_archived(request.user, template, archived, client=client)
    messages.success(
        request,
        (_("%(name)s is archived: nobody can start from it.") if archived else _("%(name)s is in use again."))
        % {"name": template.name},
    )


# ---------------------------------------------------------------------------------------------
# Storefronts: the templates a client may use, and its own


@client_required(Action.VIEW_PRODUCTS)
def templates(request):
    if request.GET.get("state") == "archived":
        rows = scoped(request, TemplateProduct).filter(archived=True)
    else:
        rows = services.usable(request)
    return render(
        request,
        "catalog/templates/list.html",
        {
            **_listed(request, rows),
            "can_manage": role_can(request.membership.role, Action.MANAGE_PRODUCTS),
            "section": "products",
        },
    )


@client_required(Action.MANAGE_PRODUCTS, load=TemplateProduct)
def template(request, template):
    """One of the client's own templates: its details and variants, and Archive."""
    form = TemplateDetailsForm(
        request.POST or None, catalog_product=template.catalog_product, template=template
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        services.update_own_template(request.user, template, variants=data.pop("variants"), **data)
        messages.success(request, _("Template %(name)s saved.") % {"name": template.name})
        return redirect("catalog:template", code=template.code)
    return render(
        request,
        "catalog/templates/own_form.html",
        {"form": form, "template": template, "section": "products"},
    )


# Any member, as the catalog: whether the template exists is then never told apart from whether
# the role may look (another client's template is a 404 for every role).
@client_required(Action.VIEW_CATALOG)
def template_design(request, code):
    """The design of a template this client may use (its own, archived too, or one offered)."""
    own = scoped(request, TemplateProduct).values("pk")
    usable = services.usable(request).values("pk")
    return _design_image(
        get_object_or_404(TemplateProduct.objects.filter(Q(pk__in=own) | Q(pk__in=usable)), code=code)
    )


@client_required(Action.MANAGE_PRODUCTS, load=TemplateProduct)
@require_POST
def template_archive(request, template):
    _archive(request, template, client=request.client)
    return redirect("catalog:template", code=template.code)


@client_required(Action.MANAGE_PRODUCTS, load=Publication)
@require_POST
def publication_save_template(request, publication):
    template = services.save_publication_as_template(request.user, publication)
    return _saved(request, template)


@client_required(Action.MANAGE_PRODUCTS, load=StoreProduct)
@require_POST
def product_save_template(request, product):
    try:
        template = services.save_store_product_as_template(request.user, product)
    except services.TemplateProblem as problem:
        messages.error(request, str(problem))
        return redirect("catalog:product", code=product.code)
    return _saved(request, template)


def _saved(request, template):
    messages.success(
        request,
        _("Saved as the template %(name)s: start Add product from it, or change it here.")
        % {"name": template.name},
    )
    return redirect("catalog:template", code=template.code)
