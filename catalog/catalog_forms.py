"""Forms of the catalog pages: a catalog product (Connect) and the catalog filters (both sides)."""

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from . import catalog
from .catalog import FILE_FORMATS, CatalogError, format_attributes, parse_attributes
from .models import ProductType

FORMAT_LABELS = {"pdf": "PDF", "png": "PNG", "jpg": "JPEG", "tiff": "TIFF", "svg": "SVG"}
ATTRIBUTES_HELP = _(
    "One line per attribute: its code, its name, a colon, then its values separated by commas, "
    "each as <code>value=Label</code>. A size may carry its print area in millimetres: "
    "<code>pf Size: a4=A4 (210x297), a3=A3 (297x420)</code>. An attribute with the code "
    "<code>or</code> is the orientation (<code>hor</code>, <code>ver</code>): it comes last in the UID, "
    "without its code, and turns the print area. Codes use lower-case letters, digits and hyphens. "
    "Every combination of values is one variant with its own UID."
)


class CatalogProductForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    product_type = forms.ChoiceField(label=_("Product type"), choices=ProductType.choices)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    uid_prefix = forms.CharField(
        label=_("UID prefix"),
        max_length=64,
        help_text=_(
            "Starts every UID of this product, e.g. <code>flat_product</code> or <code>cards</code>."
        ),
    )
    attributes = forms.CharField(
        label=_("Attributes and values"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "class": "input--mono", "spellcheck": "false"}),
        help_text=ATTRIBUTES_HELP,
    )
    print_width_mm = forms.DecimalField(
        label=_("Print width (mm)"),
        max_digits=7,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("1"))],
        help_text=_("Used by variants whose size has no print area of its own."),
    )
    print_height_mm = forms.DecimalField(
        label=_("Print height (mm)"),
        max_digits=7,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("1"))],
    )
    min_dpi = forms.IntegerField(
        label=_("Minimum DPI"), initial=300, validators=[MinValueValidator(50), MaxValueValidator(2400)]
    )
    bleed_mm = forms.DecimalField(
        label=_("Bleed (mm)"),
        initial=Decimal("3"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("50"))],
        help_text=_("On each side, beyond the print area."),
    )
    file_formats = forms.MultipleChoiceField(
        label=_("Accepted file formats"),
        choices=[(code, FORMAT_LABELS[code]) for code in FILE_FORMATS],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one file format.")},
    )
    active = forms.BooleanField(
        label=_("Active"),
        required=False,
        initial=True,
        help_text=_("Inactive products are hidden from clients."),
    )

    def __init__(self, *args, product=None, **kwargs):
        self.product = product
        if product is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": product.name,
                "product_type": product.product_type,
                "description": product.description,
                "uid_prefix": product.uid_prefix,
                "attributes": format_attributes(product.attributes),
                "print_width_mm": product.print_width_mm,
                "print_height_mm": product.print_height_mm,
                "min_dpi": product.min_dpi,
                "bleed_mm": product.bleed_mm,
                "file_formats": product.file_formats,
                "active": product.active,
            }
        super().__init__(*args, **kwargs)

    def clean_uid_prefix(self):
        prefix = self.cleaned_data["uid_prefix"].strip()
        if not catalog.PREFIX_RE.match(prefix):
            raise forms.ValidationError(
                _("Use lower-case letters and digits, joined by underscores or hyphens, e.g. flat_product.")
            )
        return prefix

    def clean_attributes(self):
        try:
            return parse_attributes(self.cleaned_data["attributes"])
        except CatalogError as error:
            raise forms.ValidationError(error.messages) from None

    def clean(self):
        cleaned = super().clean()
        prefix, attributes = cleaned.get("uid_prefix"), cleaned.get("attributes")
        if prefix and attributes is not None:
            try:
                planned = catalog.planned_variants(prefix, attributes)
            except CatalogError as error:
                self.add_error("attributes", error.messages)
                return cleaned
            clashes = catalog.uid_clashes(planned, self.product)
            if clashes:
                self.add_error(
                    "uid_prefix",
                    _("The UID %(uid)s already belongs to %(product)s: choose another prefix or other codes.")
                    % {"uid": clashes[0].uid, "product": clashes[0].product.name},
                )
        return cleaned


class CatalogFilterForm(forms.Form):
    q = forms.CharField(required=False, label=_("Search by name or UID"))
    type = forms.ChoiceField(
        required=False, label=_("Product type"), choices=[("", _("All product types")), *ProductType.choices]
    )
    active = forms.ChoiceField(
        required=False,
        label=_("Active"),
        choices=[("", _("Active and inactive")), ("yes", _("Active")), ("no", _("Inactive"))],
    )


class ClientProductFilterForm(forms.Form):
    q = forms.CharField(required=False, label=_("Search by title or SKU"))
