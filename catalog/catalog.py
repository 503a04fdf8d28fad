"""The printer's catalog: products, their attributes and the variants (product UIDs) made from them.

A catalog product's `attributes` is a list of
    {"code": "pf", "name": "Size", "values": [{"code": "a4", "name": "A4",
                                              "width_mm": "210", "height_mm": "297"}, ...]}
(`width_mm`/`height_mm` are optional: a value that has them gives its variants that print
area). Each combination of one value per attribute is a CatalogVariant whose UID is the
product's prefix followed by `code_value` pairs in attribute order, with the orientation
attribute (code `or`) last and bare, in the attribute-code style of the guide:
    flat_product_pf_a4_pt_200-gsm-uncoated_cl_4-0_ct_none_prt_none_sft_none_set_none_hor

Saving a product regenerates its variants: a combination that still exists keeps its row
(mappings point at it), a new one gets a row, a removed one is deleted when nothing refers to
it and made inactive otherwise.

Searching: `search_products` (the Catalog page, and Connect product's catalog search through
catalog.mapping) and `search_variants` (a catalog product's variants page). `seed_catalog()`
loads the demo catalog (the `seed_catalog` command).
"""

import itertools
import re
from decimal import Decimal

from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils.translation import gettext as _

from core import audit

from .models import CatalogProduct, CatalogVariant, ProductMapping, Publication, TemplateProduct

ORIENTATION_CODE = "or"
FILE_FORMATS = ("pdf", "png", "jpg", "tiff", "svg")
MAX_VARIANTS = 1000  # per product: more than any real price list, few enough to list on a page
UID_MAX_LENGTH = CatalogVariant._meta.get_field("uid").max_length

# An attribute or value code: lower-case letters, digits and hyphens; no underscores, which
# separate the parts of a UID.
CODE_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PREFIX_RE = re.compile(r"^[a-z0-9]+(?:[_-][a-z0-9]+)*$")


class CatalogError(ValueError):
    """Bad input for the catalog, in words a person can act on (one message or several)."""

    def __init__(self, messages):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("; ".join(self.messages))


# ---------------------------------------------------------------------------------------------
# Attributes as text: one line per attribute, as a printer writes a price list
#     pf Size: a4=A4 (210x297), a3=A3 (297x420)
#     pt Paper: 200-gsm-uncoated=200 gsm uncoated, 250-gsm-silk=250 gsm silk
#     or Orientation: hor=Landscape, ver=Portrait

LINE_RE = re.compile(r"^(?P<code>\S+)\s+(?P<name>[^:]+?)\s*:\s*(?P<values>.*)$")
SIZE_RE = re.compile(
    r"^(?P<name>.*?)\s*\(\s*(?P<w>\d+(?:[.,]\d+)?)\s*[x×]\s*(?P<h>\d+(?:[.,]\d+)?)\s*(?:mm)?\s*\)$",
    re.IGNORECASE,
)


def _mm(text):
    return format(Decimal(text.replace(",", ".")).normalize(), "f")


def parse_attributes(text):
    """The attributes list from the text form; CatalogError listing every bad line."""
    attributes, errors = [], []
    seen_codes = set()
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = LINE_RE.match(line)
        if not match:
            errors.append(
                _('Line %(n)s: write "code Name: value=Label, value=Label", for example "%(example)s".')
                % {"n": number, "example": "pf Size: a4=A4 (210x297), a3=A3 (297x420)"}
            )
            continue
        code, name = match["code"], match["name"].strip()
        if not CODE_RE.match(code):
            errors.append(
                _(
                    "Line %(n)s: the attribute code %(code)s may only have lower-case letters, digits and hyphens."
                )
                % {"n": number, "code": code}
            )
            continue
        if code in seen_codes:
            errors.append(
                _("Line %(n)s: the attribute code %(code)s is used twice.") % {"n": number, "code": code}
            )
            continue
        seen_codes.add(code)
        values, value_codes = [], set()
        for item in match["values"].split(","):
            item = item.strip()
            if not item:
                continue
            value_code, _sep, value_name = (part.strip() for part in item.partition("="))
            value = {"code": value_code}
            size = SIZE_RE.match(value_name or "")
            if size:
                value_name = size["name"]
                value["width_mm"], value["height_mm"] = _mm(size["w"]), _mm(size["h"])
                if Decimal(value["width_mm"]) <= 0 or Decimal(value["height_mm"]) <= 0:
                    errors.append(
                        _("Line %(n)s: the size of %(value)s must be more than 0 mm.")
                        % {"n": number, "value": value_code}
                    )
            elif re.search(r"\([^)]*\d[^)]*\)$", value_name or ""):
                errors.append(
                    _(
                        'Line %(n)s: write a size in millimetres as "(width x height)", for example "(210x297)".'
                    )
                    % {"n": number}
                )
            value["name"] = value_name or value_code
            if not CODE_RE.match(value_code):
                errors.append(
                    _(
                        "Line %(n)s: the value code %(code)s may only have lower-case letters, digits and hyphens."
                    )
                    % {"n": number, "code": value_code or "''"}
                )
            elif value_code in value_codes:
                errors.append(
                    _("Line %(n)s: the value code %(code)s is used twice.")
                    % {"n": number, "code": value_code}
                )
            value_codes.add(value_code)
            values.append(value)
        if not values:
            errors.append(_("Line %(n)s: %(name)s has no values.") % {"n": number, "name": name})
        attributes.append({"code": code, "name": name, "values": values})
    if errors:
        raise CatalogError(errors)
    return attributes


def format_attributes(attributes):
    """The text form of an attributes list (what parse_attributes reads back)."""
    lines = []
    for attribute in attributes or []:
        items = []
        for value in attribute["values"]:
            item = value["code"]
            if (value.get("name") and value["name"] != value["code"]) or value.get("width_mm"):
                item += f"={value.get('name') or value['code']}"
            if value.get("width_mm") and value.get("height_mm"):
                item += f" ({value['width_mm']}x{value['height_mm']})"
            items.append(item)
        lines.append(f"{attribute['code']} {attribute['name']}: {', '.join(items)}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Variants from attributes


def combinations(attributes):
    """Every combination of one value per attribute, as (values dict, [value dicts]) pairs."""
    if not attributes:
        return [({}, [])]
    result = []
    for chosen in itertools.product(*(attribute["values"] for attribute in attributes)):
        values = {
            attribute["code"]: value["code"] for attribute, value in zip(attributes, chosen, strict=True)
        }
        result.append((values, list(chosen)))
    return result


def variant_uid(prefix, attributes, values):
    """The UID of one combination: prefix, `code_value` pairs, then the orientation bare."""
    parts = [prefix]
    orientation = None
    for attribute in attributes:
        code = attribute["code"]
        if code == ORIENTATION_CODE:
            orientation = values[code]
        else:
            parts.append(f"{code}_{values[code]}")
    if orientation:
        parts.append(orientation)
    return "_".join(parts)


def _variant_fields(attributes, chosen):
    """Label and print area of a combination: the area comes from the first value that has one,
    turned to match an orientation value (hor = landscape, ver = portrait)."""
    label = " · ".join(value["name"] for value in chosen)
    width = height = None
    orientation = None
    for attribute, value in zip(attributes, chosen, strict=True):
        if attribute["code"] == ORIENTATION_CODE:
            orientation = value["code"]
        if width is None and value.get("width_mm") and value.get("height_mm"):
            width, height = Decimal(str(value["width_mm"])), Decimal(str(value["height_mm"]))
    if width is not None and (
        (orientation == "hor" and height > width) or (orientation == "ver" and width > height)
    ):
        width, height = height, width
    return {"label": label[:255], "print_width_mm": width, "print_height_mm": height}


def planned_variants(prefix, attributes):
    """{uid: fields} for every combination, in order; CatalogError when they cannot be made."""
    combos = combinations(attributes)
    if len(combos) > MAX_VARIANTS:
        raise CatalogError(
            _("These attributes make %(count)s variants; at most %(max)s are allowed per product.")
            % {"count": len(combos), "max": MAX_VARIANTS}
        )
    planned = {}
    for values, chosen in combos:
        uid = variant_uid(prefix, attributes, values)
        if len(uid) > UID_MAX_LENGTH:
            raise CatalogError(
                _("The UID %(uid)s is longer than %(max)s characters: use shorter codes.")
                % {"uid": uid, "max": UID_MAX_LENGTH}
            )
        planned[uid] = {"values": values, **_variant_fields(attributes, chosen)}
    return planned


def uid_clashes(planned_uids, product=None):
    """UIDs among `planned_uids` that another catalog product's variants already have."""
    taken = CatalogVariant.objects.filter(uid__in=list(planned_uids))
    if product is not None and product.pk:
        taken = taken.exclude(product=product)
    return list(taken.select_related("product"))


def _in_use(variant):
    return (
        ProductMapping.objects.filter(catalog_variant=variant).exists()
        or Publication.catalog_variants.through.objects.filter(catalogvariant=variant).exists()
        # A template keeps its choice: the variant is retired, and Add product leaves it out.
        or TemplateProduct.catalog_variants.through.objects.filter(catalogvariant=variant).exists()
    )


def regenerate_variants(product, previous=None):
    """Bring the product's variants in line with its attributes and prefix.

    Kept combinations keep their row and their active switch (label and print area follow the
    attributes); a combination that comes back after being removed is active again; removed
    ones are deleted when nothing refers to them, otherwise made inactive. Returns counts.
    """
    planned = planned_variants(product.uid_prefix, product.attributes)
    clashes = uid_clashes(planned, product)
    if clashes:
        raise CatalogError(
            _("The UID %(uid)s already belongs to %(product)s.")
            % {"uid": clashes[0].uid, "product": clashes[0].product.name}
        )
    # `previous` is (prefix, attributes) before an edit: what was generated then.
    previous_uids = set(planned_variants(*previous)) if previous else None
    existing = {variant.uid: variant for variant in product.variants.all()}
    counts = {"created": 0, "kept": 0, "retired": 0, "deleted": 0}
    for uid, fields in planned.items():
        variant = existing.get(uid)
        if variant is None:
            CatalogVariant.objects.create(product=product, uid=uid, **fields)
            counts["created"] += 1
            continue
        returning = previous_uids is not None and uid not in previous_uids
        for name, value in fields.items():
            setattr(variant, name, value)
        if returning:
            variant.active = True
        variant.save()
        counts["kept"] += 1
    for uid, variant in existing.items():
        if uid in planned:
            continue
        if not _in_use(variant):
            try:
                with transaction.atomic():
                    variant.delete()
                counts["deleted"] += 1
                continue
            except ProtectedError:
                pass  # something else (an order, say) refers to it: keep it, inactive
        if variant.active:
            variant.active = False
            variant.save(update_fields=["active"])
        counts["retired"] += 1
    return counts


# ---------------------------------------------------------------------------------------------
# Creating and changing products

PRODUCT_FIELDS = (
    "name",
    "product_type",
    "description",
    "uid_prefix",
    "attributes",
    "print_width_mm",
    "print_height_mm",
    "min_dpi",
    "bleed_mm",
    "file_formats",
    "active",
)


def _save(product, fields, previous=None):
    for name, value in fields.items():
        if name not in PRODUCT_FIELDS:
            raise TypeError(f"CatalogProduct has no editable field {name!r}")
        setattr(product, name, value)
    product.full_clean(exclude=["attributes", "file_formats"])
    product.save()
    return regenerate_variants(product, previous)


@transaction.atomic
def create_product(actor, **fields):
    """A new catalog product and its variants. CatalogError (nothing saved) on clashing UIDs."""
    product = CatalogProduct()
    counts = _save(product, fields)
    audit.record(actor, "catalog.product_created", client=None, target=product.name, data=counts)
    return product


@transaction.atomic
def create_product_unaudited(**fields):
    """create_product for loading data (the demo catalog), which no person changed."""
    product = CatalogProduct()
    _save(product, fields)
    return product


@transaction.atomic
def update_product(actor, product, **fields):
    """Change a catalog product and regenerate its variants (see regenerate_variants)."""
    product = CatalogProduct.objects.select_for_update().get(pk=product.pk)
    counts = _save(product, fields, (product.uid_prefix, product.attributes))
    audit.record(
        actor,
        "catalog.product_updated",
        client=None,
        target=product.name,
        data={"fields": sorted(fields), **counts},
    )
    return product


@transaction.atomic
def set_product_active(actor, product, active):
    product.active = active
    product.save(update_fields=["active", "updated_at"])
    audit.record(actor, "catalog.product_updated", client=None, target=product.name, data={"active": active})
    return product


@transaction.atomic
def set_variant_active(actor, variant, active):
    variant.active = active
    variant.save(update_fields=["active"])
    audit.record(
        actor,
        "catalog.product_updated",
        client=None,
        target=variant.product.name,
        data={"variant": variant.uid, "active": active},
    )
    return variant


# ---------------------------------------------------------------------------------------------
# Reading


def search_products(query="", product_type="", active=None):
    """Catalog products matching every word of `query` in their name or one of their UIDs."""
    products = CatalogProduct.objects.all()
    for word in (query or "").split():
        # A subquery rather than a join, so counts annotated on the result stay right.
        with_uid = CatalogVariant.objects.filter(uid__icontains=word).values("product_id")
        if active:
            with_uid = with_uid.filter(active=True)
        products = products.filter(
            Q(name__icontains=word) | Q(uid_prefix__icontains=word) | Q(pk__in=with_uid)
        )
    if product_type:
        products = products.filter(product_type=product_type)
    if active is not None:
        products = products.filter(active=active)
    return products.order_by("product_type", "name", "id")


def search_variants(query="", product=None):
    """Active variants of active catalog products matching every word of `query` in the
    product's name, the variant's label or its UID; optionally of one product only.
    A queryset (slice it), products and variants in catalog order."""
    variants = CatalogVariant.objects.filter(active=True, product__active=True).select_related("product")
    if product is not None:
        variants = variants.filter(product=product)
    for word in (query or "").split():
        variants = variants.filter(
            Q(uid__icontains=word) | Q(product__name__icontains=word) | Q(label__icontains=word)
        )
    return variants.order_by("product__product_type", "product__name", "product_id", "id")


def seed_catalog():
    """Load the demo catalog and design templates; safe to run again (see catalog.seed)."""
    from .seed import seed_catalog as _seed

    return _seed()
