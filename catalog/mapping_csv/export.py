"""The mapping CSV export: the columns, the import-export Resource, cell escaping, streaming."""

import csv

from import_export import resources
from import_export.fields import Field

from ..models import ProductMapping, StoreVariant

COLUMNS = [
    "store_product_id",
    "store_variant_id",
    "sku",
    "product_title",
    "variant_title",
    "options",
    "product_uid",
    "design_file_url",
]
# A cell starting with one of these is a formula to a spreadsheet (OWASP's CSV injection list).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value):
    """A cell as text, with a leading apostrophe if a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def unescape_cell(text):
    """The value escape_cell() escaped, so an exported file imports back as it was."""
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def _mapping(variant):
    try:
        return variant.mapping
    except ProductMapping.DoesNotExist:
        return None


class StoreVariantResource(resources.ModelResource):
    """One CSV row per store variant: the shop's ids and names, and its mapping where it has one."""

    store_product_id = Field(attribute="product__external_id", column_name="store_product_id")
    store_variant_id = Field(attribute="external_id", column_name="store_variant_id")
    sku = Field(attribute="sku", column_name="sku")
    product_title = Field(attribute="product__title", column_name="product_title")
    variant_title = Field(attribute="title", column_name="variant_title")
    options = Field(column_name="options")
    product_uid = Field(column_name="product_uid")
    design_file_url = Field(column_name="design_file_url")

    class Meta:
        model = StoreVariant
        fields = COLUMNS
        export_order = COLUMNS

    def dehydrate_options(self, variant):
        return "; ".join(f"{name}: {value}" for name, value in (variant.options or {}).items())

    def dehydrate_product_uid(self, variant):
        mapping = _mapping(variant)
        return mapping.catalog_variant.uid if mapping else ""

    def dehydrate_design_file_url(self, variant):
        mapping = _mapping(variant)
        return mapping.design_file_url if mapping else ""


class _Echo:
    """A file whose write() hands back what it is given, so csv.writer makes lines to stream."""

    def write(self, value):
        return value


def export_queryset(store):
    return (
        StoreVariant.objects.filter(store=store)
        .select_related("product", "mapping__catalog_variant")
        .order_by("product__title", "product_id", "position", "id")
    )


def export_csv(store, batch=500):
    """The store's variants as CSV text, in pieces of `batch` lines: the header, then one line
    per variant. Reads the database in chunks, so a large shop never sits in memory whole."""
    resource = StoreVariantResource()
    writer = csv.writer(_Echo())
    yield writer.writerow(resource.get_export_headers())
    lines = []
    for variant in export_queryset(store).iterator(chunk_size=2000):
        lines.append(writer.writerow([escape_cell(value) for value in resource.export_resource(variant)]))
        if len(lines) >= batch:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


def export_file_name(store):
    return f"products-{store.code}.csv"
