from celery import shared_task

from integrations.services import handle_delivery

from . import pipeline, print_files
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
