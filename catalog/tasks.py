"""Background work of the catalog. Tasks take ids, re-read their rows and do only what is still
waiting, so a repeated or late message changes nothing; they are queued with
core.tasks.enqueue_on_commit."""

from celery import shared_task

from . import bulk, design_files, publishing
from .models import ProductMapping


@shared_task
def validate_mapping_import(run_id):
    """Check a large mapping CSV row by row (the import page polls its progress)."""
    bulk.validate_run(run_id)


@shared_task
def apply_mapping_import(run_id, user_id=None):
    """Apply a checked large mapping CSV in one transaction."""
    bulk.apply_run(run_id, user_id)


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


@shared_task(bind=True, acks_late=True, max_retries=publishing.TRANSIENT_ATTEMPTS)
def publish_publication(self, publication_id, attempt=0):
    """Create a Publication's product in its shop. It acts only on a publication still
    publishing, and a busy platform gets the same task again after the wait it asked for."""
    wait = publishing.publish(publication_id, attempt)
    if wait is not None:
        publish_publication.apply_async((publication_id, attempt + 1), countdown=wait)
