from celery import shared_task

from integrations.services import handle_delivery

from . import import_runs, pipeline, print_files
from .intake import relink_store


@shared_task
def process_order_delivery(delivery_id):
    handle_delivery(delivery_id, pipeline.apply_order_delivery)


@shared_task
def check_print_files(order_id):
    print_files.check_order(order_id)


@shared_task
def relink_orders(store_id):
    relink_store(store_id)


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
