"""Background work of the catalog: publishing a new product to a shop."""

from celery import shared_task

from . import publishing


@shared_task(bind=True, acks_late=True, max_retries=publishing.TRANSIENT_ATTEMPTS)
def publish_publication(self, publication_id, attempt=0):
    """Create a Publication's product in its shop. Idempotent: it acts only on a publication
    still publishing, and a busy platform gets the same task again after the wait it asked for."""
    wait = publishing.publish(publication_id, attempt)
    if wait is not None:
        publish_publication.apply_async((publication_id, attempt + 1), countdown=wait)
