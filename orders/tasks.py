from celery import shared_task

from . import print_files
from .intake import relink_store


@shared_task
def check_print_files(order_id):
    print_files.check_order(order_id)


@shared_task
def relink_orders(store_id):
    relink_store(store_id)


@shared_task
def send_outbox(message_id):
    """Send one outbox message (the dispatcher: outbox.py)."""
    from . import outbox

    outbox.send(message_id)
