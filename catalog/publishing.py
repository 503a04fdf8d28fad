"""Add product and Publish to store: a Publication is made from a catalog product (title,
description, price, the variants chosen), gets its design (an upload or one of the printer's
templates, placed on the print area), and is then created in the shop by the worker, which
stores the shop's product, its variants and a mapping per variant by itself.

Placement is kept as fractions of the print area: {"x", "y", "width", "height"}, x/y the design's
top-left corner. The effective resolution of a placed design is its pixels over the inches it
covers; below the catalog product's minimum DPI the designer and the publication page warn.
"""

import io
import logging
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from core import audit
from core.tasks import enqueue_on_commit
from core.tenancy import scoped
from integrations.base import AdapterError
from integrations.registry import adapter_for
from integrations.types import NewProduct, NewVariant
from storefronts.models import Store

from .models import (
    CatalogProduct,
    DesignTemplate,
    FileCheck,
    ProductMapping,
    Publication,
    SourceState,
    StoreProduct,
    StoreVariant,
)

logger = logging.getLogger(__name__)

PUBLISHABLE_PLATFORMS = (Store.Platform.SHOPIFY, Store.Platform.WOOCOMMERCE, Store.Platform.ETSY)
MAX_VARIANTS = 100  # one WooCommerce batch; well inside Shopify's and Etsy's limits
DESIGN_FORMATS = {"PNG": "png", "JPEG": "jpg"}
# The largest design accepted (an A2 poster at 300 DPI is 34 MP): a small file of more pixels
# than this is a decompression bomb, which would take gigabytes to render.
DESIGN_MAX_PIXELS = 60_000_000
# The largest a design may be placed, as a multiple of the print area's sides.
MAX_SCALE = 4
MM_PER_INCH = Decimal("25.4")
# The print file is made at the catalog product's minimum DPI, but never larger than this many
# pixels (a 70 x 100 cm poster at 300 DPI would be 97 megapixels).
PRINT_FILE_MAX_PIXELS = 40_000_000
PREVIEW_SIZE = 600
# A publication still "publishing" this long after its last change lost its worker (a crash or
# a restart): it may be published again, which finishes the product already created.
STUCK_AFTER = timedelta(minutes=15)
TRANSIENT_ATTEMPTS = 5


class PublishProblem(Exception):
    """Why a publication cannot be published (yet), in words for the person."""


# --- Choices -------------------------------------------------------------------------------------


def publishable_stores(request):
    """The connected shops this person may add products to."""
    return (
        scoped(request, Store)
        .filter(platform__in=PUBLISHABLE_PLATFORMS, state=Store.State.CONNECTED)
        .order_by("name", "id")
    )


def catalog_products():
    return CatalogProduct.objects.filter(active=True).order_by("product_type", "name")


def active_variants(catalog_product):
    return catalog_product.variants.filter(active=True).order_by("id")


def design_templates(catalog_product):
    return DesignTemplate.objects.filter(active=True, product_type=catalog_product.product_type).order_by(
        "name"
    )


# --- Making a publication ------------------------------------------------------------------------


def create_publication(actor, store, catalog_product, *, title, description, price, variants):
    publication = Publication.objects.create(
        store=store,
        catalog_product=catalog_product,
        title=title,
        description=description,
        price=price,
        created_by=actor,
    )
    publication.catalog_variants.set(variants)
    return publication


def read_design(upload):
    """Check an uploaded design: PNG or JPEG, within DESIGN_FILE_MAX_BYTES, readable by Pillow.
    Returns its pixel size; raises PublishProblem saying what is wrong."""
    if upload.size > settings.DESIGN_FILE_MAX_BYTES:
        raise PublishProblem(
            _("The design file is %(size)s MB; the most Printfront takes is %(max)s MB.")
            % {
                "size": round(upload.size / 1024 / 1024, 1),
                "max": settings.DESIGN_FILE_MAX_BYTES // 1024 // 1024,
            }
        )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            size = image.size
            if size[0] * size[1] > DESIGN_MAX_PIXELS:  # decoded, it would not fit in memory
                raise Image.DecompressionBombError
            image.verify()
    except Image.DecompressionBombError:
        raise PublishProblem(_("The design has too many pixels to be read safely.")) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise PublishProblem(_("The design file is not a PNG or JPEG image Printfront can read.")) from None
    finally:
        upload.seek(0)
    if image_format not in DESIGN_FORMATS:
        raise PublishProblem(
            _("The design is a %(format)s image; upload a PNG or JPEG.") % {"format": image_format}
        )
    return size


def design_source(publication):
    """The design's image file: the upload, else the template's image (None without either)."""
    if publication.design_file:
        return publication.design_file
    if publication.template_id and publication.template.image:
        return publication.template.image
    return None


def design_pixels(publication):
    source = design_source(publication)
    if source is None:
        return None
    try:
        with source.open("rb") as file, Image.open(file) as image:
            return image.size
    except (OSError, UnidentifiedImageError, ValueError):
        return None


def print_area(publication):
    """The print area the placement is measured on (mm): the catalog product's."""
    product = publication.catalog_product
    return Decimal(product.print_width_mm), Decimal(product.print_height_mm)


def fitted_placement(pixels, area):
    """The default placement: the whole design as large as fits, centred."""
    (width_px, height_px), (width_mm, height_mm) = pixels, area
    scale = min(float(width_mm) / width_px, float(height_mm) / height_px)  # mm per pixel
    width = width_px * scale / float(width_mm)
    height = height_px * scale / float(height_mm)
    return {"x": (1 - width) / 2, "y": (1 - height) / 2, "width": width, "height": height}


def clean_placement(values, pixels, area):
    """A placement from the designer's fields, or the fitted one when they are missing or make
    no sense. Width and height keep the design's proportions (height follows width)."""
    try:
        x, y, width = (float(values[key]) for key in ("x", "y", "width"))
    except (KeyError, TypeError, ValueError):
        return fitted_placement(pixels, area)
    width_mm, height_mm = (float(side) for side in area)
    height = width * width_mm * pixels[1] / pixels[0] / height_mm
    # At most a few times the print area, and overlapping it: anything else is a forged form,
    # and would make print files too large to render.
    overlaps = x < 1 and y < 1 and x + width > 0 and y + height > 0
    if not (0 < width <= MAX_SCALE and 0 < height <= MAX_SCALE and overlaps):
        return fitted_placement(pixels, area)
    return {"x": round(x, 6), "y": round(y, 6), "width": round(width, 6), "height": round(height, 6)}


def save_design(actor, publication, *, upload=None, template=None, placement=None):
    """Give the publication its design (a new upload or a template; else the one it has) and
    its placement. Raises PublishProblem for an unusable design."""
    if publication.state not in (Publication.State.DRAFT, Publication.State.FAILED):
        raise PublishProblem(_("This product is published or being published; its design cannot change."))
    if upload is not None:
        pixels = read_design(upload)
        publication.design_file.save(
            f"design-{publication.code}.{upload.name.rsplit('.', 1)[-1][:5]}", upload, save=False
        )
        publication.template = None
    elif template is not None:
        publication.design_file = ""
        publication.template = template
        pixels = design_pixels(publication)
    else:
        pixels = design_pixels(publication)
    if pixels is None:
        raise PublishProblem(_("Upload a design or choose one of the templates."))
    publication.placement = clean_placement(placement or {}, pixels, print_area(publication))
    publication.save()
    return publication


def print_areas(publication):
    """The distinct print areas (mm) of the chosen variants; the product's without any."""
    areas = {tuple(Decimal(side) for side in v.print_area_mm) for v in publication.catalog_variants.all()}
    return sorted(areas) or [print_area(publication)]


def effective_dpi(publication, area=None):
    """The design's resolution as placed (the placement's fractions applied to `area`, else to
    each chosen variant's print area, taking the lowest), on the smaller of its two sides.
    None without a design."""
    pixels = design_pixels(publication)
    placement = publication.placement
    if pixels is None or not placement:
        return None
    lowest = None
    for width_mm, height_mm in [area] if area else print_areas(publication):
        across = Decimal(pixels[0]) / (Decimal(str(placement["width"])) * Decimal(width_mm) / MM_PER_INCH)
        down = Decimal(pixels[1]) / (Decimal(str(placement["height"])) * Decimal(height_mm) / MM_PER_INCH)
        dpi = int(min(across, down))
        lowest = dpi if lowest is None else min(lowest, dpi)
    return lowest


def dpi_warning(publication, area=None):
    dpi = effective_dpi(publication, area)
    minimum = publication.catalog_product.min_dpi
    if dpi is not None and dpi < minimum:
        return _(
            "At this size the design prints at %(dpi)s DPI; %(product)s needs at least %(min)s DPI. "
            "Make it smaller or upload a larger image."
        ) % {"dpi": dpi, "product": publication.catalog_product.name, "min": minimum}
    return ""


# --- Rendering ------------------------------------------------------------------------------------


def render(publication, width_px, height_px):
    """The print area at this pixel size with the design placed on it (transparent elsewhere)."""
    canvas = Image.new("RGBA", (width_px, height_px), (255, 255, 255, 0))
    source = design_source(publication)
    placement = publication.placement
    with source.open("rb") as file, Image.open(file) as design:
        design = design.convert("RGBA")
        size = (max(1, round(placement["width"] * width_px)), max(1, round(placement["height"] * height_px)))
        placed = design.resize(size, Image.Resampling.LANCZOS)
        # paste takes a corner off the canvas (a design moved partly out of the print area)
        corner = (round(placement["x"] * width_px), round(placement["y"] * height_px))
        canvas.paste(placed, corner, placed)
    return canvas


def png_bytes(image, dpi=None):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(dpi, dpi) if dpi else None)
    return buffer.getvalue()


def preview_png(publication):
    """A small picture of the print area with the design placed, for the publication page."""
    width_mm, height_mm = print_area(publication)
    scale = PREVIEW_SIZE / max(width_mm, height_mm)
    image = render(publication, max(1, int(width_mm * scale)), max(1, int(height_mm * scale)))
    background = Image.new("RGBA", image.size, (255, 255, 255, 255))
    background.alpha_composite(image)
    return png_bytes(background.convert("RGB"))


def print_file(publication, area):
    """The print file for a print area (mm): the design placed on it at the product's minimum
    DPI (less for areas that would pass PRINT_FILE_MAX_PIXELS). Returns (PNG bytes, info)."""
    width_mm, height_mm = (Decimal(side) for side in area)
    dpi = Decimal(publication.catalog_product.min_dpi)
    pixels = (width_mm / MM_PER_INCH * dpi) * (height_mm / MM_PER_INCH * dpi)
    if pixels > PRINT_FILE_MAX_PIXELS:
        dpi = dpi * (Decimal(PRINT_FILE_MAX_PIXELS) / pixels).sqrt()
    width_px, height_px = int(width_mm / MM_PER_INCH * dpi), int(height_mm / MM_PER_INCH * dpi)
    image = render(publication, width_px, height_px)
    return png_bytes(image, dpi=int(dpi)), {
        "format": "png",
        "width": width_px,
        "height": height_px,
        "dpi": int(dpi),
    }


# --- Publishing -----------------------------------------------------------------------------------


def publish_problem(publication):
    """Why this publication cannot be published now, or ""."""
    if publication.store.platform not in PUBLISHABLE_PLATFORMS:
        return _("Products can be published to Shopify, WooCommerce and Etsy shops only.")
    if publication.store.state != Store.State.CONNECTED:
        return _("The store is not connected; connect it again, then publish.")
    if design_source(publication) is None or not publication.placement:
        return _("Add a design first.")
    if not publication.catalog_variants.exists():
        return _("Choose at least one variant.")
    return ""


def request_publish(actor, publication):
    """Queue the publication for the worker, once: a repeat click, or a click while it is being
    published, changes nothing (the row is locked and its state decides). Returns a message
    for the person."""
    with transaction.atomic():
        locked = (
            Publication.objects.select_for_update(of=("self",)).select_related("store").get(pk=publication.pk)
        )
        stuck = locked.updated_at < timezone.now() - STUCK_AFTER
        if locked.state == Publication.State.PUBLISHED:
            return _("This product is already in the shop.")
        if locked.state == Publication.State.PUBLISHING and not stuck:
            return _("This product is being published.")
        problem = publish_problem(locked)
        if problem:
            raise PublishProblem(problem)
        locked.state = Publication.State.PUBLISHING
        locked.message = _("Waiting for the worker to start.")
        locked.save(update_fields=["state", "message", "updated_at"])
        enqueue_on_commit(publish_task(), locked.id, 0)
    return _("Publishing started.")


def publish_task():
    from .tasks import publish_publication

    return publish_publication


def variant_options(catalog_product, variants):
    """The shop options of each catalog variant: {option name: value}, by the catalog product's
    attributes whose values differ among the variants chosen (the first attribute when none
    do), named as the catalog names them. Without attributes: one option, "Variant"."""
    attributes = [a for a in catalog_product.attributes or [] if a.get("code")]
    varying = [a for a in attributes if len({v.values.get(a["code"]) for v in variants}) > 1]
    used = varying or [a for a in attributes if all(a["code"] in v.values for v in variants)][:1]
    if not used:
        return ("Variant",), {v.id: {"Variant": v.label or v.uid} for v in variants}
    names = tuple(a.get("name") or a["code"] for a in used)
    options = {}
    for variant in variants:
        chosen = {}
        for name, attribute in zip(names, used, strict=True):
            code = variant.values.get(attribute["code"], "")
            labels = {value.get("code"): value.get("name") for value in attribute.get("values", [])}
            chosen[name] = labels.get(code) or code
        options[variant.id] = chosen
    return names, options


def sku_of(publication, index):
    return f"PF-{publication.code.hex[:8].upper()}-{index + 1}"


def new_product(publication):
    """The NewProduct to create, and the catalog variant of each of its SKUs."""
    variants = list(publication.catalog_variants.order_by("id"))
    names, options = variant_options(publication.catalog_product, variants)
    by_sku = {sku_of(publication, i): variant for i, variant in enumerate(variants)}
    product = NewProduct(
        title=publication.title,
        description=publication.description,
        product_type=publication.catalog_product.get_product_type_display(),
        option_names=names,
        variants=tuple(
            NewVariant(sku=sku, price=publication.price, options=options[variant.id])
            for sku, variant in by_sku.items()
        ),
    )
    return product, by_sku


def publish(publication_id, attempt=0):
    """The worker's part: create the product in the shop and store what came back. Returns the
    seconds to wait before another attempt when the platform is busy, else None.

    The row stays locked while the shop is called, so two copies of the task never both create
    the product; the product's id is saved as soon as the shop has it (on_created), so a retry
    finishes that product rather than making a second one."""
    with transaction.atomic():
        publication = (
            Publication.objects.select_for_update(of=("self",))
            .select_related("store", "catalog_product", "template", "store_product", "created_by")
            .filter(pk=publication_id)
            .first()
        )
        if publication is None or publication.state != Publication.State.PUBLISHING:
            return None
        store = publication.store
        product, by_sku = new_product(publication)
        publication.message = _("Creating the product in %(store)s.") % {"store": store.name}
        publication.save(update_fields=["message", "updated_at"])

        def created(external_id):
            found, _new = StoreProduct.objects.get_or_create(
                store=store,
                external_id=external_id,
                defaults={"title": product.title, "source_state": SourceState.DRAFT},
            )
            publication.store_product = found
            publication.save(update_fields=["store_product", "updated_at"])

        existing = publication.store_product.external_id if publication.store_product_id else None
        try:
            adapter = adapter_for(store)
            source = adapter.publish_product(product, existing_id=existing, on_created=created)
        except AdapterError as error:
            return publish_failed(publication, error, attempt)
        store_published(publication, source, by_sku)
    return None


def publish_failed(publication, error, attempt):
    """Record a failed attempt: a busy platform is tried again later, and says so; anything
    else ends the attempt with the platform's reason and leaves "Publish again"."""
    if not error.permanent and attempt + 1 < TRANSIENT_ATTEMPTS:
        wait = retry_wait(error, attempt)
        publication.message = _("%(error)s Printfront tries again in %(seconds)s seconds.") % {
            "error": error,
            "seconds": wait,
        }
        publication.save(update_fields=["message", "updated_at"])
        return wait
    publication.state = Publication.State.FAILED
    if error.permanent:
        publication.message = _("%(error)s Nothing more was changed; correct this, then publish again.") % {
            "error": error
        }
    else:
        publication.message = _("%(error)s Printfront tried %(count)s times; publish again later.") % {
            "error": error,
            "count": TRANSIENT_ATTEMPTS,
        }
    publication.save(update_fields=["state", "message", "updated_at"])
    return None


def retry_wait(error, attempt):
    try:
        asked = int(float(error.retry_after)) if error.retry_after else 0
    except (TypeError, ValueError):
        asked = 0
    return max(asked, min(5 * 2**attempt, 300))


def store_published(publication, source, by_sku):
    """Keep what the shop made: its product and variants as a sync would, and a mapping of
    each variant to its catalog variant with the print file made for its print area."""
    store, now = publication.store, timezone.now()
    product, _new = StoreProduct.objects.update_or_create(
        store=store,
        external_id=source.external_id,
        defaults={
            "title": source.title,
            "product_type": source.product_type,
            "source_state": source.state,
            "option_names": list(source.option_names),
            "catalog_product": publication.catalog_product,
            "synced_at": now,
        },
    )
    files = {}  # print area -> (file name, info, problem): one print file per distinct area
    for position, item in enumerate(source.variants):
        variant, _new = StoreVariant.objects.update_or_create(
            product=product,
            external_id=item.external_id,
            defaults={
                "store": store,
                "sku": item.sku,
                "title": item.title,
                "options": item.options,
                "price": item.price,
                "source_state": SourceState.ACTIVE,
                "position": position,
            },
        )
        catalog_variant = by_sku.get(item.sku)
        if catalog_variant is None:
            continue  # not one of ours (a shop's leftover standalone variant)
        area = tuple(catalog_variant.print_area_mm)
        if area not in files:
            content, info = print_file(publication, area)
            info["placed_dpi"] = effective_dpi(publication, area)
            name = f"print-{publication.code}-{len(files) + 1}.png"
            holder = ProductMapping(store=store)
            holder.design_file.save(name, ContentFile(content), save=False)
            files[area] = (holder.design_file.name, info, dpi_warning(publication, area))
        file_name, info, low = files[area]
        ProductMapping.objects.update_or_create(
            variant=variant,
            defaults={
                "store": store,
                "catalog_variant": catalog_variant,
                "design_file": file_name,
                "design_file_url": "",
                "file_check": FileCheck.PROBLEM if low else FileCheck.OK,
                "file_problem": low,
                "file_info": info,
                "file_checked_at": now,
                "updated_by": publication.created_by,
            },
        )
    publication.store_product = product
    publication.state = Publication.State.PUBLISHED
    publication.message = ""
    publication.save(update_fields=["store_product", "state", "message", "updated_at"])
    audit.record(
        publication.created_by,
        "product.published",
        client=store.client,
        target=publication.title,
        data={"store": str(store.code), "external_id": source.external_id},
    )
