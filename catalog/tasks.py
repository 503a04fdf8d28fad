"""Background work of the catalog. Tasks take ids, re-read their rows and do only what is still
waiting, so a repeated or late message changes nothing; they are queued with
core.tasks.enqueue_on_commit."""

import logging

from celery import shared_task
from kombu.exceptions import KombuError

from integrations.services import Outcome
from integrations.tasks import retry_wait
from storefronts.models import Store

from . import design_files, products_sync, publishing, staysync
from .mapping_csv import runs
from .models import ProductMapping

logger = logging.getLogger(__name__)


@shared_task
def sync_products(run_id):
    """Run (or go on with) a product sync. A busy platform queues the run again for later; the
    run row, not this message, says what is left to do (products_sync)."""
    wait = products_sync.run_sync(run_id)
    if wait is not None:
        try:
            sync_products.apply_async((run_id,), countdown=wait)
        except (KombuError, OSError) as error:  # the sweep sends it once it is due
            logger.error("Could not queue the next attempt of product sync %s: %s", run_id, error)


@shared_task
def requeue_lost_syncs():
    for run_id in products_sync.lost_runs():
        sync_products.delay(run_id)


@shared_task
def validate_mapping_import(run_id):
    """Check a large mapping CSV row by row (the import page polls its progress)."""
    runs.validate_run(run_id)


@shared_task
def apply_mapping_import(run_id, user_id=None):
    """Apply a checked large mapping CSV in one transaction."""
    runs.apply_run(run_id, user_id)


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


@shared_task
def publish_publication(publication_id, attempt=0):
    """Create a Publication's product in its shop. It acts only on a publication still
    publishing and not held by another attempt, and a busy platform gets the same task again
    after the wait it asked for (`attempt` counts those); a lost message or worker is sent
    again by requeue_lost_catalog_work."""
    wait = publishing.publish(publication_id, attempt)
    if wait is not None:
        try:
            publish_publication.apply_async((publication_id, attempt + 1), countdown=wait)
        except (KombuError, OSError) as error:  # the sweep sends it once it is due
            logger.error("Could not queue the next attempt of publication %s: %s", publication_id, error)


# Five retries at 1, 2, 4, 8 and 16 minutes while the platform is busy and the delivery's body
# alone cannot say what changed; then the delivery is failed, and the next sync settles it.
@shared_task(bind=True, max_retries=5)
def process_product_delivery(self, delivery_id):
    outcome = staysync.process_product_delivery(
        delivery_id, final_attempt=self.request.retries >= self.max_retries
    )
    if outcome.state == Outcome.RETRY:
        raise self.retry(countdown=retry_wait(outcome.error, self.request.retries))


@shared_task
def sync_changed_products():
    """On the beat: an incremental sync of every store whose platform sends no product webhooks."""
    for store in Store.objects.filter(id__in=staysync.stores_to_poll(), state=Store.State.CONNECTED):
        if not store.needs_reconnect:
            staysync.sync_changes(store)


@shared_task
def requeue_lost_catalog_work():
    """On the beat: imports, design file checks and publications whose worker message or worker
    was lost go out again (each task does only what still waits)."""
    validating, applying = runs.lost_runs()
    runs.sent_again([*validating, *applying])
    for run_id in validating:
        validate_mapping_import.delay(run_id)
    for run_id in applying:
        apply_mapping_import.delay(run_id)
    for product_id in design_files.lost_checks():
        check_design_files.delay(product_id)
    for publication_id in publishing.lost_publications():
        publish_publication.delay(publication_id)
