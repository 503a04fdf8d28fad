from celery import shared_task

from storefronts.models import Store

from . import import_runs, print_files, rules
from .intake import relink_store, stores_to_relink
from .reconciliation import POLLED_PLATFORMS, RECONCILED_PLATFORMS, reconcile_store, store_lock, stores_to_ask


@shared_task
def check_print_files(order_id):
    print_files.check_order(order_id)


@shared_task
def relink_orders(store_id):
    relink_store(store_id)


@shared_task
def requeue_lost_order_work():
    """Every minute: print file checks and relinks whose queueing was lost (a broker outage)."""
    for order_id in print_files.lost_checks():
        check_print_files.delay(order_id)
    for store_id in stores_to_relink():
        relink_orders.delay(store_id)
    for order_id in rules.notifications_lost():
        send_workflow_email.delay(order_id)


@shared_task
def send_workflow_email(order_id):
    """The email a workflow rule asked for when the order arrived (sent once)."""
    rules.send_notification(order_id)


@shared_task
def send_outbox(message_id):
    """Send one outbox message (the dispatcher: outbox.py)."""
    from . import outbox  # outbox queues this task

    outbox.send(message_id)


@shared_task
def send_due_outbox():
    """Every minute: queue the outbox messages whose time has come (outbox.send_due)."""
    from . import outbox

    outbox.send_due()


@shared_task
def import_order_file(import_id):
    import_runs.run(import_id)


@shared_task
def requeue_lost_imports():
    """Send again the CSV imports whose worker message was lost (each import runs once: the
    copy finds it done)."""
    lost = import_runs.lost()
    for import_id in lost:
        import_order_file.delay(import_id)
    import_runs.send_again(lost)


@shared_task
def poll_orders():
    """Etsy's stores, every few minutes: polling is how their orders arrive."""
    for store_id in stores_to_ask(POLLED_PLATFORMS):
        reconcile_store_orders.delay(store_id)


@shared_task
def reconcile_orders():
    """Every webhook store, hourly: orders whose webhook never came arrive this way."""
    for store_id in stores_to_ask(RECONCILED_PLATFORMS):
        reconcile_store_orders.delay(store_id)


@shared_task
def reconcile_store_orders(store_id):
    with store_lock(store_id) as held:
        store = Store.objects.filter(id=store_id).exclude(state=Store.State.DISCONNECTED).first()
        if held and store is not None:
            reconcile_store(store)
