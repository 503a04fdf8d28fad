"""Template products: ready-made products that "Add product" starts from.

Staff define the printer's in Connect and offer each to every client or to the clients chosen;
a client saves one of its own products (a publication, or a shop product it has connected) as a
template of its own, which no other client ever sees. Starting "Add product" from a template
fills in its steps (the catalog product, the title, description, price and variants, and the
design placed where the template has it); the person goes on from there as usual.

Which templates a request may use is decided here (`usable`): the client's own, through
core.tenancy.scoped, and the printer's offered to that client; archived ones, and those whose
catalog product is no longer active, are offered to nobody.
"""

from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from core import audit
from core.tenancy import scoped

from . import design_files, publishing
from .models import ProductMapping, Publication, TemplateProduct


class TemplateProblem(Exception):
    """Why a template cannot be made or used, in words for the person."""


# --- Which templates ------------------------------------------------------------------------------


def offered_to(client):
    """The printer's live templates offered to `client`."""
    return TemplateProduct.objects.filter(client__isnull=True, archived=False).filter(
        Q(offer=TemplateProduct.Offer.ALL) | Q(pk__in=client.offered_templates.values("pk"))
    )


def usable(request):
    """The templates this request may start "Add product" from: its client's own and those
    the printer offers it, live, on an active catalog product."""
    if request.client is None:
        return TemplateProduct.objects.none()
    own = scoped(request, TemplateProduct).filter(archived=False)
    return (
        TemplateProduct.objects.filter(
            Q(pk__in=own.values("pk")) | Q(pk__in=offered_to(request.client).values("pk"))
        )
        .filter(catalog_product__active=True)
        .select_related("catalog_product")
    )


def search(queryset, query):
    query = (query or "").strip()
    if not query:
        return queryset
    return queryset.filter(
        Q(name__icontains=query) | Q(title__icontains=query) | Q(catalog_product__name__icontains=query)
    )


def design_source(template):
    """The template's design image: its own upload, else its DesignTemplate's (None without)."""
    if template.design_file:
        return template.design_file
    if template.design_template_id and template.design_template.image:
        return template.design_template.image
    return None


def live_variants(template):
    """The template's variants that can still be ordered."""
    return template.catalog_variants.filter(active=True).order_by("id")


# --- Staff: the printer's templates ---------------------------------------------------------------


@transaction.atomic
def save_printer_template(actor, template, *, variants, clients, upload=None, **fields):
    """Create or change one of the printer's templates. `upload` (an image) replaces the
    design; a DesignTemplate in `fields` does too. Raises TemplateProblem for an unusable design."""
    if upload is not None:
        try:
            publishing.read_design(upload)
        except publishing.PublishProblem as problem:
            raise TemplateProblem(str(problem)) from None
    new = template.pk is None
    for name, value in fields.items():
        setattr(template, name, value)
    if upload is not None:
        # Named for what read_design found it is: the name it came with is the browser's word.
        kind = design_files.inspect(upload).kind
        upload.seek(0)
        template.design_file.save(f"template-{template.code}.{kind}", upload, save=False)
        template.design_template = None
    elif template.design_template_id:
        template.design_file = ""
    template.client = None
    if new:
        template.created_by = actor
    template.save()
    template.catalog_variants.set(variants)
    template.offered_to.set(clients if template.offer == TemplateProduct.Offer.CHOSEN else [])
    audit.record(actor, "template.created" if new else "template.updated", target=template.name)
    return template


def _extension(name):
    return name.rsplit(".", 1)[-1].lower()[:5] if "." in name else "png"


def set_archived(actor, template, archived, *, client=None):
    """Archive a template (offered to nobody, kept for the record) or bring it back."""
    template.archived = archived
    template.save(update_fields=["archived", "updated_at"])
    audit.record(
        actor, "template.archived" if archived else "template.restored", client=client, target=template.name
    )


# --- Clients: their own templates -----------------------------------------------------------------


def update_own_template(actor, template, *, variants, **fields):
    for name, value in fields.items():
        setattr(template, name, value)
    with transaction.atomic():
        template.save()
        template.catalog_variants.set(variants)
        audit.record(actor, "template.updated", client=template.client, target=template.name)
    return template


def save_publication_as_template(actor, publication):
    """A client template from one of its publications: its catalog product, variants, details,
    and its design where it sits."""
    template = TemplateProduct(
        client=publication.store.client,
        name=publication.title[:200],
        catalog_product=publication.catalog_product,
        title=publication.title[:140],
        description=publication.description,
        price=publication.price,
        design_template=publication.template,
        placement=publication.placement,
        created_by=actor,
    )
    with transaction.atomic():
        if publication.design_file:
            _copy_design(template, publication.design_file)
        template.save()
        template.catalog_variants.set(publication.catalog_variants.all())
        _record_saved(actor, template, publication.title)
    return template


def save_store_product_as_template(actor, store_product):
    """A client template from a shop product it has connected: the catalog variants its
    variants are connected to, its title and price, and the design file of a connected variant
    when it is an image the designer takes. Raises TemplateProblem when nothing is connected."""
    mappings = list(
        ProductMapping.objects.filter(variant__product=store_product)
        .select_related("catalog_variant__product", "variant")
        .order_by("variant__position", "variant__id")
    )
    if not mappings:
        raise TemplateProblem(_("Connect this product's variants to the catalog first."))
    catalog_product = mappings[0].catalog_variant.product
    made_with = Publication.objects.filter(store_product=store_product).first()
    if made_with is not None and made_with.catalog_product_id == catalog_product.pk:
        return save_publication_as_template(actor, made_with)
    same_product = [m for m in mappings if m.catalog_variant.product_id == catalog_product.pk]
    prices = [m.variant.price for m in same_product if m.variant.price is not None]
    template = TemplateProduct(
        client=store_product.store.client,
        name=store_product.title[:200],
        catalog_product=catalog_product,
        title=store_product.title[:140],
        price=min(prices) if prices else None,
        created_by=actor,
    )
    with transaction.atomic():
        design = next((m.design_file for m in same_product if _takes(m.design_file)), None)
        if design is not None:
            _copy_design(template, design)
        template.save()
        template.catalog_variants.set([m.catalog_variant for m in same_product])
        _record_saved(actor, template, store_product.title)
    return template


def _takes(file):
    """Whether a stored design file is one the designer takes (PNG or JPEG)."""
    return bool(file) and _extension(file.name) in ("png", "jpg", "jpeg")


def _copy_design(template, source):
    """The template keeps its own copy: the product's file may be replaced or removed later."""
    with source.open("rb") as handle:
        content = handle.read()
    template.design_file.save(
        f"template-{template.code}.{_extension(source.name)}", ContentFile(content), save=False
    )
    template.design_template = None


def _record_saved(actor, template, source_title):
    audit.record(actor, "template.saved", client=template.client, target=source_title)


# --- Starting Add product from a template ---------------------------------------------------------


def start_publication(actor, store, template, *, title, description, price, variants):
    """The new product's draft, with the template's design placed as the template has it.
    Returns the draft and, when the template's design could not be used, why ("" otherwise)."""
    publication = publishing.create_publication(
        actor,
        store,
        template.catalog_product,
        title=title,
        description=description,
        price=price,
        variants=variants,
    )
    design = template.design_template if template.design_template_id else None
    try:
        if template.design_file:
            storage, name = template.design_file.storage, template.design_file.name
            with storage.open(name, "rb") as handle:
                upload = File(handle, name=name.rsplit("/", 1)[-1])
                publishing.save_design(actor, publication, upload=upload, placement=template.placement)
        elif design is not None and design.active:
            publishing.save_design(actor, publication, template=design, placement=template.placement)
        elif design is not None:
            return publication, _("The printer no longer offers this template's design: choose another.")
    except (publishing.PublishProblem, OSError):
        # Gone from storage or no longer readable: the draft is kept, and the designer asks for
        # a design as it does for a product started without a template.
        return publication, _("The template's design could not be read: upload a design or choose one.")
    return publication, ""
