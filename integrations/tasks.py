from celery import shared_task

from storefronts.models import Store

from . import services


@shared_task(bind=True, max_retries=5)
def register_webhooks(self, store_id):
    store = Store.objects.filter(id=store_id).exclude(state=Store.State.DISCONNECTED).first()
    if store is None:
        return
    error = services.register_webhooks(store)
    if error is not None:
        raise self.retry(countdown=int(error.retry_after or 30 * 2**self.request.retries))
