from celery import shared_task

from core import http
from storefronts.models import Store

from . import services
from .models import WebhookDelivery


@shared_task(bind=True, max_retries=5)
def register_webhooks(self, store_id):
    store = Store.objects.filter(id=store_id).exclude(state=Store.State.DISCONNECTED).first()
    if store is None:
        return
    error = services.register_webhooks(store)
    if error is not None:
        wait = http.retry_after_seconds(error.retry_after) or 30 * 2**self.request.retries
        raise self.retry(countdown=wait)


@shared_task
def process_delivery(delivery_id):
    delivery = WebhookDelivery.objects.select_related("store").filter(id=delivery_id).first()
    if delivery is not None:
        services.process_delivery(delivery)


@shared_task
def refresh_expiring_tokens():
    services.refresh_expiring_tokens()


@shared_task
def requeue_lost_work():
    deliveries, stores = services.lost_work()
    for delivery_id in deliveries:
        process_delivery.delay(delivery_id)
    for store_id in stores:
        register_webhooks.delay(store_id)
