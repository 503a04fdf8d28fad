from celery import shared_task


@shared_task
def send_delivery(delivery_id):
    """One attempt at a postback delivery (postbacks.sender)."""
    from . import sender  # the sender queues this task

    sender.send(delivery_id)


@shared_task
def send_due_postbacks():
    """Every minute: queue the deliveries whose time has come (retries, and lost queueing)."""
    from . import sender

    sender.send_due()
