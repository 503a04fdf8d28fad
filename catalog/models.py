"""The printer's catalog, the shops' products as synced, and how the two are matched.

CatalogProduct/CatalogVariant are the printer's (staff edit them; every client reads them).
StoreProduct/StoreVariant are a client's shop as last seen; ProductMapping joins a store variant
to a catalog variant and a design file. SyncRun, ImportRun and Publication record long work,
and are what its progress bars read.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import CodedModel
from storefronts.models import Store


class ProductType(models.TextChoices):
    POSTER = "poster", _("Posters")
    FLYER_CARD = "flyer_card", _("Flyers and cards")
    APPAREL = "apparel", _("Apparel")
    MUG = "mug", _("Mugs")
    CANVAS = "canvas", _("Canvas")


class CatalogProduct(CodedModel):
    """One thing the printer makes, with its attributes and print specifications.

    `attributes` is a list of {"code", "name", "values": [{"code", "name"}, ...]}: "pf"/"Size"
    with "a4"/"A4" and so on. Each combination of values is one CatalogVariant with its own UID.
    """

    name = models.CharField(_("name"), max_length=200)
    product_type = models.CharField(_("product type"), max_length=32, choices=ProductType.choices)
    description = models.TextField(_("description"), blank=True)
    uid_prefix = models.SlugField(_("UID prefix"), max_length=64)  # e.g. flat_product, apparel_product
    attributes = models.JSONField(default=list, blank=True)
    # Print specifications: the default print area (variants may have their own), resolution,
    # bleed on each side, and the design file formats production accepts.
    print_width_mm = models.DecimalField(_("print width (mm)"), max_digits=7, decimal_places=1)
    print_height_mm = models.DecimalField(_("print height (mm)"), max_digits=7, decimal_places=1)
    min_dpi = models.PositiveSmallIntegerField(_("minimum DPI"), default=300)
    bleed_mm = models.DecimalField(_("bleed (mm)"), max_digits=4, decimal_places=1, default=0)
    file_formats = models.JSONField(default=list, blank=True)  # ["pdf", "png", "jpg"]
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["product_type", "name"]

    def __str__(self):
        return self.name


class CatalogVariant(CodedModel):
    """One orderable combination of a catalog product's attribute values, known by its UID."""

    product = models.ForeignKey(CatalogProduct, on_delete=models.CASCADE, related_name="variants")
    uid = models.CharField(_("product UID"), max_length=255, unique=True)
    label = models.CharField(max_length=255)  # "A4 · 200 gsm uncoated · portrait"
    values = models.JSONField(default=dict, blank=True)  # {"pf": "a4", "pt": "200-gsm-uncoated"}
    # The print area of this variant where it differs from its product's (sizes do).
    print_width_mm = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    print_height_mm = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["product", "id"]

    def __str__(self):
        return self.uid

    @property
    def print_area_mm(self):
        return (
            self.print_width_mm or self.product.print_width_mm,
            self.print_height_mm or self.product.print_height_mm,
        )


class DesignTemplate(CodedModel):
    """A ready-made design the printer offers in the designer, for one product type."""

    name = models.CharField(_("name"), max_length=200)
    product_type = models.CharField(_("product type"), max_length=32, choices=ProductType.choices)
    image = models.FileField(upload_to="design-templates/")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["product_type", "name"]

    def __str__(self):
        return self.name


class SourceState(models.TextChoices):
    """Where a shop's product or variant stands on its platform, as last seen."""

    ACTIVE = "active", _("Active")
    DRAFT = "draft", _("Draft / unpublished")
    ARCHIVED = "archived", _("Archived / inactive")
    DELETED = "deleted", _("Deleted in the shop")


class StoreProduct(CodedModel):
    """A product of a client's shop as last synced. Never deleted by a sync: a product gone
    from the shop stays, marked deleted, with its mappings."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="products")
    external_id = models.CharField(max_length=64)  # platform ids exceed 2^53: strings
    title = models.CharField(max_length=500)
    product_type = models.CharField(max_length=255, blank=True)
    source_state = models.CharField(max_length=16, choices=SourceState.choices, default=SourceState.ACTIVE)
    option_names = models.JSONField(default=list, blank=True)
    source_updated_at = models.DateTimeField(null=True, blank=True)
    # The catalog product chosen in "Connect product"; each variant then picks one of its UIDs.
    catalog_product = models.ForeignKey(
        CatalogProduct, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    synced_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    tenant_path = "store__client"
    store_path = "store"

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["store", "external_id"], name="store_product_unique_external_id")
        ]
        indexes = [models.Index(fields=["store", "title", "id"], name="store_product_listing")]

    def __str__(self):
        return self.title


class StoreVariant(CodedModel):
    """A variant of a shop's product (a product with no variants has one, as the platforms do)."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="variants")
    product = models.ForeignKey(StoreProduct, on_delete=models.CASCADE, related_name="variants")
    external_id = models.CharField(max_length=64)
    sku = models.CharField(max_length=255, blank=True)
    title = models.CharField(max_length=500, blank=True)
    options = models.JSONField(default=dict, blank=True)  # {"Size": "M", "Colour": "Black"}
    price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    source_state = models.CharField(max_length=16, choices=SourceState.choices, default=SourceState.ACTIVE)
    position = models.PositiveIntegerField(default=0)

    tenant_path = "store__client"
    store_path = "store"

    class Meta:
        ordering = ["product", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "external_id"], name="store_variant_unique_external_id"
            )
        ]
        indexes = [models.Index(fields=["store", "external_id"], name="store_variant_by_external_id")]

    def __str__(self):
        return self.title or self.sku or self.external_id


class FileCheck(models.TextChoices):
    NONE = "", _("No design file")
    PENDING = "pending", _("Checking")
    OK = "ok", _("File OK")
    PROBLEM = "problem", _("File problem")


class ProductMapping(models.Model):
    """What a store variant is to the printer: a catalog variant (its UID) and a design file,
    with the worker's verdict on that file. Survives re-syncs and reconnects."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="mappings")
    variant = models.OneToOneField(StoreVariant, on_delete=models.CASCADE, related_name="mapping")
    catalog_variant = models.ForeignKey(CatalogVariant, on_delete=models.PROTECT, related_name="mappings")
    design_file = models.FileField(upload_to="design-files/%Y/%m/", blank=True)
    design_file_url = models.URLField(max_length=2000, blank=True)
    # Print specification overrides for this variant: {"min_dpi": 150, "bleed_mm": "2"}.
    spec_overrides = models.JSONField(default=dict, blank=True)
    file_check = models.CharField(max_length=16, choices=FileCheck.choices, blank=True)
    file_problem = models.TextField(blank=True)
    file_info = models.JSONField(default=dict, blank=True)  # format, pixels, dpi, pages
    file_checked_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    tenant_path = "store__client"
    store_path = "store"

    class Meta:
        indexes = [models.Index(fields=["store", "file_check"], name="mapping_file_check")]

    def __str__(self):
        return f"{self.variant} -> {self.catalog_variant}"


class RunState(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class SyncRun(CodedModel):
    """One product sync of a store: what it has done so far and how it ended."""

    class Kind(models.TextChoices):
        FULL = "full", _("Full sync")
        INCREMENTAL = "incremental", _("Changes since the last sync")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="sync_runs")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.FULL)
    state = models.CharField(max_length=16, choices=RunState.choices, default=RunState.QUEUED)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    products_seen = models.PositiveIntegerField(default=0)
    variants_seen = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    gone = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # messages in words
    message = models.TextField(blank=True)  # why it failed, or what it waits for (a busy platform)
    # Where the next attempt goes on from (the adapter's position after the last page applied),
    # and when: a busy platform puts the run back in the queue until `wake_at`.
    cursor = models.JSONField(null=True, blank=True)
    wake_at = models.DateTimeField(null=True, blank=True)
    busy_retries = models.PositiveSmallIntegerField(default=0)  # in a row, without a page between
    progress_at = models.DateTimeField(null=True, blank=True)  # the last page applied
    # What applying the pages cost: pages fetched and SQL queries run for them (the benchmark).
    pages = models.PositiveIntegerField(default=0)
    queries = models.PositiveIntegerField(default=0)

    tenant_path = "store__client"
    store_path = "store"

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One sync at a time per store: a second click joins the running one.
            models.UniqueConstraint(
                fields=["store"],
                condition=models.Q(state__in=["queued", "running"]),
                name="one_live_sync_per_store",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.store}"


class ImportRun(CodedModel):
    """One mapping CSV import: validated first, previewed, then applied in one transaction."""

    class State(models.TextChoices):
        VALIDATING = "validating", _("Checking the file")
        INVALID = "invalid", _("Has errors: nothing applied")
        READY = "ready", _("Checked: ready to apply")
        APPLYING = "applying", _("Applying")
        DONE = "done", _("Applied")
        FAILED = "failed", _("Failed: nothing applied")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="import_runs")
    state = models.CharField(max_length=16, choices=State.choices, default=State.VALIDATING)
    file = models.FileField(upload_to="imports/%Y/%m/")
    file_name = models.CharField(max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    errors = models.JSONField(
        default=list, blank=True
    )  # [{"row": 3, "column": "product_uid", "message": ...}]
    summary = models.JSONField(default=dict, blank=True)  # {"mapped": n, "changed": n, "unchanged": n, ...}
    # When the run last went to the worker (entered validating or applying, or was sent again by
    # the sweep): how catalog.mapping_csv.runs.lost_runs tells a lost message from work still going on.
    queued_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    tenant_path = "store__client"
    store_path = "store"

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.file_name


class Publication(CodedModel):
    """A new product made in "Add product" and the designer, and its publishing to a shop."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHING = "publishing", _("Publishing")
        PUBLISHED = "published", _("Published")
        FAILED = "failed", _("Failed")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="publications")
    catalog_product = models.ForeignKey(CatalogProduct, on_delete=models.PROTECT, related_name="+")
    catalog_variants = models.ManyToManyField(CatalogVariant, related_name="+")
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2)
    design_file = models.FileField(upload_to="design-files/%Y/%m/", blank=True)
    template = models.ForeignKey(
        DesignTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Where the design sits on the print area, as fractions of it: {"x", "y", "width", "height"}.
    placement = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.DRAFT)
    message = models.TextField(blank=True)  # progress or the error, in words
    store_product = models.ForeignKey(
        StoreProduct, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The worker attempt publishing it now (catalog.publishing.claim): a token and when it was
    # taken; an attempt silent for longer than publishing.CLAIM_LOST_AFTER lost its worker.
    claim = models.UUIDField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    tenant_path = "store__client"
    store_path = "store"

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title


class TemplateProduct(CodedModel):
    """A ready-made product to start "Add product" from: a catalog product with the variants
    chosen (its sizes, papers, finishes), a design (one of the printer's DesignTemplates or an
    uploaded image) and where it sits on the print area, the title, description and price the
    new product starts with, and notes for whoever uses it.

    The printer's (no client) are offered to every client or to the clients chosen; a client's
    own (saved from one of its products) are that client's alone."""

    class Offer(models.TextChoices):
        CHOSEN = "chosen", _("The clients chosen")
        ALL = "all", _("Every client")

    client = models.ForeignKey(
        "connect.Client", null=True, blank=True, on_delete=models.CASCADE, related_name="own_templates"
    )
    name = models.CharField(_("name"), max_length=200)
    catalog_product = models.ForeignKey(CatalogProduct, on_delete=models.PROTECT, related_name="+")
    catalog_variants = models.ManyToManyField(CatalogVariant, related_name="+")
    title = models.CharField(_("title"), max_length=140, blank=True)
    description = models.TextField(_("description"), blank=True)
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2, null=True, blank=True)
    design_template = models.ForeignKey(
        DesignTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    design_file = models.FileField(upload_to="template-designs/%Y/%m/", blank=True)
    # As Publication.placement: fractions of the print area; empty means centred and fitted.
    placement = models.JSONField(default=dict, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    offer = models.CharField(max_length=8, choices=Offer.choices, default=Offer.CHOSEN)
    offered_to = models.ManyToManyField("connect.Client", blank=True, related_name="offered_templates")
    archived = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    tenant_path = "client"

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["client", "archived", "name"], name="template_listing")]

    def __str__(self):
        return self.name
