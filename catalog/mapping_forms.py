"""Forms of the Products list and of Connect product."""

import os

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .mapping import MappingFilter, VariantChoice
from .models import CatalogProduct, SourceState

# A design file's extension, as the catalog's file_formats name it.
EXTENSION_ALIASES = {"jpeg": "jpg", "tiff": "tif"}


def format_name(extension):
    extension = extension.lower().lstrip(".")
    return EXTENSION_ALIASES.get(extension, extension)


def formats_in_words(formats):
    names = [name.upper() for name in formats]
    if not names:
        return gettext("no file formats")
    if len(names) == 1:
        return names[0]
    return gettext("%(first)s or %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


def design_upload_problem(upload, formats):
    """Why an uploaded design file is refused before it is even stored, in words, or None: too
    large, not one of the catalog product's `formats`, or empty. What is inside is checked later
    by the worker (design_files)."""
    if not upload:
        return None
    formats = [format_name(f) for f in formats]
    extension = format_name(os.path.splitext(upload.name)[1])
    if upload.size > settings.DESIGN_FILE_MAX_BYTES:
        return gettext("%(name)s is %(size)s; design files can be at most %(limit)s.") % {
            "name": upload.name,
            "size": filesizeformat(upload.size),
            "limit": filesizeformat(settings.DESIGN_FILE_MAX_BYTES),
        }
    if extension not in formats:
        return gettext("%(name)s is not a file this product takes: send %(formats)s.") % {
            "name": upload.name,
            "formats": formats_in_words(formats),
        }
    if upload.size == 0:
        return gettext("%(name)s is empty.") % {"name": upload.name}
    return None


class ProductFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label=_("Search by title or SKU"))
    store = forms.ModelChoiceField(
        queryset=None, required=False, to_field_name="code", empty_label=_("All stores"), label=_("Store")
    )
    mapping = forms.ChoiceField(
        required=False,
        label=_("Mapping"),
        choices=[
            ("", _("Mapped or not")),
            (MappingFilter.MAPPED, _("Mapped")),
            (MappingFilter.PARTLY, _("Partly mapped")),
            (MappingFilter.UNMAPPED, _("Unmapped")),
        ],
    )
    state = forms.ChoiceField(
        required=False, label=_("State in the shop"), choices=[("", _("Any state")), *SourceState.choices]
    )
    problems = forms.BooleanField(required=False, label=_("With file problems"))

    def __init__(self, *args, stores, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].queryset = stores
        self.fields["store"].label = _("Store")


def _check_url(value):
    if value and not value.lower().startswith(("http://", "https://")):
        raise forms.ValidationError(_("Give an http or https address."))


def _design_url_field():
    return forms.URLField(
        required=False,
        max_length=2000,
        assume_scheme="https",
        validators=[_check_url],
        label=_("Design file URL"),
    )


class ConnectForm(forms.Form):
    """The catalog product, the print specification overrides, a design file for every variant,
    and per variant its UID and optionally its own design file."""

    catalog_product = forms.ModelChoiceField(
        queryset=CatalogProduct.objects.filter(active=True),
        to_field_name="code",
        label=_("Catalog product"),
        widget=forms.HiddenInput,
        error_messages={"required": _("Choose a catalog product first.")},
    )
    min_dpi = forms.IntegerField(
        required=False, min_value=72, max_value=2400, label=_("Minimum DPI (override)")
    )
    bleed_mm = forms.DecimalField(
        required=False, min_value=0, max_value=50, decimal_places=1, label=_("Bleed in mm (override)")
    )
    design_url = _design_url_field()
    design_upload = forms.FileField(required=False, label=_("or upload a design file"))

    def __init__(
        self, *args, product, catalog_product, variants, initial_uids=None, initial_urls=None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.product = product
        self.catalog = catalog_product
        self.variants = variants
        self.fields["design_url"].label = _("Design file URL for every variant")
        self.catalog_variants = {}
        choices = [("", _("— not connected —"))]
        if catalog_product is not None:
            self.fields["catalog_product"].initial = catalog_product.code
            for catalog_variant in catalog_product.variants.filter(active=True).order_by("id"):
                self.catalog_variants[catalog_variant.uid] = catalog_variant
                choices.append((catalog_variant.uid, f"{catalog_variant.label} · {catalog_variant.uid}"))
        for variant in variants:
            key = variant.code.hex
            self.fields[f"uid_{key}"] = forms.ChoiceField(
                required=False,
                choices=choices,
                label=_("Product UID"),
                initial=(initial_uids or {}).get(variant.id, ""),
            )
            self.fields[f"url_{key}"] = _design_url_field()
            self.fields[f"url_{key}"].initial = (initial_urls or {}).get(variant.id, "")
            self.fields[f"file_{key}"] = forms.FileField(required=False, label=_("or upload"))

    def rows(self):
        """(variant, UID field, URL field, upload field) per variant, for the template."""
        return [
            (
                variant,
                self[f"uid_{variant.code.hex}"],
                self[f"url_{variant.code.hex}"],
                self[f"file_{variant.code.hex}"],
            )
            for variant in self.variants
        ]

    def _check_upload(self, name):
        upload = self.cleaned_data.get(name)
        problem = design_upload_problem(upload, self.catalog.file_formats if self.catalog else [])
        if problem:
            self.add_error(name, problem)

    def clean(self):
        cleaned = super().clean()
        if self.catalog is None:
            return cleaned
        self._check_upload("design_upload")
        if cleaned.get("design_url") and cleaned.get("design_upload"):
            self.add_error("design_url", gettext("Give a URL or upload a file, not both."))
        chosen = 0
        for variant in self.variants:
            key = variant.code.hex
            self._check_upload(f"file_{key}")
            uid = cleaned.get(f"uid_{key}")
            if uid:
                chosen += 1
            elif cleaned.get(f"url_{key}") or cleaned.get(f"file_{key}"):
                self.add_error(
                    f"uid_{key}", gettext("Choose a product UID for this variant, or leave its file empty.")
                )
            if cleaned.get(f"url_{key}") and cleaned.get(f"file_{key}"):
                self.add_error(f"url_{key}", gettext("Give a URL or upload a file, not both."))
        if not chosen:
            raise forms.ValidationError(gettext("Choose a product UID for at least one variant."))
        return cleaned

    def choices(self):
        return [
            VariantChoice(
                variant=variant,
                catalog_variant=self.catalog_variants.get(
                    self.cleaned_data.get(f"uid_{variant.code.hex}") or ""
                ),
                design_file_url=self.cleaned_data.get(f"url_{variant.code.hex}") or "",
                upload=self.cleaned_data.get(f"file_{variant.code.hex}"),
            )
            for variant in self.variants
        ]

    def spec_overrides(self):
        overrides = {}
        if self.cleaned_data.get("min_dpi"):
            overrides["min_dpi"] = self.cleaned_data["min_dpi"]
        if self.cleaned_data.get("bleed_mm") is not None:
            overrides["bleed_mm"] = str(self.cleaned_data["bleed_mm"])
        return overrides
