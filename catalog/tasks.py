import logging

from celery import shared_task
from kombu.exceptions import KombuError

from . import products_sync

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
