"""Forms of the template product pages: the printer's templates (Connect), a client's own
(Storefronts), and the lists' search."""

from django import forms
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from connect.models import Client

from . import publishing
from .models import CatalogVariant, TemplateProduct
from .views.publishing import CodeChoiceField, VariantChoiceField


class TemplateDetailsForm(forms.Form):
    """What every template has: its name, the details the new product starts with, the
    variants chosen and notes for whoever uses it."""

    name = forms.CharField(
        label=_("Template name"),
        max_length=200,
        help_text=_("What people see when they choose a template."),
    )
    title = forms.CharField(label=_("Product title"), max_length=140, required=False)
    description = forms.CharField(
        label=_("Product description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    price = forms.DecimalField(
        label=_("Price"),
        max_digits=10,
        decimal_places=2,
        required=False,
        validators=[MinValueValidator(0.2)],
        help_text=_("The price the new product starts with; it can be changed when adding the product."),
    )
    variants = VariantChoiceField(
        CatalogVariant.objects.none(),
        to_field_name="uid",
        label=_("Variants"),
        help_text=_("The sizes, papers and finishes the new product starts with."),
    )
    notes = forms.CharField(
        label=_("Notes"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Shown to whoever starts a product from this template: what it is for, what to check."),
    )

    def __init__(self, *args, catalog_product, template=None, **kwargs):
        if template is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_of(template)
        super().__init__(*args, **kwargs)
        self.fields["variants"].queryset = publishing.active_variants(catalog_product)

    def clean_variants(self):
        variants = self.cleaned_data["variants"]
        if len(variants) > publishing.MAX_VARIANTS:
            raise forms.ValidationError(
                _("Choose at most %(count)s variants.") % {"count": publishing.MAX_VARIANTS}
            )
        return variants


def initial_of(template):
    return {
        "name": template.name,
        "title": template.title,
        "description": template.description,
        "price": template.price,
        "variants": [variant.uid for variant in template.catalog_variants.all()],
        "notes": template.notes,
        "design_template": template.design_template.code if template.design_template_id else None,
        "offer": template.offer,
        "clients": [client.code for client in template.offered_to.all()],
    }


class ClientChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(Client.objects.order_by("name", "id"), to_field_name="code", **kwargs)


class PrinterTemplateForm(TemplateDetailsForm):
    """A template of the printer's: also its design and who it is offered to."""

    design_template = CodeChoiceField(
        None,
        label=_("Design template"),
        required=False,
        empty_label=_("None"),
        help_text=_("One of the designs the designer offers for this product type."),
    )
    upload = forms.FileField(
        label=_("Or upload a design"),
        required=False,
        help_text=_("A PNG or JPEG image; it replaces the design template."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    offer = forms.ChoiceField(
        label=_("Offer it to"), choices=TemplateProduct.Offer.choices, widget=forms.RadioSelect
    )
    clients = ClientChoiceField(label=_("Clients"), required=False)

    def __init__(self, *args, catalog_product, **kwargs):
        super().__init__(*args, catalog_product=catalog_product, **kwargs)
        self.fields["design_template"].queryset = publishing.design_templates(catalog_product)
        self.fields["offer"].initial = self.fields["offer"].initial or TemplateProduct.Offer.CHOSEN


class NewTemplateForm(forms.Form):
    """The first step of a new template: its catalog product (the variants follow from it)."""

    product = CodeChoiceField(None, label=_("Catalog product"), empty_label=_("Choose a product"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = publishing.catalog_products()
        self.fields["product"].label_from_instance = lambda p: f"{p.get_product_type_display()}: {p.name}"


class TemplateFilterForm(forms.Form):
    q = forms.CharField(required=False, label=_("Search by name, title or catalog product"))
    state = forms.ChoiceField(
        required=False,
        label=_("State"),
        choices=[("", _("In use")), ("archived", _("Archived"))],
    )
