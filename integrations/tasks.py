from celery import shared_task

from core import http
from storefronts.models import Store

from . import inbox, services
from .models import WebhookDelivery


@shared_task(bind=True, max_retries=5)
def register_webhooks(self, store_id):
    # A copy still at work (the sweep re-queues a slow one) finishes, or retries, by itself.
    with services.webhooks_lock("register", store_id) as held:
        store = Store.objects.filter(id=store_id).exclude(state=Store.State.DISCONNECTED).first()
        if not held or store is None:
            return
        error = services.register_webhooks(store)
    if error is not None:  # after letting go: an eager retry runs at once, in this process
        raise self.retry(countdown=retry_wait(error, self.request.retries))


def retry_wait(error, retries):
    """Seconds before trying a busy platform again: 1, 2, 4 ... minutes, or longer if it asks."""
    return max(http.retry_after_seconds(error.retry_after) or 0, 60 * 2**retries)


# Five retries at 1, 2, 4, 8 and 16 minutes: the last one comes after the 30 minutes that
# storefronts.services.TROUBLE_TOLERANCE allows a busy platform, so it settles the store's state.
@shared_task(bind=True, max_retries=5)
def verify_store(self, store_id):
    store = Store.objects.filter(id=store_id).exclude(state=Store.State.DISCONNECTED).first()
    if store is None:
        return
    error = services.verify_store(store)
    if error is not None and self.request.retries < self.max_retries:
        raise self.retry(countdown=retry_wait(error, self.request.retries))


@shared_task(bind=True, max_retries=5)
def unregister_webhooks(self, store_id):
    with services.webhooks_lock("remove", store_id) as held:
        store = Store.objects.filter(id=store_id).first()
        if not held or store is None:
            return
        error = services.unregister_webhooks(store, final_attempt=self.request.retries >= self.max_retries)
    if error is not None:
        raise self.retry(countdown=retry_wait(error, self.request.retries))


@shared_task
def process_delivery(delivery_id):
    delivery = WebhookDelivery.objects.select_related("store").filter(id=delivery_id).first()
    if delivery is not None:
        services.process_delivery(delivery)


# Acknowledged on receipt, unlike the other tasks: the inbox rows, not these messages, are the
# work (a drain that dies leaves its rows to the sweep). Acking late would ack when the drain
# ends, and a drain that ends while the broker is away makes kombu's ack fail in a way Celery
# takes for unrecoverable: the worker stopped (seen in `make faults`, redis_down).
@shared_task(acks_late=False)
def drain_inbox():
    inbox.drain()


@shared_task(acks_late=False)
def sweep_inbox():
    inbox.sweep()


@shared_task
def refresh_expiring_tokens():
    services.refresh_expiring_tokens()


@shared_task
def requeue_lost_work():
    deliveries, stores = services.lost_work()
    for delivery in WebhookDelivery.objects.filter(id__in=deliveries).only("id", "platform", "topic"):
        services.processing_task(delivery).delay(delivery.id)
    # Stores registered before Printfront subscribed to more topics get them added.
    for store_id in {*stores, *services.outdated_registrations()}:
        register_webhooks.delay(store_id)
    for store_id in services.lost_cleanups():
        unregister_webhooks.delay(store_id)
