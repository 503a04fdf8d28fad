"""Enqueueing background work: after the transaction commits, never failing the request."""

import logging

from django.db import transaction
from kombu.exceptions import KombuError

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args):
    """Queue `task(*args)` once the current transaction commits. If the broker is down the
    work is not lost: it stays pending in the database, and a periodic sweep queues it again."""

    def send():
        try:
            task.delay(*args)
        except (KombuError, OSError):
            logger.exception("Could not queue %s%r; the periodic sweep will retry it", task.name, args)

    transaction.on_commit(send)
