"""Background work of the catalog. Tasks take ids, are idempotent and are queued with
core.tasks.enqueue_on_commit."""

from celery import shared_task

from . import design_files
from .models import ProductMapping


@shared_task
def check_design_files(product_id):
    """Check the design files of a store product's mappings that wait for a check. Run twice,
    the second run finds nothing waiting."""
    return design_files.check_pending(ProductMapping.objects.filter(variant__product_id=product_id))


@shared_task
def check_store_design_files(store_id):
    """The same for a whole store (after a bulk import): a URL many products share is fetched
    once."""
    return design_files.check_pending(ProductMapping.objects.filter(store_id=store_id))
