from celery import shared_task

from integrations.services import Outcome
from integrations.tasks import retry_wait
from storefronts.models import Store

from . import staysync


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
    for store_id in staysync.stores_to_poll():
        sync_store_changes.delay(store_id)


@shared_task
def sync_store_changes(store_id):
    store = Store.objects.filter(id=store_id, state=Store.State.CONNECTED).first()
    if store is not None and not store.needs_reconnect:
        staysync.sync_changes(store)
