"""Add product (choose a store and catalog product, then title, price and variants), the
designer (a design placed on the print area), and the publication page with "Publish to store"
and its progress."""

import uuid

from django import forms
from django.contrib import messages
from django.core.validators import MinValueValidator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.tenancy import Action, client_required, role_can

from .. import print_files, publishing, template_products
from ..models import CatalogVariant, Publication


class CodeChoiceField(forms.ModelChoiceField):
    """A choice of rows named by their code in the form, never their integer id."""

    def __init__(self, queryset, **kwargs):
        super().__init__(queryset, to_field_name="code", **kwargs)


class StartForm(forms.Form):
    store = CodeChoiceField(None, label=gettext_lazy("Store"), empty_label=gettext_lazy("Choose a store"))
    product = CodeChoiceField(
        None, label=gettext_lazy("Catalog product"), empty_label=gettext_lazy("Choose a product")
    )

    def __init__(self, *args, request, template=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.template = template
        self.fields["store"].queryset = publishing.publishable_stores(request)
        if template is not None:  # the template names the catalog product
            del self.fields["product"]
            return
        self.fields["product"].queryset = publishing.catalog_products()
        self.fields["product"].label_from_instance = lambda p: f"{p.get_product_type_display()}: {p.name}"

    def clean(self):
        cleaned = super().clean()
        if self.template is not None:
            cleaned["product"] = self.template.catalog_product
        return cleaned


class VariantChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, variant):
        return f"{variant.label} ({variant.uid})"


class DetailsForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=140)
    description = forms.CharField(label=gettext_lazy("Description"), widget=forms.Textarea, required=False)
    price = forms.DecimalField(
        label=gettext_lazy("Price"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0.2)]
    )
    variants = VariantChoiceField(
        CatalogVariant.objects.none(),
        to_field_name="uid",
        label=gettext_lazy("Variants"),
        help_text=gettext_lazy(
            "Each becomes a variant of the product in the shop, with its own product UID."
        ),
    )

    def __init__(self, *args, catalog_product, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["variants"].queryset = publishing.active_variants(catalog_product)

    def clean_variants(self):
        variants = self.cleaned_data["variants"]
        if len(variants) > publishing.MAX_VARIANTS:
            raise forms.ValidationError(
                _("Choose at most %(count)s variants for one product.") % {"count": publishing.MAX_VARIANTS}
            )
        return variants


class DesignForm(forms.Form):
    upload = forms.FileField(
        label=gettext_lazy("Upload a design"),
        required=False,
        help_text=gettext_lazy("A PNG or JPEG image."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    template = CodeChoiceField(
        None,
        label=gettext_lazy("Or start from a template"),
        required=False,
        widget=forms.RadioSelect,
        empty_label=None,
    )
    # Filled by the designer's script; without it the design is centred and fitted.
    x = forms.FloatField(required=False, widget=forms.HiddenInput)
    y = forms.FloatField(required=False, widget=forms.HiddenInput)
    width = forms.FloatField(required=False, widget=forms.HiddenInput)
    height = forms.FloatField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, publication, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = publishing.design_templates(publication.catalog_product)


START_TEMPLATES = 6  # offered on the first step; the rest on the Templates page


def steps(current):
    return {"step": current, "section": "products"}


def chosen_template(request, source):
    """The template product "Add product" starts from, if one is named: only one this client
    may use (its own, or one the printer offers it); any other is a 404."""
    code = source.get("template")
    if not code:
        return None
    try:
        code = uuid.UUID(code)
    except ValueError:
        raise Http404 from None
    return get_object_or_404(template_products.usable(request), code=code)


def details_initial(product, template):
    if template is None:
        return {"title": product.name, "description": product.description}
    return {
        "title": template.title or product.name,
        "description": template.description,
        "price": template.price,
        "variants": [variant.uid for variant in template_products.live_variants(template)],
    }


@client_required(Action.MANAGE_PRODUCTS)
def add_product(request):
    """Step 1 (store and catalog product, a GET form) and step 2 (title, description, price
    and variants, posted): the new product is saved as a draft and the designer opens.
    Started from a template product, the template names the catalog product and fills in
    step 2 and the design."""
    source = request.POST if request.method == "POST" else request.GET
    template = chosen_template(request, source)
    named = {"store", "template" if template else "product"}
    bound = named <= set(source) or request.method == "POST"
    # A link from a store's page names the store only: it is chosen, not an error.
    start = StartForm(
        source if bound else None, request=request, template=template, initial={"store": source.get("store")}
    )
    if not start.is_bound or not start.is_valid():
        offered = template_products.usable(request) if template is None else None
        return render(
            request,
            "catalog/publishing/add_start.html",
            {
                "form": start,
                "template": template,
                "offered": offered[:START_TEMPLATES] if offered is not None else (),
                "more_offered": offered is not None and offered.count() > START_TEMPLATES,
                **steps(1),
            },
        )
    store, product = start.cleaned_data["store"], start.cleaned_data["product"]
    details = DetailsForm(
        request.POST if request.method == "POST" else None,
        catalog_product=product,
        initial=details_initial(product, template),
    )
    if request.method == "POST" and details.is_valid():
        data = details.cleaned_data
        fields = {key: data[key] for key in ("title", "description", "price", "variants")}
        if template is None:
            publication = publishing.create_publication(request.user, store, product, **fields)
        else:
            publication, problem = template_products.start_publication(
                request.user, store, template, **fields
            )
            if problem:
                messages.warning(request, problem)
        return redirect("catalog:publication_design", code=publication.code)
    return render(
        request,
        "catalog/publishing/add_details.html",
        {
            "start": start,
            "form": details,
            "store": store,
            "product": product,
            "template": template,
            **steps(2),
        },
    )


@client_required(Action.MANAGE_PRODUCTS, load=Publication)
def publication_design(request, publication):
    """Step 3, the designer: upload a design or choose a template, then move and scale it on the
    print area. The script fills in the placement; without it the design is centred and fitted."""
    if publication.state not in (Publication.State.DRAFT, Publication.State.FAILED):
        return redirect("catalog:publication", code=publication.code)
    form = DesignForm(request.POST or None, request.FILES or None, publication=publication)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        placement = {key: data[key] for key in ("x", "y", "width", "height") if data[key] is not None}
        try:
            publishing.save_design(
                request.user,
                publication,
                upload=data["upload"],
                template=None if data["upload"] else data["template"],
                placement=placement,
            )
        except publishing.PublishProblem as problem:
            form.add_error("upload" if data["upload"] else None, str(problem))
        else:
            return redirect("catalog:publication", code=publication.code)
    width_mm, height_mm = print_files.print_area(publication)
    return render(
        request,
        "catalog/publishing/design.html",
        {
            "publication": publication,
            "form": form,
            "templates": form.fields["template"].queryset,
            "has_design": print_files.design_source(publication) is not None,
            "width_mm": width_mm,
            "height_mm": height_mm,
            **steps(3),
        },
    )


def publication_context(request, publication):
    return {
        "publication": publication,
        "can_manage": role_can(request.membership.role, Action.MANAGE_PRODUCTS),
        "problem": publishing.publish_problem(publication),
        "dpi": print_files.effective_dpi(publication),
        "dpi_warning": print_files.dpi_warning(publication),
    }


@client_required(Action.VIEW_PRODUCTS, load=Publication)
def publication(request, publication):
    variants = publication.catalog_variants.order_by("id")
    return render(
        request,
        "catalog/publishing/publication.html",
        {**publication_context(request, publication), "variants": variants, "section": "products"},
    )


@client_required(Action.VIEW_PRODUCTS, load=Publication)
def publication_status(request, publication):
    """The progress part of the publication page, polled by htmx while it is publishing."""
    return render(request, "catalog/publishing/status.html", publication_context(request, publication))


@client_required(Action.MANAGE_PRODUCTS, load=Publication)
@require_POST
def publication_publish(request, publication):
    try:
        messages.info(request, publishing.request_publish(request.user, publication))
    except publishing.PublishProblem as problem:
        messages.error(request, str(problem))
    return redirect("catalog:publication", code=publication.code)


@client_required(Action.VIEW_PRODUCTS, load=Publication)
def publication_design_file(request, publication):
    """The design's image as uploaded (or the template's), for the designer's canvas."""
    source = print_files.design_source(publication)
    if source is None:
        raise Http404
    return FileResponse(source.open("rb"), content_type=image_type(source.name))


@client_required(Action.VIEW_PRODUCTS, load=Publication)
def publication_preview(request, publication):
    """The print area with the design placed, as a small PNG."""
    if print_files.design_source(publication) is None or not publication.placement:
        raise Http404
    return HttpResponse(print_files.preview_png(publication), content_type="image/png")


def image_type(name):
    return "image/jpeg" if name.lower().endswith((".jpg", ".jpeg")) else "image/png"
