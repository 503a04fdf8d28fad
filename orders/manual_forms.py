"""The "Place order" form of a manual store: the order, its shipping address, and its items (a
formset: one form per item)."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.mapping_csv.validation import url_problem
from catalog.mapping_forms import design_upload_problem
from catalog.models import CatalogVariant, StoreVariant
from core.countries import COUNTRIES
from integrations.types import Address

from .manual import MAX_ITEMS, MAX_QUANTITY, REFERENCE_MAX_LENGTH, ManualItem, ManualOrder, taken_references

ADDRESS_FIELDS = ("name", "company", "line1", "line2", "city", "region", "postcode", "country", "phone")


def mapped_variants(store):
    """The store's variants that are mapped to the catalog: what a manual order may name."""
    return (
        StoreVariant.objects.filter(store=store, mapping__isnull=False)
        .select_related("product", "mapping__catalog_variant__product")
        .order_by("product__title", "position", "id")
    )


def orderable_catalog_variants():
    return CatalogVariant.objects.filter(active=True, product__active=True).select_related("product")


def variant_label(variant):
    return " · ".join(part for part in (variant.product.title, variant.title, variant.sku) if part)


class OrderForm(forms.Form):
    reference = forms.CharField(
        label=_("Order reference"),
        required=False,
        max_length=REFERENCE_MAX_LENGTH,
        help_text=_("Your own reference for the order. Left empty, Printfront makes one up."),
    )
    customer_name = forms.CharField(label=_("Customer name"), required=False, max_length=255)
    customer_email = forms.EmailField(label=_("Customer email"), required=False)
    ship_name = forms.CharField(label=_("Name"), max_length=255)
    ship_company = forms.CharField(label=_("Company"), required=False, max_length=255)
    ship_line1 = forms.CharField(label=_("Address line 1"), max_length=255)
    ship_line2 = forms.CharField(label=_("Address line 2"), required=False, max_length=255)
    ship_city = forms.CharField(label=_("City"), max_length=255)
    ship_region = forms.CharField(label=_("Region or state"), required=False, max_length=255)
    ship_postcode = forms.CharField(label=_("Postcode"), max_length=32)
    ship_country = forms.ChoiceField(label=_("Country"), choices=[("", _("Choose a country")), *COUNTRIES])
    ship_phone = forms.CharField(label=_("Phone"), required=False, max_length=64)

    def __init__(self, *args, store, **kwargs):
        super().__init__(*args, **kwargs)
        self.store = store

    def clean_reference(self):
        reference = self.cleaned_data["reference"].strip()
        if reference and not reference.isprintable():
            raise forms.ValidationError(gettext("Use letters, digits and punctuation only."))
        if reference and taken_references(self.store, [reference]):
            raise forms.ValidationError(
                gettext("This store already has an order %(reference)s.") % {"reference": reference}
            )
        return reference

    def address(self):
        return Address(**{name: self.cleaned_data[f"ship_{name}"].strip() for name in ADDRESS_FIELDS})

    def customer_fields(self):
        return [self[name] for name in ("reference", "customer_name", "customer_email")]

    def address_fields(self):
        return [self[f"ship_{name}"] for name in ADDRESS_FIELDS]


class ItemForm(forms.Form):
    """One item: a mapped product of the store, or a catalog product by UID with a print file."""

    variant = forms.ChoiceField(label=_("Your mapped product"), required=False)
    uid = forms.CharField(
        label=_("or catalog product UID"),
        required=False,
        max_length=255,
        widget=forms.TextInput(attrs={"list": "catalog-uids", "class": "input--mono", "autocomplete": "off"}),
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY, initial=1)
    design_url = forms.URLField(
        label=_("Print file URL"), required=False, max_length=2000, assume_scheme="https"
    )
    design_upload = forms.FileField(label=_("or upload the print file"), required=False)

    def __init__(self, *args, variants, **kwargs):
        super().__init__(*args, **kwargs)
        self.variants = variants
        self.fields["variant"].choices = [("", _("— none —"))] + [
            (variant.code.hex, variant_label(variant)) for variant in variants.values()
        ]
        if not variants:  # a store with no mapped products orders from the catalog alone
            del self.fields["variant"]
            self.fields["uid"].label = _("Catalog product UID")

    def has_changed(self):
        # A blank row's quantity keeps its initial 1: only the product or a file makes it an item.
        return any(name in self.changed_data for name in ("variant", "uid", "design_url", "design_upload"))

    def clean(self):
        cleaned = super().clean()
        variant_key, uid = cleaned.get("variant"), (cleaned.get("uid") or "").strip()
        url, upload = cleaned.get("design_url") or "", cleaned.get("design_upload")
        store_variant = catalog_variant = None
        if variant_key and uid:
            raise forms.ValidationError(gettext("Choose a mapped product or give a catalog UID, not both."))
        if variant_key:
            store_variant = self.variants[variant_key]
            formats = store_variant.mapping.catalog_variant.product.file_formats
        elif uid:
            catalog_variant = orderable_catalog_variants().filter(uid=uid).first()
            if catalog_variant is None:
                self.add_error(
                    "uid", gettext("No product of the catalog has the UID %(uid)s.") % {"uid": uid}
                )
                return cleaned
            formats = catalog_variant.product.file_formats
        else:
            raise forms.ValidationError(gettext("Choose a mapped product or give a catalog product UID."))
        if url and upload:
            self.add_error("design_url", gettext("Give a URL or upload a file, not both."))
        elif url and (problem := url_problem(url)):
            self.add_error("design_url", problem)
        elif upload and (problem := design_upload_problem(upload, formats)):
            self.add_error("design_upload", problem)
        elif catalog_variant and not (url or upload):
            self.add_error(
                "design_upload", gettext("A catalog product needs its print file: upload it or give its URL.")
            )
        cleaned["item"] = ManualItem(
            quantity=cleaned.get("quantity") or 0,
            store_variant=store_variant,
            catalog_variant=catalog_variant,
            design_url=url,
            design_upload=upload,
        )
        return cleaned


class BaseItemFormSet(forms.BaseFormSet):
    default_error_messages = {
        **forms.BaseFormSet.default_error_messages,
        "too_many_forms": _("An order has at most %(num)d items."),
    }

    def __init__(self, *args, variants, **kwargs):
        self.variants = variants
        super().__init__(*args, **kwargs)

    def initial_form_count(self):
        # Every row is a new item, even one shown again with what was typed: none is an existing
        # object to edit, so none must be filled in.
        return super().initial_form_count() if self.is_bound else 0

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["DELETE"].label = _("Remove this item")

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "variants": self.variants}

    def clean(self):
        super().clean()
        if not any(self.errors) and not self.items():
            raise forms.ValidationError(
                gettext("Add at least one item: one of your mapped products, or a catalog product UID.")
            )

    def items(self):
        return tuple(
            form.cleaned_data["item"]
            for form in self.forms
            if form.has_changed() and not self._should_delete_form(form) and "item" in form.cleaned_data
        )


ItemFormSet = forms.formset_factory(
    ItemForm,
    formset=BaseItemFormSet,
    extra=1,
    max_num=MAX_ITEMS,
    validate_max=True,
    absolute_max=MAX_ITEMS,
    can_delete=True,
)


def item_formset(store, data=None, files=None, typed=()):
    """The item rows: bound to a POST, or new rows showing what was `typed` (see typed_rows) and
    one blank row after them."""
    variants = {variant.code.hex: variant for variant in mapped_variants(store)}
    formset = ItemFormSet(data, files, prefix="items", variants=variants, initial=list(typed) or None)
    if typed:
        formset.extra = min(len(typed) + 1, MAX_ITEMS)
    return formset


def typed_rows(formset):
    """What was typed in a posted formset's rows (files cannot be shown again), the removed rows
    left out: "Add item" without JavaScript shows them again, unchecked, with one more row."""
    rows = []
    for form in formset.forms:
        values = {
            name: form[name].value()
            for name in ("variant", "uid", "quantity", "design_url")
            if name in form.fields
        }
        if not form["DELETE"].value():
            rows.append(values)
    return rows


def manual_order(form, formset):
    """The valid forms' order, for orders.manual."""
    data = form.cleaned_data
    return ManualOrder(
        reference=data["reference"],
        shipping=form.address(),
        items=formset.items(),
        customer_name=data["customer_name"].strip(),
        customer_email=data["customer_email"],
    )
