"""Add product and Publish to store: a Publication is made from a catalog product (title,
description, price, the variants chosen), gets its design (an upload or one of the printer's
templates, placed on the print area), and is then created in the shop by the worker, which
stores the shop's product, its variants and a mapping per variant by itself.

catalog.print_files works out where the design goes on the print area and the resolution it
prints at, and draws the preview and the print files; this module stores the print files
(make_print_files) with the publication.

Publishing never holds a transaction open across a shop call. An attempt claims the
publication (a token and a time, committed), makes the print files, then calls the shop; the
product's id is committed as soon as the shop has made it (on_created), so whatever happens next
(an error, a killed worker) a later attempt finishes that product rather than making a second
one; the products, variants and mappings are stored last, in one transaction. An attempt whose
claim is older than CLAIM_LOST_AFTER lost its worker: the sweep (catalog.tasks.
requeue_lost_catalog_work) sends the publication again.
"""

import logging
import uuid
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
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

from . import design_files, print_files
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
from .signals import send_mappings_changed
from .sync import apply_page

logger = logging.getLogger(__name__)

PUBLISHABLE_PLATFORMS = (Store.Platform.SHOPIFY, Store.Platform.WOOCOMMERCE, Store.Platform.ETSY)
MAX_VARIANTS = 100  # one WooCommerce batch; well inside Shopify's and Etsy's limits
DESIGN_FORMATS = ("png", "jpg")  # design_files' names of the formats the designer takes
# The largest design accepted (an A2 poster at 300 DPI is 34 MP): a small file of more pixels
# than this is a decompression bomb, which would take gigabytes to render.
DESIGN_MAX_PIXELS = 60_000_000
# An attempt at publishing that has claimed a publication and not been heard of for this long
# lost its worker (a crash, a restart), as has a publication waiting this long for its first
# attempt: the sweep sends it again, and "Publish again" is offered.
CLAIM_LOST_AFTER = timedelta(minutes=10)
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
    unreadable = _("The design file is not a PNG or JPEG image Printfront can read.")
    try:
        upload.seek(0)
        facts = design_files.inspect(upload)
        if facts.width_px * facts.height_px > DESIGN_MAX_PIXELS:  # decoded, it would not fit in memory
            raise Image.DecompressionBombError
        if facts.kind in DESIGN_FORMATS:
            upload.seek(0)
            with Image.open(upload) as image:
                image.verify()  # the whole file, not only its header: a cut-off upload is refused
    except design_files.FileTrouble:
        raise PublishProblem(unreadable) from None
    except Image.DecompressionBombError:
        raise PublishProblem(_("The design has too many pixels to be read safely.")) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise PublishProblem(unreadable) from None
    finally:
        upload.seek(0)
    if facts.kind not in DESIGN_FORMATS:
        raise PublishProblem(
            _("The design is a %(format)s file; upload a PNG or JPEG.") % {"format": facts.label}
        )
    return facts.width_px, facts.height_px


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
        pixels = print_files.design_pixels(publication)
    else:
        pixels = print_files.design_pixels(publication)
    if pixels is None:
        raise PublishProblem(_("Upload a design or choose one of the templates."))
    publication.placement = print_files.clean_placement(
        placement or {}, pixels, print_files.print_area(publication)
    )
    publication.save()
    return publication


# --- Publishing -----------------------------------------------------------------------------------


def publish_problem(publication):
    """Why this publication cannot be published now, or ""."""
    if publication.store.platform not in PUBLISHABLE_PLATFORMS:
        return _("Products can be published to Shopify, WooCommerce and Etsy shops only.")
    if publication.store.state != Store.State.CONNECTED:
        return _("The store is not connected; connect it again, then publish.")
    if print_files.design_source(publication) is None or not publication.placement:
        return _("Add a design first.")
    if not publication.catalog_variants.exists():
        return _("Choose at least one variant.")
    return ""


def lost(now=None):
    """Publications whose publishing lost its worker: claimed by an attempt not heard of for
    CLAIM_LOST_AFTER, or waiting that long for an attempt (its message lost)."""
    cutoff = (now or timezone.now()) - CLAIM_LOST_AFTER
    return Publication.objects.filter(state=Publication.State.PUBLISHING).filter(
        Q(claimed_at__lt=cutoff) | Q(claimed_at__isnull=True, updated_at__lt=cutoff)
    )


def lost_publications(now=None, limit=100):
    """Ids of lost publications, for the sweep to send again: the attempt it sends goes on with
    the product already made in the shop, if any (publish)."""
    return list(lost(now).order_by("id").values_list("id", flat=True)[:limit])


def request_publish(actor, publication):
    """Queue the publication for the worker, once: a repeat click, or a click while it is being
    published, changes nothing (the row is locked and its state decides). Returns a message
    for the person."""
    with transaction.atomic():
        locked = (
            Publication.objects.select_for_update(of=("self",)).select_related("store").get(pk=publication.pk)
        )
        if locked.state == Publication.State.PUBLISHED:
            return _("This product is already in the shop.")
        if locked.state == Publication.State.PUBLISHING and not lost().filter(pk=locked.pk).exists():
            return _("This product is being published.")
        problem = publish_problem(locked)
        if problem:
            raise PublishProblem(problem)
        locked.state = Publication.State.PUBLISHING
        locked.message = _("Waiting for the worker to start.")
        locked.claim = locked.claimed_at = None
        locked.save(update_fields=["state", "message", "claim", "claimed_at", "updated_at"])
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


def claim(publication_id):
    """Take a publication for one attempt, in a short transaction of its own: None when it is
    not publishing, or when another attempt holds it (a claim younger than CLAIM_LOST_AFTER)."""
    now = timezone.now()
    with transaction.atomic():
        publication = Publication.objects.select_for_update(of=("self",)).filter(pk=publication_id).first()
        if publication is None or publication.state != Publication.State.PUBLISHING:
            return None
        if publication.claimed_at and publication.claimed_at >= now - CLAIM_LOST_AFTER:
            logger.info("Publication %s is being published by another attempt", publication_id)
            return None
        publication.claim, publication.claimed_at = uuid.uuid4(), now
        publication.message = _("Making the print files.")
        publication.save(update_fields=["claim", "claimed_at", "message", "updated_at"])
    return Publication.objects.select_related(
        "store", "catalog_product", "template", "store_product", "created_by"
    ).get(pk=publication_id)


def still_ours(publication, message):
    """Renew this attempt's claim with a new progress message; False when another attempt took
    the publication over meanwhile (this one was taken for lost), which then does the work."""
    now = timezone.now()
    return bool(
        Publication.objects.filter(
            pk=publication.pk, state=Publication.State.PUBLISHING, claim=publication.claim
        ).update(message=message, claimed_at=now, updated_at=now)
    )


def release(publication, **changes):
    """End this attempt: its claim goes, with `changes` (state, message)."""
    Publication.objects.filter(pk=publication.pk, state=Publication.State.PUBLISHING).update(
        claim=None, claimed_at=None, updated_at=timezone.now(), **changes
    )


def save_external_id(publication, external_id, title):
    """The shop made the product: keep its id at once, committed on its own, so that whatever
    happens next a later attempt goes on with this product (publish_product(existing_id=...))."""
    with transaction.atomic():
        found, _new = StoreProduct.objects.get_or_create(
            store=publication.store,
            external_id=external_id,
            defaults={"title": title[:500], "source_state": SourceState.DRAFT},
        )
        Publication.objects.filter(pk=publication.pk).update(store_product=found, updated_at=timezone.now())
    publication.store_product = found


def publish(publication_id, attempt=0):
    """The worker's part: create the product in the shop and store what came back. Returns the
    seconds to wait before another attempt when the platform is busy, else None.

    Safe to run twice, or again after a crash at any point: only the attempt holding the claim
    works; the print files are made before the shop is called; the shop's id is committed as
    soon as it is known, and a later attempt finishes that product. An unexpected error ends the
    attempt as failed, with "Publish again", and is raised for the worker's log."""
    publication = claim(publication_id)
    if publication is None:
        return None
    files, stored = {}, False
    try:
        product, by_sku = new_product(publication)
        files = make_print_files(publication)
        store = publication.store
        if not still_ours(publication, _("Creating the product in %(store)s.") % {"store": store.name}):
            return None
        existing = publication.store_product.external_id if publication.store_product_id else None
        try:
            source = adapter_for(store).publish_product(
                product,
                existing_id=existing,
                on_created=lambda external_id: save_external_id(publication, external_id, product.title),
            )
        except AdapterError as error:
            return publish_failed(publication, error, attempt)
        stored = store_published(publication, source, by_sku, files)
    except PublishProblem as problem:
        release(publication, state=Publication.State.FAILED, message=str(problem))
    except Exception:
        logger.exception("Publishing publication %s stopped on an error", publication_id)
        release(
            publication,
            state=Publication.State.FAILED,
            message=_(
                "Publishing stopped on an error in Printfront. Publish again: a product already "
                "made in the shop is finished, not made twice."
            ),
        )
        raise
    finally:
        if not stored:
            for name, _info in files.values():
                ProductMapping(design_file=name).design_file.delete(save=False)
    return None


def make_print_files(publication):
    """One print file per distinct print area of the chosen variants, saved to storage:
    {area: (file name, file_info)}. Raises PublishProblem when the design cannot be read."""
    files = {}
    try:
        for area in print_files.print_areas(publication):
            content, _dpi = print_files.print_file(publication, area)
            holder = ProductMapping()
            holder.design_file.save(
                f"print-{publication.code}-{len(files) + 1}.png", ContentFile(content), save=False
            )
            files[area] = (holder.design_file.name, {"name": holder.design_file.name.rsplit("/", 1)[-1]})
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError):
        for name, _info in files.values():
            ProductMapping(design_file=name).design_file.delete(save=False)
        raise PublishProblem(
            _("The design's image could not be read to make the print files; upload it again.")
        ) from None
    return files


def publish_failed(publication, error, attempt):
    """Record a failed attempt: a busy platform is tried again later, and says so; anything
    else ends the attempt with the platform's reason and leaves "Publish again"."""
    if not error.permanent and attempt + 1 < TRANSIENT_ATTEMPTS:
        wait = retry_wait(error, attempt)
        release(
            publication,
            message=_("%(error)s Printfront tries again in %(seconds)s seconds.")
            % {"error": error, "seconds": wait},
        )
        return wait
    if error.permanent:
        message = _("%(error)s Nothing more was changed; correct this, then publish again.") % {
            "error": error
        }
    else:
        message = _("%(error)s Printfront tried %(count)s times; publish again later.") % {
            "error": error,
            "count": TRANSIENT_ATTEMPTS,
        }
    release(publication, state=Publication.State.FAILED, message=message)
    return None


def retry_wait(error, attempt):
    try:
        asked = int(float(error.retry_after)) if error.retry_after else 0
    except (TypeError, ValueError):
        asked = 0
    return max(asked, min(5 * 2**attempt, 300))


def check_task():
    from .tasks import check_design_files

    return check_design_files


def store_published(publication, source, by_sku, files):
    """Keep what the shop made, in one transaction: its product and variants exactly as a sync
    would store them (catalog.sync.apply_page, so the next sync finds nothing changed), and a
    mapping of each variant to its catalog variant with the print file made for its print area,
    waiting for the worker's file check (check_design_files, as every other way of setting a
    design file)."""
    store = publication.store
    with transaction.atomic():
        locked = Publication.objects.select_for_update(of=("self",)).get(pk=publication.pk)
        if locked.state != Publication.State.PUBLISHING:
            return False  # another attempt stored it
        apply_page(store, [source], seen_at=timezone.now())
        product = StoreProduct.objects.get(store=store, external_id=source.external_id)
        product.catalog_product = publication.catalog_product
        product.save(update_fields=["catalog_product"])
        variants = {variant.external_id: variant for variant in StoreVariant.objects.filter(product=product)}
        for item in source.variants:
            catalog_variant = by_sku.get(item.sku)
            variant = variants.get(item.external_id)
            if catalog_variant is None or variant is None:
                continue  # not one of ours (a shop's leftover standalone variant)
            file_name, info = files[tuple(Decimal(side) for side in catalog_variant.print_area_mm)]
            ProductMapping.objects.update_or_create(
                variant=variant,
                defaults={
                    "store": store,
                    "catalog_variant": catalog_variant,
                    "design_file": file_name,
                    "design_file_url": "",
                    "file_check": FileCheck.PENDING,
                    "file_problem": "",
                    "file_info": info,
                    "file_checked_at": None,
                    "updated_by": publication.created_by,
                },
            )
        locked.store_product = product
        locked.state = Publication.State.PUBLISHED
        locked.message = ""
        locked.claim = locked.claimed_at = None
        locked.save(update_fields=["store_product", "state", "message", "claim", "claimed_at", "updated_at"])
        enqueue_on_commit(check_task(), product.pk)
        send_mappings_changed(store.pk)
        audit.record(
            publication.created_by,
            "product.published",
            client=store.client,
            target=publication.title,
            data={"store": str(store.code), "external_id": source.external_id},
        )
    return True
