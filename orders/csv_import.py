"""Importing a manual store's orders from CSV: one row per item, grouped into orders by
order_reference. All or nothing: `read_rows` reads the file, `validate` checks every row against
the store and the catalog with a few bulk queries and groups the orders (the preview), and
orders.manual.import_orders creates them all in one transaction.

A file is checked in the request (a few queries, whatever its size up to MAX_ROWS) and imported
by the worker (orders.import_runs): creating orders one by one is the slow part (docs/decisions.md).
"""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from catalog.mapping_csv.export import escape_cell, unescape_cell
from catalog.mapping_csv.reading import FileRefused, check_header, decode
from catalog.mapping_csv.validation import url_problem
from catalog.models import CatalogVariant, StoreVariant
from core.countries import CODES
from integrations.types import Address

from .manual import MAX_ITEMS, MAX_QUANTITY, REFERENCE_MAX_LENGTH, ManualItem, ManualOrder, taken_references

ORDER_COLUMNS = [
    "order_reference",
    "customer_name",
    "customer_email",
    "ship_name",
    "ship_company",
    "ship_line1",
    "ship_line2",
    "ship_city",
    "ship_region",
    "ship_postcode",
    "ship_country",
    "phone",
]
ITEM_COLUMNS = ["sku_or_uid", "quantity", "design_file_url"]
COLUMNS = ORDER_COLUMNS + ITEM_COLUMNS
REQUIRED = [
    "order_reference",
    "ship_name",
    "ship_line1",
    "ship_city",
    "ship_postcode",
    "ship_country",
    "sku_or_uid",
    "quantity",
]
# The address columns and the Address fields they fill.
ADDRESS_COLUMNS = {
    "ship_name": "name",
    "ship_company": "company",
    "ship_line1": "line1",
    "ship_line2": "line2",
    "ship_city": "city",
    "ship_region": "region",
    "ship_postcode": "postcode",
    "ship_country": "country",
    "phone": "phone",
}
EXAMPLE_ROW = {
    "order_reference": "1001",
    "customer_name": "Ana García",
    "customer_email": "ana@example.com",
    "ship_name": "Ana García",
    "ship_line1": "Calle Mayor 1",
    "ship_city": "Madrid",
    "ship_region": "Madrid",
    "ship_postcode": "28013",
    "ship_country": "ES",
    "phone": "+34 600 000 000",
    "quantity": "1",
    "design_file_url": "https://example.com/poster.pdf",
}
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
MAX_ERRORS = 500
PREVIEW_ORDERS = 50


def template_csv(example_uid=""):
    """The template to fill in: the header and one example row, escaped as every export is."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    example = {**EXAMPLE_ROW, "sku_or_uid": example_uid}
    writer.writerow([escape_cell(example.get(column, "")) for column in COLUMNS])
    return "\ufeff" + buffer.getvalue()


@dataclass
class Row:
    number: int  # as a spreadsheet numbers it: the header is row 1
    cells: dict
    width_error: str = ""

    def __getitem__(self, column):
        return self.cells.get(column, "")


def check_size(size):
    if size > MAX_BYTES:
        raise FileRefused(
            _("The file is larger than %(size)s MB. Split it into smaller files.")
            % {"size": MAX_BYTES / 2**20}
        )


def read_rows(data):
    """The data rows of an orders CSV, or FileRefused naming what is wrong with the file."""
    check_size(len(data))
    reader = csv.reader(io.StringIO(decode(data), newline=""))
    try:
        header = [name.strip().lower() for name in next(reader)]
        check_header(header, REQUIRED, COLUMNS)
        rows = []
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue  # a blank line: skipped, but the rows after it keep their numbers
            row = Row(number, {})
            if len(cells) > len(header):
                row.width_error = _("This row has %(count)s cells; the header names %(width)s columns.") % {
                    "count": len(cells),
                    "width": len(header),
                }
            for name, cell in zip(header, cells, strict=False):
                row.cells[name] = unescape_cell(cell.strip())
            rows.append(row)
            if len(rows) > MAX_ROWS:
                raise FileRefused(
                    _("The file has more than %(count)s rows. Split it into smaller files.")
                    % {"count": MAX_ROWS}
                )
    except StopIteration:
        raise FileRefused(_("The file is empty.")) from None
    except csv.Error as error:
        raise FileRefused(
            _("Row %(row)s cannot be read as CSV (%(error)s).") % {"row": reader.line_num, "error": error}
        ) from None
    if not rows:
        raise FileRefused(_("The file has a header but no rows."))
    return rows


@dataclass
class PlannedOrder:
    reference: str
    first_row: int
    order_cells: tuple  # the order's columns as its first row gives them
    items: list = field(default_factory=list)  # of (row number, ManualItem)

    def cell(self, column):
        return self.order_cells[ORDER_COLUMNS.index(column)]


@dataclass
class Plan:
    rows_total: int
    errors: list = field(default_factory=list)
    error_count: int = 0
    orders: list = field(default_factory=list)  # of PlannedOrder, in the file's order

    def error(self, row, column, message):
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"row": row, "column": column, "message": str(message)})

    def manual_orders(self):
        return [_manual_order(planned) for planned in self.orders]

    def totals(self):
        items = [item for planned in self.orders for _row, item in planned.items]
        return {
            "orders": len(self.orders),
            "items": len(items),
            "pieces": sum(item.quantity for item in items),
        }


def _manual_order(planned):
    return ManualOrder(
        reference=planned.reference,
        shipping=Address(**{name: planned.cell(column) for column, name in ADDRESS_COLUMNS.items()}),
        items=tuple(item for _row, item in planned.items),
        customer_name=planned.cell("customer_name"),
        customer_email=planned.cell("customer_email"),
    )


def _store_variants(store, rows):
    """SKU -> the store's variants with that SKU (mapped or not), for the SKUs the file names."""
    skus = {row["sku_or_uid"] for row in rows if row["sku_or_uid"]}
    found = {}
    for variant in (
        StoreVariant.objects.filter(store=store, sku__in=skus)
        .select_related("product", "mapping__catalog_variant__product")
        .order_by("id")
    ):
        found.setdefault(variant.sku, []).append(variant)
    return found


def _catalog_variants(rows):
    uids = {row["sku_or_uid"] for row in rows if row["sku_or_uid"]}
    return {
        variant.uid: variant
        for variant in CatalogVariant.objects.filter(uid__in=uids).select_related("product")
    }


def _order_problems(plan, row):
    """Check the order's columns of a row (the first row of its order)."""
    reference = row["order_reference"]
    if len(reference) > REFERENCE_MAX_LENGTH:
        plan.error(
            row.number,
            "order_reference",
            _("The reference is longer than %(count)s characters.") % {"count": REFERENCE_MAX_LENGTH},
        )
    elif not reference.isprintable():
        plan.error(row.number, "order_reference", _("Use letters, digits and punctuation only."))
    for column in ("ship_name", "ship_line1", "ship_city", "ship_postcode", "ship_country"):
        if not row[column]:
            plan.error(row.number, column, _("Empty: every order needs its shipping address."))
    country = row["ship_country"]
    if country and country.upper() not in CODES:
        plan.error(
            row.number,
            "ship_country",
            _("“%(country)s” is not a country code: use the two letters of ISO 3166, such as ES or GB.")
            % {"country": country},
        )
    if row["customer_email"]:
        try:
            validate_email(row["customer_email"])
        except ValidationError:
            plan.error(row.number, "customer_email", _("This is not an email address."))


def _order_cells(row):
    cells = [row[column] for column in ORDER_COLUMNS]
    cells[ORDER_COLUMNS.index("ship_country")] = row["ship_country"].upper()
    return tuple(cells)


def _item(plan, row, variants, catalog):
    """The row's item, or None after noting what is wrong with it."""
    before = plan.error_count
    raw = row["quantity"]
    # ASCII digits only ("²" is a digit to isdigit, not to int), and short enough to read.
    quantity = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 6 else None
    if quantity is None or not 1 <= quantity <= MAX_QUANTITY:
        plan.error(
            row.number,
            "quantity",
            _("“%(value)s” is not a quantity: give a whole number from 1 to %(max)s.")
            % {"value": row["quantity"], "max": MAX_QUANTITY},
        )
    url = row["design_file_url"]
    if url and (problem := url_problem(url)):
        plan.error(row.number, "design_file_url", problem)
    key = row["sku_or_uid"]
    store_variant = catalog_variant = None
    named = variants.get(key, [])
    if not key:
        plan.error(
            row.number, "sku_or_uid", _("Empty: name the product by its SKU in this store or its UID.")
        )
    elif len(named) > 1:
        plan.error(
            row.number,
            "sku_or_uid",
            _("The SKU %(sku)s names %(count)s variants of this store: use the catalog product UID instead.")
            % {"sku": key, "count": len(named)},
        )
    elif named:
        store_variant = named[0]
        if not hasattr(store_variant, "mapping"):
            plan.error(
                row.number,
                "sku_or_uid",
                _(
                    "The SKU %(sku)s is not mapped to a catalog product yet: map it first, or use a product UID."
                )
                % {"sku": key},
            )
    elif key in catalog:
        catalog_variant = catalog[key]
        if not (catalog_variant.active and catalog_variant.product.active):
            plan.error(
                row.number,
                "sku_or_uid",
                _("The product UID %(uid)s is no longer offered in the catalog.") % {"uid": key},
            )
        elif not url:
            plan.error(
                row.number,
                "design_file_url",
                _("Empty: an item named by its product UID needs the print file's http or https address."),
            )
    else:
        plan.error(
            row.number,
            "sku_or_uid",
            _("Unknown: %(key)s is neither a SKU of this store nor a product UID of the catalog.")
            % {"key": key},
        )
    if plan.error_count > before:
        return None
    return ManualItem(
        quantity=quantity, store_variant=store_variant, catalog_variant=catalog_variant, design_url=url
    )


def _disagreement(planned, row):
    cells = _order_cells(row)
    differing = [
        column
        for column, mine, first in zip(ORDER_COLUMNS, cells, planned.order_cells, strict=True)
        if mine != first
    ]
    if differing:
        return _(
            "This row belongs to order %(reference)s, but its %(columns)s differ from row %(row)s: "
            "every row of an order must give the same customer and address."
        ) % {"reference": planned.reference, "columns": ", ".join(differing), "row": planned.first_row}
    return None


def validate(store, rows):
    """Check every row and group the items into orders. Never writes."""
    plan = Plan(rows_total=len(rows))
    variants, catalog = _store_variants(store, rows), _catalog_variants(rows)
    taken = taken_references(store, {row["order_reference"] for row in rows if row["order_reference"]})
    by_reference = {}
    for row in rows:
        if row.width_error:
            plan.error(row.number, "", row.width_error)
        reference = row["order_reference"]
        item = _item(plan, row, variants, catalog)
        if not reference:
            plan.error(row.number, "order_reference", _("Empty: every row needs the reference of its order."))
            continue
        planned = by_reference.get(reference)
        if planned is None:
            planned = by_reference[reference] = PlannedOrder(reference, row.number, _order_cells(row))
            plan.orders.append(planned)
            _order_problems(plan, row)
            if reference in taken:
                plan.error(
                    row.number,
                    "order_reference",
                    _("This store already has an order %(reference)s: it was placed or imported before.")
                    % {"reference": reference},
                )
        elif problem := _disagreement(planned, row):
            plan.error(row.number, "", problem)
        if item is not None:
            planned.items.append((row.number, item))
            if len(planned.items) == MAX_ITEMS + 1:
                plan.error(
                    row.number,
                    "order_reference",
                    _("Order %(reference)s has more than %(max)s items.")
                    % {"reference": reference, "max": MAX_ITEMS},
                )
    plan.errors.sort(key=lambda error: error["row"])
    return plan


def preview(plan):
    """The first orders with their items as people know them, for the page before importing."""
    return [
        {
            "reference": planned.reference,
            "ship_to": ", ".join(
                part
                for part in (
                    planned.cell("ship_name"),
                    planned.cell("ship_city"),
                    planned.cell("ship_country"),
                )
                if part
            ),
            "items": [
                {
                    "row": row,
                    "name": _item_name(item),
                    "quantity": item.quantity,
                    "file": item.design_url,
                }
                for row, item in planned.items
            ],
        }
        for planned in plan.orders[:PREVIEW_ORDERS]
    ]


def _item_name(item):
    if item.store_variant:
        variant = item.store_variant
        return " · ".join(part for part in (variant.product.title, variant.title or variant.sku) if part)
    return f"{item.catalog_variant.product.name} · {item.catalog_variant.label}"
